"""Issue 5's acceptance check on real data: PUM2 PAR-CLIP, 300 training steps, two exports,
a fresh process scoring through the SavedModel, and both clients through the stand-in server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tfserving_stub import serve

BIN = Path(sys.executable).parent

FRESH_PROCESS = """
import sys, numpy as np, pandas as pd, tensorflow as tf
table = pd.read_csv(sys.argv[2], sep="\\t").head(1000)
model = tf.saved_model.load(sys.argv[1])
got = model.signatures["serving_default"](sequences=tf.constant(table["sequence"].tolist()))
print(float(np.abs(got["probability"].numpy() - table["probability"].to_numpy()).max()))
"""


def _kerasbind(*args: str) -> str:
    done = subprocess.run([BIN / "kerasbind", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.shared_data
def test_pum2_export_acceptance(pum2_files: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = pum2_files
    run, base = tmp_path / "run", tmp_path / "models"
    _kerasbind(
        "train",
        "--arch",
        "deepbind",
        "--train",
        str(train),
        "--steps",
        "300",
        "--out",
        str(run),
        "--quiet",
    )
    _kerasbind("export", str(run), "--out", str(base), "--name", "pum2", "--serving-config")
    assert "version 2" in _kerasbind("export", str(run), "--out", str(base), "--name", "pum2")
    version = base / "pum2" / "2"
    assert (version / "assets.extra" / "tf_serving_warmup_requests").is_file()
    assert "name: 'pum2'" in (base / "models.config").read_text()
    shown = subprocess.run(
        [BIN / "saved_model_cli", "show", "--dir", str(version), "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "DT_STRING" in shown[shown.index("signature_def['serving_default']") :]

    predicted = tmp_path / "predict.tsv"
    _kerasbind("predict", str(run), "--input", str(test), "--output", str(predicted))
    table = pd.read_csv(predicted, sep="\t").head(1000)
    assert len(table) == 1000
    fresh = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(version), str(predicted)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(fresh.stdout.split()[-1]) < 1e-5

    fasta = tmp_path / "test1000.fa"
    records = zip(table["id"], table["sequence"], strict=True)
    fasta.write_text("".join(f">{i}\n{s}\n" for i, s in records))
    with serve(base) as stub:
        for option, address in (("--rest", stub.rest_url), ("--grpc", stub.grpc_address)):
            out = tmp_path / f"client{option}.tsv"
            _kerasbind(
                "client",
                option,
                address,
                "--model",
                "pum2",
                "--input",
                str(fasta),
                "--output",
                str(out),
            )
            got = pd.read_csv(out, sep="\t")
            assert got["sequence"].equals(table["sequence"])
            np.testing.assert_allclose(got["probability"], table["probability"], atol=1e-5)
