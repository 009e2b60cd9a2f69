"""Hostile and careless inputs to the files a user hands kerasbind (issue 27, items 7-10): budget,
hyper-parameter, search-space and manifest files with wrong types, huge numbers, odd encodings
and deep nesting; model names that would change ``models.config`` or a URL; replies from a
server that is not TF Serving. Each must end in one line naming the file (exit code 2 on the
command line), never a traceback, and nothing trains."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kerasbind.benchmark.budget import load_budget
from kerasbind.cli import main
from kerasbind.errors import KerasbindError
from kerasbind.export.serving_config import models_config_text, write_models_config
from kerasbind.files import read_json
from kerasbind.serving import ServingError, connect
from kerasbind.tuning.space import load_space

TRAIN_TSV = Path(__file__).parent / "files" / "train.tsv"
DEEP = "[" * 100_000 + "]" * 100_000
NOT_UTF8 = b'{"trials":\n "\xff\xfe"}'


def _write(path: Path, content: str | bytes | object) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


# ---------------------------------------------------------------- JSON files of every kind


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (NOT_UTF8, r"x\.json:2: not UTF-8 text \(byte 0xff\)"),
        (DEEP, "nested too deeply"),
        ('{"trials": ' + "9" * 5000 + "}", "not usable JSON"),
        ("{", "not valid JSON"),
    ],
)
def test_broken_json_is_one_line(tmp_path: Path, content: str | bytes, problem: str) -> None:
    with pytest.raises(KerasbindError, match=problem):
        read_json(_write(tmp_path / "x.json", content))


def test_oversized_json_is_refused_unread(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.json", '{"a": "' + "x" * 2000 + '"}')
    with pytest.raises(KerasbindError, match="larger than 1,000 bytes"):
        read_json(path, limit=1000)


def test_json_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"trials": 2}).encode())
    assert read_json(path) == {"trials": 2}


# ---------------------------------------------------------------- budget files (item 9)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"trials": True}, "trials must be a whole number, not True"),
        ({"trials": 2.5}, "trials must be a whole number, not 2.5"),
        ({"max_steps": 10**30}, "max_steps must be at least 1 and at most 10,000,000"),
        ({"folds": 10**6}, "folds must be at least 2 and at most 100"),
        ({"max_steps": 500, "eval_every": 600}, r"eval_every \(600\) must not exceed max_steps"),
        ({"max_steps": 1_000_000, "eval_every": 1}, "at most 1,000 checkpoints"),
        ({"final_models": -1}, "final_models must be at least 1"),
        ({"base": ["paper"]}, r"base must be .*quick, not \['paper'\]"),
        ({"base": "huge"}, "base must be .*quick, not 'huge'"),
        ([1, 2], "expected a JSON object"),
        (NOT_UTF8, "b.json:2: not UTF-8 text"),
        (DEEP, "nested too deeply"),
    ],
)
def test_hostile_budget_files(tmp_path: Path, content: object, problem: str) -> None:
    path = _write(tmp_path / "b.json", content)
    with pytest.raises(KerasbindError, match=problem) as raised:
        load_budget(path)
    assert str(path) in str(raised.value)


def test_hostile_budget_on_the_command_line(tmp_path: Path, capsys) -> None:
    budget = _write(tmp_path / "b.json", {"trials": True})
    code = main(
        [
            "benchmark", "--arch", "deepbind", "--datasets", "clip_seq/*",
            "--budget", str(budget), "--out", str(tmp_path / "out"), "--quiet",
        ]
    )  # fmt: skip
    assert code == 2 and "b.json: trials must be a whole number" in _one_line(capsys)


# ---------------------------------------------------------------- hyper-parameter files (item 9)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"filters": 10**12}, r"filters must be a whole number >= 1 and <= 10,000"),
        ({"filters": True}, "filters must be a whole number"),
        ({"optimizer": ["sgd"]}, "optimizer must be one of sgd, adagrad"),
        ({"learning_rate": "fast"}, "learning_rate must be > 0"),
        ({"hyperparameters": [1, 2]}, "expected a JSON object of hyper-parameters"),
        ({"filterz": 8}, "unknown hyper-parameters filterz"),
        (NOT_UTF8, "h.json:2: not UTF-8 text"),
        (DEEP, "nested too deeply"),
    ],
)
def test_hostile_hyperparameter_files(tmp_path: Path, content: object, problem: str) -> None:
    from kerasbind.hyperparameters import HyperParameters
    from kerasbind.models.specs import ARCHITECTURES

    path = _write(tmp_path / "h.json", content)
    with pytest.raises(KerasbindError, match=problem) as raised:
        HyperParameters.for_architecture(ARCHITECTURES["deepbind"], path)
    assert str(path) in str(raised.value)


def test_hostile_hyperparameters_on_the_command_line(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path / "h.json", NOT_UTF8)
    code = main(
        ["train", "--train", str(TRAIN_TSV), "--hparams", str(path), "--out", str(tmp_path / "r")]
    )
    assert code == 2 and "h.json:2: not UTF-8 text" in _one_line(capsys)


# ---------------------------------------------------------------- search spaces (item 9)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"filters": {"choice": [True, 16]}}, "filters must be a whole number"),
        ({"filters": {"choice": [10**12]}}, "filters must be a whole number"),
        ({"filters": {"uniform": [1, 64]}}, "'uniform' does not suit it; use 'choice' or 'fixed'"),
        ({"learning_rate": {"uniform": [-1, 1]}}, "learning_rate must be > 0, not -1"),
        ({"momentum": {"sqrt_uniform": [0.9, 1.5]}}, r"momentum must be in \[0, 1\)"),
        ({"dropout_keep": {"fixed": "all"}}, "dropout_keep must be a keep probability"),
        ({"weight_decay": {"log_uniform": [1e-9, "x"]}}, "needs \\[low, high\\]"),
        ({"init": {"choice": list(range(1000))}}, "at most 100"),
        ([1], "expected a JSON object of hyper-parameter rules"),
        (NOT_UTF8, "s.json:2: not UTF-8 text"),
    ],
)
def test_hostile_space_files(tmp_path: Path, content: object, problem: str) -> None:
    path = _write(tmp_path / "s.json", content)
    with pytest.raises(KerasbindError, match=problem) as raised:
        load_space(path)
    assert str(path) in str(raised.value)


# ---------------------------------------------------------------- manifests (items 3, 9)


def _benchmark(tmp_path: Path, manifest: Path, *extra: str) -> int:
    budget = _write(tmp_path / "tiny.json", {"trials": 1, "max_steps": 20, "eval_every": 10})
    return main(
        [
            "benchmark", "--arch", "deepbind", "--datasets", str(manifest),
            "--budget", str(budget), "--out", str(tmp_path / "out"), "--quiet", *extra,
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"# datasets\na\tt.tsv\tt.tsv\nb\t\xff.tsv\tt.tsv\n", "m.tsv:3: not UTF-8 text"),
        (b"a\tt.tsv\x00\tt.tsv\n", "m.tsv:1: control characters"),
        (b"./.\tt.tsv\tt.tsv\n", "m.tsv:1: dataset name './.' is not usable"),
        (b"a\tt.tsv\tt.tsv\n./a\tt.tsv\tt.tsv\n", "m.tsv:1.*m.tsv:2.*one folder"),
        (b"Sim\tt.tsv\tt.tsv\nsim\tu.tsv\tu.tsv\n", "'Sim'.*'sim'.*one folder"),
        (b"a\tt.tsv\tt.tsv\na/deepbind\tu.tsv\tu.tsv\n", "a folder inside the other"),
    ],
)
def test_hostile_manifests_fail_before_training(
    tmp_path: Path, capsys, content: bytes, problem: str
) -> None:
    _write(tmp_path / "t.tsv", "ACGTACGT\t1\nTTTTACGA\t0\n")
    _write(tmp_path / "u.tsv", "ACGTACGA\t1\nTTTTACGT\t0\n")
    assert _benchmark(tmp_path, _write(tmp_path / "m.tsv", content)) == 2
    assert re.search(problem, _one_line(capsys))
    assert not (tmp_path / "out" / "runs").exists()  # nothing started


def test_same_name_other_data_is_refused_and_spellings_agree(tmp_path: Path, capsys) -> None:
    """A cell folder remembers its data: another file under the same name is refused before
    anything trains; the same file spelt another way is the same cell."""
    from kerasbind.benchmark.cells import Cell, check_plan, claimed
    from kerasbind.benchmark.sources import read_manifest

    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    _write(tmp_path / "one" / "t.tsv", "ACGTACGT\t1\nTTTTACGA\t0\n")
    _write(tmp_path / "two" / "t.tsv", "ACGTACGA\t1\nTTTTACGT\t0\n")  # same name, other data
    first = read_manifest(_write(tmp_path / "m1.tsv", "x\tone/t.tsv\tone/t.tsv\n"))
    out = tmp_path / "out"
    cell = Cell(first[0], "deepbind")
    with claimed(cell, out, {"seed": 0}):  # as a benchmark does when it starts the cell
        pass
    respelt = read_manifest(_write(tmp_path / "m2.tsv", "./x\t./one/../one/t.tsv\tone/t.tsv\n"))
    check_plan([Cell(respelt[0], "deepbind")], out)  # the same cell: accepted
    other = _write(tmp_path / "m3.tsv", "x\ttwo/t.tsv\ttwo/t.tsv\n")
    assert _benchmark(tmp_path, other) == 2
    err = _one_line(capsys)
    assert "holds dataset 'x' from other data" in err and "m3.tsv:1" in err
    assert not (out / "runs" / "x" / "deepbind" / "benchmark.json").exists()


# ---------------------------------------------------------------- benchmark exit code (item 8)


def test_every_cell_failing_exits_2_with_a_summary(tmp_path: Path, capsys) -> None:
    _write(tmp_path / "pos.tsv", "ACGTACGTAC\t1\nACGTTCGTAC\t1\n")  # positives only: fails
    manifest = _write(tmp_path / "m.tsv", "p\tpos.tsv\tpos.tsv\nq\tpos.tsv\tpos.tsv\n")
    assert _benchmark(tmp_path, manifest) == 2
    err = _one_line(capsys)
    assert re.search(r"2 of 2 cell\(s\) run failed \(p × deepbind: .*; q × deepbind: ", err)
    assert "failed.csv" in err


# ---------------------------------------------------------------- models.config (item 7)


def _fake_model(base: Path, name: str) -> None:
    version = base / name / "1"
    version.mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"")


@pytest.mark.parametrize("name", ["x'}", "a b", "x\n}", "{evil}", "-dash"])
def test_serving_config_refuses_folder_names_that_change_it(tmp_path: Path, name: str) -> None:
    _fake_model(tmp_path, "good")
    _fake_model(tmp_path, name)
    with pytest.raises(KerasbindError, match="model folder"):
        write_models_config(tmp_path)
    assert not (tmp_path / "models.config").exists()


def test_serving_config_lists_safe_names_and_skips_hidden_folders(tmp_path: Path) -> None:
    _fake_model(tmp_path, "pum2.v1-b_2")
    _fake_model(tmp_path, ".pum2.tmp-host-1-abc")  # an export in progress
    text = write_models_config(tmp_path).read_text()
    assert "name: 'pum2.v1-b_2'" in text and ".tmp" not in text
    with pytest.raises(KerasbindError, match="container base"):
        models_config_text(["a"], "/models' } config { name: 'x")


# ---------------------------------------------------------------- client (item 10)


class _Hostile(BaseHTTPRequestHandler):
    """Answers every request with ``server.reply`` = (status, body bytes)."""

    def _answer(self) -> None:
        status, body = self.server.reply  # type: ignore[attr-defined]
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))  # the request, all of it
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _rest(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.parametrize(
    ("call", "reply", "problem"),
    [
        ("predict", b"<html>proxy login</html>", "unexpected reply .* to :predict"),
        ("predict", b"[1, 2]", "unexpected reply from model 'm'"),
        ("predict", b'{"predictions": [{"probability": "high"}]}', "unexpected reply"),
        ("predict", b'{"predictions": [{}]}', "unexpected reply .*KeyError"),
        ("predict", b'{"predictions": [1, 2, 3]}', "unexpected answer"),
        ("predict", b"\xff\xfe not json", "unexpected reply"),
        ("predict", DEEP.encode(), "unexpected reply"),
        ("status", b'{"model_version_status": [{"version": "abc"}]}', "to status"),
        ("status", b'{"model_version_status": 5}', "to status"),
        ("signatures", b"{}", "to /metadata .*KeyError"),
        ("signatures", b'{"metadata": {"signature_def": {"signature_def": [1]}}}', "metadata"),
    ],
)
def test_unexpected_rest_replies_are_one_line(hostile, call: str, reply: bytes, problem: str):
    hostile.reply = (200, reply)
    client = connect(rest=_rest(hostile), model="m", timeout=5)
    with pytest.raises(ServingError, match=problem):
        client.predict(["ACGT"]) if call == "predict" else getattr(client, call)()


def test_an_oversized_rest_reply_is_not_read(hostile, monkeypatch) -> None:
    from kerasbind.serving import rest

    monkeypatch.setattr(rest, "MAX_REPLY_BYTES", 1000)
    hostile.reply = (200, b'{"predictions": [' + b" " * 5000 + b"]}")
    with pytest.raises(ServingError, match="reply larger than 1,000 bytes"):
        connect(rest=_rest(hostile), model="m", timeout=5).predict(["ACGT"])


def test_error_pages_that_are_not_tf_serving_json(hostile) -> None:
    hostile.reply = (502, b"<html>" + b"x" * 200_000 + b"</html>")
    with pytest.raises(ServingError, match="HTTP 502"):
        connect(rest=_rest(hostile), model="m", timeout=5).status()


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--model", "../x"], "model name '../x': use up to 200 letters"),
        (["--model", "m/../../admin"], "model name 'm/../../admin'"),
        (["--model", "m?x=1"], "model name 'm?x=1'"),
        (["--model", "m", "--version", "-1"], "model version must be a whole number >= 0"),
        (["--model", "m", "--timeout", "nan"], "timeout must be a positive number"),
    ],
)
def test_client_arguments_never_reach_the_url(hostile, capsys, arguments, problem) -> None:
    hostile.paths.clear()
    code = main(["client", "--rest", _rest(hostile), *arguments, "--status"])
    assert code == 2 and problem in _one_line(capsys)
    assert hostile.paths == []  # nothing was sent


def test_client_refuses_urls_other_than_http(capsys) -> None:
    code = main(["client", "--rest", "file:///etc/passwd", "--model", "m", "--status"])
    assert code == 2 and "expected http://HOST:PORT" in _one_line(capsys)


def test_unexpected_grpc_replies_are_one_line() -> None:
    """A gRPC server whose Predict answers without outputs, with too few values, or declaring
    a 10**12-element tensor (refused before anything is allocated for it)."""
    from concurrent import futures

    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    replies: list[predict_pb2.PredictResponse] = []

    class Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
        def Predict(self, request, context):
            return replies[0]

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Servicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        client = connect(grpc=f"127.0.0.1:{port}", model="m", timeout=10)
        empty = predict_pb2.PredictResponse()
        short = predict_pb2.PredictResponse()
        huge = predict_pb2.PredictResponse()
        for name in ("probability", "logit", "windows"):
            short.outputs[name].CopyFrom(tf.make_tensor_proto([0.5], dtype=tf.float32))
            huge.outputs[name].dtype = tf.float32.as_datatype_enum
            huge.outputs[name].tensor_shape.dim.add().size = 10**12
        for reply, problem in (
            (empty, "sent no probability, logit, windows output"),
            (short, "answered 2 sequences with 1 probability values"),
            (huge, "answered 2 sequences with 1000000000000 probability values"),
        ):
            replies[:] = [reply]
            with pytest.raises(ServingError, match=problem):
                client.predict(["ACGT", "ACGA"])
    finally:
        server.stop(None)
