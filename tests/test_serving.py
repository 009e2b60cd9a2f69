"""The REST and gRPC clients and ``kerasbind client`` against the TF Serving stand-in
(`tfserving_stub`), which serves the exported SavedModels."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from export_helpers import LENGTH, random_sequences, tiny_run
from tfserving_stub import Stub, serve

from kerasbind.cli import main
from kerasbind.errors import KerasbindError
from kerasbind.export import export_run
from kerasbind.prediction import predict_sequences
from kerasbind.run import load_run
from kerasbind.serving import ServingError, connect

SEQUENCES = random_sequences(50, seed=5)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stub, dict[int, Path]]]:
    """Versions 1 and 2 of model ``tiny`` (different weights) behind the stand-in server."""
    folder = tmp_path_factory.mktemp("serving")
    runs = {version: tiny_run(folder / f"run{version}", seed=version) for version in (1, 2)}
    for version in (1, 2):
        export_run(load_run(runs[version]), folder / "models", name="tiny")
    with serve(folder / "models") as stub:
        yield stub, runs


def _expected(run_dir: Path, sequences: list[str]) -> np.ndarray:
    run = load_run(run_dir)
    return predict_sequences(run.model, run.encoder, sequences)


def _client(stub: Stub, protocol: str, **kwargs):
    address = {"rest": stub.rest_url, "grpc": stub.grpc_address}[protocol]
    return connect(**{protocol: address}, **{"model": "tiny", **kwargs})


@pytest.mark.parametrize("protocol", ["rest", "grpc"])
def test_status_signatures_and_predictions(served, protocol: str) -> None:
    stub, runs = served
    client = _client(stub, protocol)
    assert [(s["version"], s["state"]) for s in client.status()] == [
        (1, "AVAILABLE"),
        (2, "AVAILABLE"),
    ]
    signature = client.signatures()["serving_default"]
    assert signature["inputs"] == {"sequences": "DT_STRING"}
    assert set(signature["outputs"]) == {"probability", "logit", "windows"}
    latest = client.predict(SEQUENCES, batch_size=16)  # four requests
    np.testing.assert_allclose(latest["probability"], _expected(runs[2], SEQUENCES), atol=1e-5)
    # which length rule applied: one window up to the model's length, then every start
    lengths = np.array([len(s) for s in SEQUENCES])
    assert latest["windows"].dtype == np.int32
    np.testing.assert_array_equal(latest["windows"], np.maximum(lengths - LENGTH + 1, 1))
    assert (latest["windows"] > 1).any() and (latest["windows"] == 1).any()
    first = _client(stub, protocol, version=1).predict(SEQUENCES)
    np.testing.assert_allclose(first["probability"], _expected(runs[1], SEQUENCES), atol=1e-5)
    assert client.predict([])["probability"].shape == (0,)


@pytest.mark.parametrize("protocol", ["rest", "grpc"])
def test_clear_errors(served, protocol: str) -> None:
    stub, _ = served
    with pytest.raises(ServingError, match="model 'nope' is not served"):
        _client(stub, protocol, model="nope").predict(["ACGT"])
    with pytest.raises(ServingError, match="model 'tiny' version 9 is not served"):
        _client(stub, protocol, version=9).predict(["ACGT"])
    client = _client(stub, protocol)
    with pytest.raises(ServingError, match="sequence 2: invalid character `X` at position 3"):
        client.predict_batch(["ACGT", "ACXGT"])  # checked by the SavedModel itself
    with pytest.raises(KerasbindError, match="sequence 3: invalid character '#' at position 2"):
        client.predict(["ACGT", "AC", "A#"])  # checked before sending
    with pytest.raises(ServingError, match="sequence 2: empty sequence"):
        client.predict_batch(["ACGT", ""])  # the SavedModel refuses it too
    with pytest.raises(KerasbindError, match="sequence 2: empty sequence"):
        client.predict(["ACGT", ""])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_and_timeout() -> None:
    port = _free_port()
    with pytest.raises(ServingError, match="connection refused"):
        connect(rest=f"http://127.0.0.1:{port}", model="m", timeout=5).status()
    with pytest.raises(ServingError, match="cannot connect"):
        connect(grpc=f"127.0.0.1:{port}", model="m", timeout=5).status()
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(ServingError, match=r"no answer within 0\.3 s"):
            connect(rest=url, model="m", timeout=0.3).predict(["ACGT"])


def test_client_command_matches_predict(served, tmp_path: Path, capsys) -> None:
    stub, runs = served
    fasta = tmp_path / "input.fa"
    fasta.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(SEQUENCES) if s))
    assert (
        main(
            [
                "predict",
                str(runs[2]),
                "--input",
                str(fasta),
                "--output",
                str(tmp_path / "predict.tsv"),
            ]
        )
        == 0
    )
    expected = pd.read_csv(tmp_path / "predict.tsv", sep="\t")
    for option, address in (("--rest", stub.rest_url), ("--grpc", stub.grpc_address)):
        out = tmp_path / f"client{option}.tsv"
        assert (
            main(
                [
                    "client",
                    option,
                    address,
                    "--model",
                    "tiny",
                    "--input",
                    str(fasta),
                    "--output",
                    str(out),
                    "--batch-size",
                    "7",
                ]
            )
            == 0
        )
        got = pd.read_csv(out, sep="\t")
        assert got[["id", "sequence", "windows"]].equals(expected[["id", "sequence", "windows"]])
        np.testing.assert_allclose(got["probability"], expected["probability"], atol=2e-6)
        np.testing.assert_allclose(got["log_odds"], expected["log_odds"], atol=1e-4)
    assert main(["client", "--rest", stub.rest_url, "--model", "tiny", "--status"]) == 0
    assert '"state": "AVAILABLE"' in capsys.readouterr().out
    assert (
        main(
            [
                "client",
                "--grpc",
                stub.grpc_address,
                "--model",
                "nope",
                "--input",
                str(fasta),
                "--output",
                str(out),
            ]
        )
        == 2
    )
    assert "model 'nope' is not served" in capsys.readouterr().err
