"""Run directories: save, load, identical predictions, merged configuration, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kerasbind.embedding import embedding_matrix, train_word2vec
from kerasbind.encoding import EncoderSpec, encode
from kerasbind.errors import KerasbindError
from kerasbind.models import (
    build_model,
    compile_model,
    default_hyperparameters,
    resolve_architecture,
)
from kerasbind.prediction import predict_encoded
from kerasbind.run import load_run, save_run
from kerasbind.training import train_steps


def random_sequences(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGTN"), length)) for _ in range(n)]


def test_saved_and_loaded_model_predicts_identically(tmp_path: Path) -> None:
    sequences = random_sequences(64, 40)
    arch = resolve_architecture("ecblstm")
    encoder = EncoderSpec("kmer", 40, k=3, stride=1, alphabet="RNA")
    word2vec = train_word2vec(sequences, seed=0)
    hparams = default_hyperparameters(arch)
    model = build_model(arch, hparams, encoder, embedding_matrix(word2vec, 3))
    compile_model(model, arch, hparams)
    x = encode(sequences, encoder)
    train_steps(model, x, np.arange(64) % 2, steps=2, eval_every=2, progress=False)
    config = {
        "architecture": arch.to_dict(),
        "hyperparameters": hparams,
        "encoder": encoder.to_dict(),
        "data": {"train": "x.fa"},
    }
    save_run(tmp_path / "run", model, config, word2vec)

    run = load_run(tmp_path / "run")
    assert run.architecture == arch and run.encoder == encoder and run.hparams.to_dict() == hparams
    assert (tmp_path / "run" / "word2vec.npy").is_file()
    assert not (tmp_path / "run" / "word2vec.model").exists()
    assert run.config["versions"]["keras"] and run.config["data"] == {"train": "x.fa"}
    np.testing.assert_allclose(predict_encoded(run.model, x), predict_encoded(model, x), atol=1e-6)
    assert not list((tmp_path / "run").glob(".*")), "temporary files left behind"


def _small_deepbind() -> tuple[Any, dict[str, Any]]:
    """An untrained, compiled DeepBind on 30-nt one-hot input and its run configuration."""
    arch = resolve_architecture("deepbind")
    encoder = EncoderSpec("onehot", 30)
    model = build_model(arch, default_hyperparameters(arch), encoder)
    compile_model(model, arch, default_hyperparameters(arch))
    config = {
        "architecture": arch.to_dict(),
        "hyperparameters": default_hyperparameters(arch),
        "encoder": encoder.to_dict(),
    }
    return model, config


def test_an_existing_run_is_replaced_only_when_asked_and_then_whole(tmp_path: Path) -> None:
    model, config = _small_deepbind()
    save_run(tmp_path / "run", model, config)
    (tmp_path / "run" / "roc.png").write_bytes(b"an old run's curve")
    with pytest.raises(KerasbindError, match=r"already exists and is not empty.*overwrite"):
        save_run(tmp_path / "run", model, config)
    save_run(
        tmp_path / "run", model, {**config, "metrics": {"validation_auc": 0.9}}, overwrite=True
    )
    saved = json.loads((tmp_path / "run" / "kerasbind.json").read_text())
    assert saved["metrics"]["validation_auc"] == 0.9
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["kerasbind.json", "model.keras"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"], "staging folders left behind"


def test_not_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(KerasbindError, match="not a kerasbind run directory"):
        load_run(tmp_path)
    (tmp_path / "model.keras").write_text("")
    (tmp_path / "kerasbind.json").write_text("{}")
    with pytest.raises(KerasbindError, match="incomplete"):
        load_run(tmp_path)


def test_leftovers_of_a_killed_save_are_removed(tmp_path: Path) -> None:
    """A save killed while writing leaves ``.model.keras.XXXX.keras`` or a staging folder; the
    next save of that run clears them."""
    model, config = _small_deepbind()
    save_run(tmp_path, model, config)
    tmp_path.joinpath(".model.keras.k1ll3d.keras").write_bytes(b"")
    run = load_run(tmp_path)
    run.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kerasbind.json", "model.keras"]


def test_a_failed_save_leaves_the_previous_run(tmp_path: Path) -> None:
    """When the model cannot be written (here: a full disk), the error names the file and the
    free space, and the run saved before is still there, whole."""
    model, config = _small_deepbind()
    save_run(tmp_path / "run", model, config)
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}

    class FullDisk:
        def save(self, path: Path) -> None:
            Path(path).write_bytes(b"half")
            raise OSError(28, "No space left on device", str(path))

    run = load_run(tmp_path / "run")
    run.model = FullDisk()
    with pytest.raises(KerasbindError, match=r"run/model.keras: .*No space left.*MiB free"):
        run.save(tmp_path / "run")
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()} == before
    with pytest.raises(KerasbindError, match=r"model.keras: .*No space left.*MiB free"):
        save_run(tmp_path / "run", FullDisk(), config, overwrite=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"], "staging folders left behind"
    load_run(tmp_path / "run")
