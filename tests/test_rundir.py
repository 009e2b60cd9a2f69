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
from kerasbind.files import update_json
from kerasbind.models import (
    build_model,
    compile_model,
    default_hyperparameters,
    resolve_architecture,
)
from kerasbind.prediction import predict_encoded
from kerasbind.rundir import load_run, save_run
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
    assert (tmp_path / "run" / "word2vec.model").is_file()
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


def test_save_merges_keys_others_added(tmp_path: Path) -> None:
    model, config = _small_deepbind()
    save_run(tmp_path, model, config)
    update_json(tmp_path / "kerasbind.json", {"export": {"base": "models/x"}})
    save_run(tmp_path, model, {**config, "metrics": {"test": {"auc_roc": 0.9}}})
    saved = json.loads((tmp_path / "kerasbind.json").read_text())
    assert saved["export"] == {"base": "models/x"} and saved["metrics"]["test"]["auc_roc"] == 0.9


def test_not_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(KerasbindError, match="not a kerasbind run directory"):
        load_run(tmp_path)
    (tmp_path / "model.keras").write_text("")
    (tmp_path / "kerasbind.json").write_text("{}")
    with pytest.raises(KerasbindError, match="incomplete"):
        load_run(tmp_path)


def test_leftovers_of_a_killed_save_are_removed(tmp_path: Path) -> None:
    """A train killed while writing leaves ``.model.keras.XXXX.keras``; the next save clears it."""
    model, config = _small_deepbind()
    tmp_path.joinpath(".model.keras.k1ll3d.keras").write_bytes(b"")
    tmp_path.joinpath(".word2vec.model.k1ll3d.model").write_bytes(b"")
    save_run(tmp_path, model, config)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kerasbind.json", "model.keras"]


def test_a_failed_save_is_not_taken_for_a_run(tmp_path: Path) -> None:
    """When the model cannot be written (here: a full disk), the folder stops being a run
    directory instead of pairing the earlier description with whatever is left."""
    model, config = _small_deepbind()
    save_run(tmp_path, model, config)

    class FullDisk:
        def save(self, path: Path) -> None:
            Path(path).write_bytes(b"half")
            raise OSError(28, "No space left on device", str(path))

    with pytest.raises(OSError, match="No space left"):
        save_run(tmp_path, FullDisk(), config)
    assert not (tmp_path / "kerasbind.json").exists()
    assert not list(tmp_path.glob(".*")), "temporary files left behind"
    with pytest.raises(KerasbindError, match="not a kerasbind run directory"):
        load_run(tmp_path)
