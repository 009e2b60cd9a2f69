"""Final models kept as an ensemble: several models of one architecture merged into one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import kerasbind as kb
from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.models import build_model, default_hyperparameters, resolve_architecture
from kerasbind.models.merge import can_merge, merge_models, merged_hyperparameters
from kerasbind.options import BUDGETS, TuneOptions
from kerasbind.runtime import set_seed
from kerasbind.simulate import simulate_binding


def _logits(model: Any, x: np.ndarray) -> np.ndarray:
    """The ``logit`` layer's output (random weights saturate the probability)."""
    logit = keras.Model(model.input, model.get_layer("logit").output)
    return logit.predict(x, verbose=0).ravel().astype(np.float64)


MERGED_CASES = [
    ("deepbind", {}, 32, "global"),
    ("deepbind_star", {}, 0, "global"),
    ("deepbind", {}, 32, "positional"),
    ("dilated", {}, 0, "positional"),
    ("danq", {}, 32, "global"),
    ("danq_star", {}, 0, "global"),
    ("deepbind_e_star", {}, 32, "positional"),
    ("kegru", {}, 0, "global"),
    ("eclstm", {}, 32, "global"),
    ("ecblstm", {}, 0, "global"),
    # free compositions: stacked recurrent layers (sequences between them), a GRU after one-hot
    ("ecblstm", {"rnn_layers": 2}, 32, "global"),
    ("danq", {"rnn": "gru", "rnn_layers": 2}, 0, "global"),
]


def _random_members(arch: Any, hparams: dict[str, Any], encoder: EncoderSpec) -> list[Any]:
    """Members from different seeds, every weight redrawn so that a misplaced block shows
    (biases are zero and recurrent kernels orthogonal-looking after init)."""
    members = []
    for seed in range(3):
        set_seed(seed)
        member = build_model(arch, hparams, encoder)
        rng = np.random.default_rng(seed)
        for layer in member.layers:
            if layer.weights:
                layer.set_weights([rng.normal(0, 0.3, w.shape) for w in layer.get_weights()])
        members.append(member)
    return members


@pytest.mark.parametrize(("name", "changes", "dense_units", "pooling"), MERGED_CASES)
def test_merged_model_averages_the_members_logits(
    name: str, changes: dict[str, Any], dense_units: int, pooling: str
) -> None:
    """Random members (no training needed: the identity is exact for any weights)."""
    arch = resolve_architecture(name, **changes)
    encoder = EncoderSpec("kmer" if arch.embedding else "onehot", 101)
    hparams = {
        **default_hyperparameters(arch),
        "filters": 16,
        "rnn_units": 8,
        "dense_units": dense_units,
        "pooling": pooling,
        "embedding_dim": 6,
    }
    members = _random_members(arch, hparams, encoder)
    merged = merge_models(members, arch, hparams, encoder)
    codes = np.random.default_rng(0).integers(0, 5, size=(64, 101)).astype(np.uint8)
    x = encode_codes(codes, encoder)
    expected = np.mean([_logits(m, x) for m in members], axis=0)
    assert np.std(expected) > 0.01  # the members' outputs vary: the comparison means something
    np.testing.assert_allclose(_logits(merged, x), expected, rtol=1e-4, atol=1e-3)
    scaled = merged_hyperparameters(arch, hparams, 3)
    assert merged.count_params() == build_model(arch, scaled, encoder).count_params()
    if arch.conv_layers:
        assert merged.get_layer("conv_1").filters == 48


def test_what_merges() -> None:
    hp = {"filters": 16, "dense_units": 32, "rnn_units": 50, "embedding_dim": 50}
    assert can_merge(resolve_architecture("deepbind"), hp, 3)
    assert can_merge(resolve_architecture("ecblstm"), hp, 3)
    assert can_merge(resolve_architecture("kegru"), {"filters": 3}, 3)  # no convolution
    assert not can_merge(resolve_architecture("deepbind_star"), {"filters": 3}, 3)  # 6·3 ≠ 20
    deepbind, ecblstm = resolve_architecture("deepbind"), resolve_architecture("ecblstm")
    assert merged_hyperparameters(deepbind, hp, 3) == {**hp, "filters": 48, "dense_units": 96}
    assert merged_hyperparameters(ecblstm, hp, 3) == {
        "filters": 48, "dense_units": 96, "rnn_units": 150, "embedding_dim": 150
    }  # fmt: skip
    # what tune says it trains: one model where an ensemble cannot merge, else the number asked
    from kerasbind.tuning.final import final_model_count

    assert final_model_count(deepbind, hp, 3, "ensemble") == 3
    assert final_model_count(ecblstm, hp, 3, "ensemble") == 3
    assert (
        final_model_count(resolve_architecture("deepbind_star"), {"filters": 3}, 3, "ensemble") == 1
    )
    assert final_model_count(ecblstm, hp, 3, "training") == 3


def test_standard_budget_keeps_its_final_models_as_an_ensemble() -> None:
    options = TuneOptions.from_budget()
    assert (options.final_models, options.select_by) == (3, "ensemble")
    assert TuneOptions.from_budget("paper").select_by == "training"  # the paper's rule
    assert TuneOptions.from_budget(select_by="validation").select_by == "validation"
    assert BUDGETS["standard"]["final_models"] == 3


def _tuned_ensemble(
    arch: str, folder: Path, *, n_train: int, n_test: int, length: int, steps: int
) -> tuple[Any, dict[str, Any], Any]:
    """One trial tuned with ``select_by="ensemble"`` on a planted CTCF motif: the run, the best
    member's hyper-parameters and the run loaded back from ``folder`` (checked to predict the
    same)."""
    train, test = simulate_binding(n_train, n_test, ["MA0139.2"], length=length, seed=0)
    run = kb.tune(
        arch, train, test=test, budget="quick", trials=1, folds=2, max_steps=steps,
        eval_every=min(steps, 100), final_models=3, select_by="ensemble", out=folder,
        progress=False, seed=1,
    )  # fmt: skip
    assert run.config["tuning"]["final"]["ensemble"] == 3
    best = json.loads((folder / "best_hyperparameters.json").read_text())["hyperparameters"]
    loaded = kb.load_run(folder)
    np.testing.assert_allclose(loaded.predict(test), run.predict(test), atol=1e-5)
    return run, best, loaded


def test_a_tuned_ensemble_is_an_ordinary_run(tmp_path: Path) -> None:
    """Tuned with ``select_by="ensemble"``: the run folder holds one deepbind of 3 × the
    filters, which loads, predicts as saved and learned the planted motif."""
    run, best, loaded = _tuned_ensemble(
        "deepbind", tmp_path / "run", n_train=400, n_test=200, length=60, steps=200
    )
    assert run.config["tuning"]["final"]["select_by"] == "ensemble"
    assert loaded.hparams.filters == 3 * best["filters"]
    assert loaded.hparams.dense_units == 3 * best["dense_units"]
    assert loaded.metrics["test"]["auc_roc"] > 0.8


def test_a_tuned_recurrent_ensemble_is_an_ordinary_run(tmp_path: Path) -> None:
    """ECLSTM (k-mer embedding, convolution, LSTM) tuned with ``select_by="ensemble"``: the run
    holds one ECLSTM of 3 × the units and embedding width, which loads and predicts as saved."""
    _, best, loaded = _tuned_ensemble(
        "eclstm", tmp_path / "run", n_train=300, n_test=100, length=50, steps=50
    )
    assert loaded.hparams.rnn_units == 3 * best["rnn_units"]
    assert loaded.hparams.embedding_dim == 3 * 50
