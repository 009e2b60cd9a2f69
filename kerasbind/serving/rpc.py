"""TF Serving's gRPC API (port 8500) through ``tensorflow-serving-api``.

``PredictionService.Predict`` and ``GetModelMetadata``, ``ModelService.GetModelStatus``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
import numpy as np
import tensorflow as tf
from tensorflow.core.framework.types_pb2 import DataType
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from kerasbind.serving.client import (
    DEFAULT_TIMEOUT,
    INPUT_NAME,
    MAX_REPLY_BYTES,
    OUTPUT_NAMES,
    OUTPUT_TYPES,
    SIGNATURE,
    ServingClient,
    ServingError,
    server_message,
)

MAX_MESSAGE = MAX_REPLY_BYTES
Reply = TypeVar("Reply")


class GrpcClient(ServingClient):
    """A model served at ``address`` (e.g. ``localhost:8500``)."""

    def __init__(
        self,
        address: str,
        model: str,
        version: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(model, version, timeout)
        self.address = address
        options = [
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
        ]
        self.channel = grpc.insecure_channel(address, options=options)
        self.predictions = prediction_service_pb2_grpc.PredictionServiceStub(self.channel)
        self.models = model_service_pb2_grpc.ModelServiceStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def _spec(self, message: Any, signature: bool = True) -> Any:
        """``message`` with its ``model_spec`` filled in."""
        message.model_spec.name = self.model
        if self.version is not None:
            message.model_spec.version.value = self.version
        if signature:
            message.model_spec.signature_name = SIGNATURE
        return message

    def _call(self, method: Callable[..., Reply], request: Any) -> Reply:
        """One call; every failure becomes a one-line `ServingError`."""
        try:
            return method(request, timeout=self.timeout)
        except grpc.RpcError as error:
            code, details = error.code(), server_message(error.details() or "")
            if code == grpc.StatusCode.UNAVAILABLE:
                message = f"cannot connect ({details}; is TF Serving running, with --port?)"
            elif code == grpc.StatusCode.DEADLINE_EXCEEDED:
                message = f"no answer within {self.timeout:g} s"
            elif code == grpc.StatusCode.NOT_FOUND:
                message = f"{self.servable} is not served ({details})"
            elif code == grpc.StatusCode.INVALID_ARGUMENT:
                message = f"{self.servable} rejected the request: {details}"
            else:
                message = f"{code.name}: {details}"
            raise ServingError(f"{self.address}: {message}") from error

    def status(self) -> list[dict[str, Any]]:
        request = self._spec(get_model_status_pb2.GetModelStatusRequest(), signature=False)
        reply = self._call(self.models.GetModelStatus, request)
        state = get_model_status_pb2.ModelVersionStatus.State.Name
        return self.parsed(
            self.address,
            "GetModelStatus",
            lambda: [
                {"version": s.version, "state": state(s.state), "error": s.status.error_message}
                for s in reply.model_version_status
            ],
        )

    def signatures(self) -> dict[str, dict[str, Any]]:
        request = self._spec(get_model_metadata_pb2.GetModelMetadataRequest(), signature=False)
        request.metadata_field.append("signature_def")
        reply = self._call(self.predictions.GetModelMetadata, request)
        found = get_model_metadata_pb2.SignatureDefMap()
        if "signature_def" not in reply.metadata or not reply.metadata["signature_def"].Unpack(
            found
        ):
            raise ServingError(f"{self.address}: {self.servable} sent no signatures")
        return self.parsed(
            self.address,
            "GetModelMetadata",
            lambda: {
                name: {
                    side: {key: DataType.Name(t.dtype) for key, t in getattr(sig, side).items()}
                    for side in ("inputs", "outputs")
                }
                for name, sig in found.signature_def.items()
            },
        )

    def predict_batch(self, sequences: list[str]) -> dict[str, np.ndarray]:
        request = self._spec(predict_pb2.PredictRequest())
        request.inputs[INPUT_NAME].CopyFrom(
            tf.make_tensor_proto([s.encode("ascii") for s in sequences], dtype=tf.string)
        )
        request.output_filter.extend(OUTPUT_NAMES)
        reply = self._call(self.predictions.Predict, request)
        missing = [name for name in OUTPUT_NAMES if name not in reply.outputs]
        if missing:
            raise ServingError(
                f"{self.address}: {self.servable} sent no {', '.join(missing)} output"
            )
        for name in OUTPUT_NAMES:  # the declared shape, before anything is allocated for it
            size = math.prod(dim.size for dim in reply.outputs[name].tensor_shape.dim)
            if size != len(sequences):
                raise ServingError(
                    f"{self.address}: {self.servable} answered {len(sequences)} sequences "
                    f"with {size} {name} values"
                )
        return self.parsed(
            self.address,
            "Predict",
            lambda: {
                name: tf.make_ndarray(reply.outputs[name]).reshape(-1).astype(dtype)
                for name, dtype in OUTPUT_TYPES.items()
            },
        )
