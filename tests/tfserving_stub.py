"""A stand-in for TF Serving, for tests only: the TF Serving binary cannot be installed here.

It serves every SavedModel under ``BASE/NAME/VERSION`` (all versions loaded, the highest one
answering when no version is asked for) through
- gRPC: ``tensorflow-serving-api``'s generated ``PredictionServiceServicer`` (``Predict``,
  ``GetModelMetadata``) and ``ModelServiceServicer`` (``GetModelStatus``);
- REST: TF Serving's documented JSON (``api_rest``): ``GET /v1/models/NAME[/versions/N]``,
  ``…/metadata``, ``POST …:predict`` with ``instances`` (row format) or ``inputs`` (columnar),
  errors as ``{"error": "…"}`` with 404 for an unknown servable and 400 for bad input.

Run by hand: ``python tests/tfserving_stub.py BASE --port 8500 --rest-port 8501``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import tensorflow as tf
from google.protobuf import json_format
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

HTTP_STATUS = {grpc.StatusCode.NOT_FOUND: 404, grpc.StatusCode.INVALID_ARGUMENT: 400}


class StubError(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Servable:
    version: int
    loaded: Any
    signature_defs: Any  # SignatureDefMap


class Repository:
    """The SavedModels under ``base``, loaded once."""

    def __init__(self, base: Path) -> None:
        self.models: dict[str, dict[int, Servable]] = {}
        for folder in sorted(Path(base).iterdir()):
            versions = [p for p in folder.iterdir() if p.name.isdigit()] if folder.is_dir() else []
            for path in versions:
                self.models.setdefault(folder.name, {})[int(path.name)] = _load(path)

    def find(self, name: str, version: int | None) -> Servable:
        request = f"Specific({name}, {version})" if version else f"Latest({name})"
        versions = self.models.get(name, {})
        chosen = versions.get(version) if version else versions.get(max(versions, default=-1))
        if chosen is None:
            raise StubError(grpc.StatusCode.NOT_FOUND, f"Servable not found for request: {request}")
        return chosen

    def status(self, name: str, version: int | None) -> list[int]:
        found = [self.find(name, version).version] if version else sorted(self.models.get(name, {}))
        if not found:
            raise StubError(
                grpc.StatusCode.NOT_FOUND, f"Could not find any versions of model {name}"
            )
        return found

    def predict(
        self, name: str, version: int | None, signature: str, inputs: dict[str, np.ndarray]
    ) -> tuple[int, dict[str, np.ndarray]]:
        servable = self.find(name, version)
        signature = signature or "serving_default"
        if signature not in servable.loaded.signatures:
            raise StubError(
                grpc.StatusCode.INVALID_ARGUMENT, f'Serving signature name: "{signature}" not found'
            )
        try:
            outputs = servable.loaded.signatures[signature](
                **{k: tf.constant(v) for k, v in inputs.items()}
            )
        except (tf.errors.InvalidArgumentError, TypeError, ValueError) as error:
            raise StubError(
                grpc.StatusCode.INVALID_ARGUMENT, getattr(error, "message", str(error))
            ) from error
        return servable.version, {k: v.numpy() for k, v in outputs.items()}


def _load(path: Path) -> Servable:
    proto = saved_model_pb2.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    defs = get_model_metadata_pb2.SignatureDefMap()
    for key, value in proto.meta_graphs[0].signature_def.items():
        if not key.startswith("__"):
            defs.signature_def[key].CopyFrom(value)
    return Servable(int(path.name), tf.saved_model.load(str(path)), defs)


# gRPC -----------------------------------------------------------------------------------------


def _abort(context: grpc.ServicerContext, error: StubError) -> None:
    context.abort(error.code, error.message)


def _version(spec: Any) -> int | None:
    return spec.version.value if spec.HasField("version") else None


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def Predict(self, request: Any, context: grpc.ServicerContext) -> Any:
        spec = request.model_spec
        inputs = {key: tf.make_ndarray(value) for key, value in request.inputs.items()}
        try:
            version, outputs = self.repository.predict(
                spec.name, _version(spec), spec.signature_name, inputs
            )
        except StubError as error:
            _abort(context, error)
        reply = predict_pb2.PredictResponse()
        reply.model_spec.name = spec.name
        reply.model_spec.version.value = version
        reply.model_spec.signature_name = spec.signature_name or "serving_default"
        for key, value in outputs.items():
            if not request.output_filter or key in request.output_filter:
                reply.outputs[key].CopyFrom(tf.make_tensor_proto(value))
        return reply

    def GetModelMetadata(self, request: Any, context: grpc.ServicerContext) -> Any:
        spec = request.model_spec
        try:
            servable = self.repository.find(spec.name, _version(spec))
        except StubError as error:
            _abort(context, error)
        reply = get_model_metadata_pb2.GetModelMetadataResponse()
        reply.model_spec.name = spec.name
        reply.model_spec.version.value = servable.version
        reply.metadata["signature_def"].Pack(servable.signature_defs)
        return reply


class ModelService(model_service_pb2_grpc.ModelServiceServicer):
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def GetModelStatus(self, request: Any, context: grpc.ServicerContext) -> Any:
        spec = request.model_spec
        try:
            versions = self.repository.status(spec.name, _version(spec))
        except StubError as error:
            _abort(context, error)
        reply = get_model_status_pb2.GetModelStatusResponse()
        for version in versions:
            status = reply.model_version_status.add(version=version)
            status.state = get_model_status_pb2.ModelVersionStatus.AVAILABLE
        return reply


# REST -----------------------------------------------------------------------------------------

_PATH = re.compile(
    r"/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+))?(?P<verb>:predict|/metadata)?"
)


def _rows(outputs: dict[str, np.ndarray]) -> list[Any]:
    """Row-format predictions: one value per example, or one object when there are several."""
    values = {key: value.tolist() for key, value in outputs.items()}
    if len(values) == 1:
        return next(iter(values.values()))
    n = len(next(iter(values.values())))
    return [{key: value[i] for key, value in values.items()} for i in range(n)]


def _decode(value: Any) -> Any:
    """``{"b64": …}`` → bytes, lists recursively."""
    if isinstance(value, dict) and set(value) == {"b64"}:
        import base64

        return base64.b64decode(value["b64"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class RestHandler(BaseHTTPRequestHandler):
    repository: Repository

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> tuple[str, int | None, str]:
        match = _PATH.fullmatch(self.path)
        if not match or (method == "POST") != (match["verb"] == ":predict"):
            raise StubError(
                grpc.StatusCode.INVALID_ARGUMENT, f"Malformed request: {method} {self.path}"
            )
        version = int(match["version"]) if match["version"] else None
        return match["name"], version, match["verb"] or ""

    def _handle(self, method: str) -> None:
        try:
            name, version, verb = self._route(method)
            if verb == ":predict":
                self._send(200, self._predict(name, version))
            elif verb == "/metadata":
                servable = self.repository.find(name, version)
                defs = json_format.MessageToDict(
                    servable.signature_defs, preserving_proto_field_name=True
                )
                spec = {"name": name, "signature_name": "", "version": str(servable.version)}
                self._send(200, {"model_spec": spec, "metadata": {"signature_def": defs}})
            else:
                ok = {"error_code": "OK", "error_message": ""}
                statuses = [
                    {"version": str(v), "state": "AVAILABLE", "status": ok}
                    for v in self.repository.status(name, version)
                ]
                self._send(200, {"model_version_status": statuses})
        except StubError as error:
            self._send(HTTP_STATUS.get(error.code, 500), {"error": error.message})

    def _predict(self, name: str, version: int | None) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length", 0))
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError as error:
            raise StubError(
                grpc.StatusCode.INVALID_ARGUMENT, f"JSON Parse error: {error}"
            ) from error
        if ("instances" in body) == ("inputs" in body):
            raise StubError(
                grpc.StatusCode.INVALID_ARGUMENT,
                "Missing 'inputs' or 'instances' key"
                if "inputs" not in body
                else "Not formatted correctly expecting only one of 'inputs' or 'instances' keys",
            )
        signature = body.get("signature_name", "")
        servable = self.repository.find(name, version)
        input_names = list(
            servable.signature_defs.signature_def[signature or "serving_default"].inputs
        )
        if "instances" in body:
            rows = _decode(body["instances"])
            if len(input_names) == 1 and not (rows and isinstance(rows[0], dict)):
                inputs = {input_names[0]: np.array(rows)}
            else:
                inputs = {key: np.array([row[key] for row in rows]) for key in input_names}
        else:
            columns = _decode(body["inputs"])
            inputs = columns if isinstance(columns, dict) else {input_names[0]: columns}
            inputs = {key: np.array(value) for key, value in inputs.items()}
        _, outputs = self.repository.predict(name, version, signature, inputs)
        if "instances" in body:
            return {"predictions": _rows(outputs)}
        return {"outputs": {key: value.tolist() for key, value in outputs.items()}}

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


# the server -----------------------------------------------------------------------------------


@dataclass
class Stub:
    rest_url: str
    grpc_address: str


@contextmanager
def serve(base: Path, port: int = 0, rest_port: int = 0) -> Iterator[Stub]:
    """Serve ``base`` on 127.0.0.1 (free ports by default) until the block ends."""
    repository = Repository(base)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        PredictionService(repository), server
    )
    model_service_pb2_grpc.add_ModelServiceServicer_to_server(ModelService(repository), server)
    grpc_port = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    handler = type("Handler", (RestHandler,), {"repository": repository})
    http = ThreadingHTTPServer(("127.0.0.1", rest_port), handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield Stub(f"http://127.0.0.1:{http.server_address[1]}", f"127.0.0.1:{grpc_port}")
    finally:
        http.shutdown()
        http.server_close()
        server.stop(grace=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("--port", type=int, default=8500)
    parser.add_argument("--rest-port", type=int, default=8501)
    args = parser.parse_args()
    with serve(args.base, args.port, args.rest_port) as stub:
        print(f"gRPC {stub.grpc_address}, REST {stub.rest_url}; Ctrl-C stops", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
