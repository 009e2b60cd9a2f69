"""SavedModel export: signatures equal to `kerasbind predict`, TF Serving layout, assets, and the
three "other TensorFlow pipelines" of the README."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from export_helpers import LENGTH, random_sequences, tiny_model, tiny_run
from tensorflow_serving.apis import prediction_log_pb2

from kerasbind.cli import main
from kerasbind.errors import KerasbindError
from kerasbind.export import export_run, layout, write_savedmodel
from kerasbind.export.layout import write_version
from kerasbind.models import ARCHITECTURES
from kerasbind.prediction import predict_encoded, predict_sequences
from kerasbind.run import CONFIG_FILE, load_run

SAVED_MODEL_CLI = Path(sys.executable).with_name("saved_model_cli")
# the nine named architectures, and two with the other input representation
CASES = [(name, None) for name in ARCHITECTURES] + [("danq", True), ("eclstm", False)]


@pytest.mark.parametrize(
    ("arch_name", "embedding"), CASES, ids=lambda v: str(v) if v is not None else "default"
)
def test_signatures_equal_predict(arch_name: str, embedding: bool | None, tmp_path: Path) -> None:
    _, _, encoder, model = tiny_model(arch_name, embedding)
    sequences = random_sequences(100, seed=7)
    expected = predict_sequences(model, encoder, sequences)
    from kerasbind.encoding import encode

    # the model alone on each sequence's centre window, one strand: what `encoded` serves
    x = encode(sequences, encoder)
    alone = predict_encoded(model, x)
    assert alone.std() > 0.005, "outputs too flat for the test to see encoding mistakes"
    write_savedmodel(model, encoder, tmp_path / "sm")
    signatures = tf.saved_model.load(str(tmp_path / "sm")).signatures
    got = signatures["serving_default"](sequences=tf.constant(sequences))
    np.testing.assert_allclose(got["probability"].numpy(), expected, atol=1e-5, rtol=0)
    np.testing.assert_allclose(tf.sigmoid(got["logit"]).numpy(), expected, atol=1e-5, rtol=0)
    encoded = signatures["encoded"](encoded=tf.constant(x))
    np.testing.assert_allclose(encoded["probability"].numpy(), alone, atol=1e-5, rtol=0)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A run folder and its first export, ``BASE/tiny/1``."""
    folder = tmp_path_factory.mktemp("export")
    run_dir = tiny_run(folder / "run")
    export_run(load_run(run_dir), folder / "models", name="tiny", serving_config=True)
    return run_dir, folder / "models"


def test_layout_assets_warmup_and_config(exported: tuple[Path, Path]) -> None:
    run_dir, base = exported
    version = base / "tiny" / "1"
    assert (version / "saved_model.pb").is_file()
    stored = json.loads((version / "assets" / CONFIG_FILE).read_text())
    assert stored == json.loads((run_dir / CONFIG_FILE).read_text())
    warmup = version / "assets.extra" / "tf_serving_warmup_requests"
    records = list(tf.data.TFRecordDataset(str(warmup)))
    sizes = []
    for record in records:
        request = prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request
        assert request.model_spec.signature_name == "serving_default"
        sizes.append(tf.make_ndarray(request.inputs["sequences"]).shape[0])
    assert sizes == [1, 32, 1024]
    config = (base / "models.config").read_text()
    assert "name: 'tiny'" in config and "base_path: '/models/tiny'" in config
    assert not [p for p in (base / "tiny").iterdir() if p.name.startswith(".")]


def test_next_version_and_refusals(exported: tuple[Path, Path], tmp_path: Path) -> None:
    run_dir, _ = exported
    base = tmp_path / "models"
    assert export_run(load_run(run_dir), base, name="m").version == 1
    assert export_run(load_run(run_dir), base, name="m").version == 2
    assert export_run(load_run(run_dir), base, name="m", version=7).path == base / "m" / "7"
    assert export_run(load_run(run_dir), base, name="m").version == 8
    with pytest.raises(KerasbindError, match="already exists"):
        export_run(load_run(run_dir), base, name="m", version=2)
    with pytest.raises(KerasbindError, match="model name"):
        export_run(load_run(run_dir), base, name="bad/name")


def test_concurrent_exports_each_get_their_own_version(tmp_path: Path) -> None:
    """Four exports that all finish writing before any moves into place (a barrier): all
    four see version 1 free, three lose the rename race and take 2, 3 and 4."""
    barrier = threading.Barrier(4)
    done: list[Path | Exception] = []

    def write(folder: Path) -> None:
        (folder / "saved_model.pb").write_text(folder.name)
        barrier.wait(timeout=60)

    def export() -> None:
        try:
            done.append(write_version(tmp_path, "m", write))
        except Exception as error:  # collected, then asserted
            done.append(error)

    threads = [threading.Thread(target=export) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(str(p.name) if isinstance(p, Path) else repr(p) for p in done) == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["1", "2", "3", "4"]


# loads layout.py alone: importing the kerasbind.export package would import TensorFlow
KILLED_EXPORT = """
import importlib.util, sys, time
from pathlib import Path
spec = importlib.util.spec_from_file_location("layout", sys.argv[2])
layout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layout)

def write(folder):
    (folder / "saved_model.pb").write_text("half")
    print("writing", flush=True)
    time.sleep(600)

layout.write_version(Path(sys.argv[1]), "m", write)
"""


def test_folders_of_killed_exports_are_removed_by_the_next(tmp_path: Path) -> None:
    killed = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(tmp_path), layout.__file__],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert killed.stdout.readline().strip() == "writing"
    killed.kill()  # SIGKILL: no clean-up runs
    killed.wait(timeout=30)
    left = list((tmp_path / "m").glob(".*.tmp-*"))
    assert len(left) == 1 and (left[0] / "saved_model.pb").is_file()
    old_style = tmp_path / "m" / ".3.tmp-abcd1234"  # an older kerasbind's, a day old
    old_style.mkdir()
    os.utime(old_style, (0, 0))
    # a running export's folder (this process's): ".LABEL.tmp-HOST-PID-RANDOM"
    running = tmp_path / "m" / f".next.tmp-{socket.gethostname()}-{os.getpid()}-live1234"
    running.mkdir()

    path = write_version(tmp_path, "m", lambda folder: (folder / "saved_model.pb").write_text("ok"))
    assert path == tmp_path / "m" / "1"
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(["1", running.name])


def test_saved_model_refuses_an_empty_sequence(exported: tuple[Path, Path]) -> None:
    """As the readers do; scoring it would give the all-N score."""
    _, base = exported
    score = tf.saved_model.load(str(base / "tiny" / "1")).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="sequence 2: empty sequence"):
        score(sequences=tf.constant(["ACGT", ""]))


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    def broken(folder: Path) -> None:
        (folder / "half").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_version(tmp_path, "m", broken)
    assert list((tmp_path / "m").iterdir()) == []


def test_command_line_and_saved_model_cli_run(exported: tuple[Path, Path], tmp_path: Path) -> None:
    run_dir, _ = exported
    assert main(["export", str(run_dir), "--out", str(tmp_path), "--name", "cli"]) == 0
    assert (
        main(["export", str(run_dir), "--out", str(tmp_path), "--name", "cli", "--serving-config"])
        == 0
    )
    assert (tmp_path / "cli" / "2").is_dir() and (tmp_path / "models.config").is_file()
    # README example (c): score strings from the command line
    ran = subprocess.run(
        [
            SAVED_MODEL_CLI,
            "run",
            "--dir",
            str(tmp_path / "cli" / "2"),
            "--tag_set",
            "serve",
            "--signature_def",
            "serving_default",
            "--input_exprs",
            "sequences=['ACGUacgun', 'GGGCCCAAATTT']",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from kerasbind.run import load_run

    run = load_run(run_dir)
    expected = predict_sequences(run.model, run.encoder, ["ACGUacgun", "GGGCCCAAATTT"])
    block = ran[ran.index("probability") :]
    printed = np.array([float(v) for v in block[block.index("[") + 1 : block.index("]")].split()])
    np.testing.assert_allclose(printed, expected, atol=1e-5)


def test_saved_model_cli_show(exported: tuple[Path, Path]) -> None:
    _, base = exported
    shown = subprocess.run(
        [SAVED_MODEL_CLI, "show", "--dir", str(base / "tiny" / "1"), "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serving = shown[shown.index("signature_def['serving_default']") :]
    assert "inputs['sequences']" in serving and "DT_STRING" in serving
    assert "signature_def['encoded']" in shown


def test_tf_data_pipeline_and_tfsm_layer(exported: tuple[Path, Path]) -> None:
    run_dir, base = exported
    from kerasbind.run import load_run

    run = load_run(run_dir)
    sequences = random_sequences(100, seed=11, longest=LENGTH + 9)
    expected = predict_sequences(run.model, run.encoder, sequences)
    path = str(base / "tiny" / "1")
    # README example (a): the signature inside a tf.data pipeline
    loaded = tf.saved_model.load(path)  # keep it: the signature needs its variables
    score = loaded.signatures["serving_default"]
    dataset = (
        tf.data.Dataset.from_tensor_slices(sequences)
        .batch(32)
        .map(lambda batch: score(sequences=batch)["probability"])
    )
    np.testing.assert_allclose(
        np.concatenate(list(dataset.as_numpy_iterator())), expected, atol=1e-5
    )
    # README example (b): TFSMLayer inside a new Keras model
    strings = keras.Input(shape=(), dtype="string", name="sequences")
    outputs = keras.layers.TFSMLayer(path, call_endpoint="serving_default")(strings)
    wrapper = keras.Model(strings, outputs["probability"])
    got = wrapper(tf.constant(sequences))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), expected, atol=1e-5)
