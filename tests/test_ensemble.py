"""Final models kept as an ensemble: several convolutional models merged into one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kerasbind as kb
from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.models import build_model, default_hyperparameters, resolve_architecture
from kerasbind.models.merge import can_merge, merge_models, merged_hyperparameters
from kerasbind.options import BUDGETS, TuneOptions
from kerasbind.runtime import set_seed
from kerasbind.simulate import simulate_binding


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


@pytest.mark.parametrize(
    ("name", "dense_units", "pooling"),
    [
        ("deepbind", 32, "global"),
        ("deepbind_star", 0, "global"),
        ("deepbind", 32, "positional"),
        ("dilated", 0, "positional"),
    ],
)
def test_merged_model_averages_the_members_logits(
    name: str, dense_units: int, pooling: str
) -> None:
    """Random members (no training needed: the identity is exact for any weights)."""
    arch = resolve_architecture(name)
    encoder = EncoderSpec("onehot", 101)
    hparams = {"filters": 16, "dense_units": dense_units, "pooling": pooling}
    members = []
    for seed in range(3):
        set_seed(seed)
        member = build_model(arch, hparams, encoder)
        # non-zero biases so that a misplaced block would show
        for layer in member.layers:
            if layer.weights:
                kernel, bias = layer.get_weights()
                layer.set_weights([kernel, np.random.default_rng(seed).normal(0, 0.1, bias.shape)])
        members.append(member)
    merged = merge_models(members, arch, {**default_hyperparameters(arch), **hparams}, encoder)
    codes = np.random.default_rng(0).integers(0, 4, size=(64, 101)).astype(np.uint8)
    x = encode_codes(codes, encoder)
    expected = np.mean([_logit(m.predict(x, verbose=0).ravel()) for m in members], axis=0)
    got = _logit(merged.predict(x, verbose=0).ravel())
    np.testing.assert_allclose(got, expected, atol=1e-3)
    assert merged.get_layer("conv_1").filters == 48


def test_what_merges() -> None:
    hp = {"filters": 16, "dense_units": 32}
    assert can_merge(resolve_architecture("deepbind"), hp, 3)
    assert can_merge(resolve_architecture("dilated"), hp, 3)
    assert not can_merge(resolve_architecture("deepbind_e_star"), hp, 3)  # k-mer embedding
    assert not can_merge(resolve_architecture("danq"), hp, 3)  # recurrent
    assert not can_merge(resolve_architecture("deepbind_star"), {"filters": 3}, 3)  # 6·3 ≠ 20
    assert merged_hyperparameters(hp, 3) == {"filters": 48, "dense_units": 96}
    # what tune says it trains: one model where an ensemble cannot merge, else the number asked
    from kerasbind.tuning.final import final_model_count

    assert final_model_count(resolve_architecture("deepbind"), hp, 3, "ensemble") == 3
    assert final_model_count(resolve_architecture("eclstm"), hp, 3, "ensemble") == 1
    assert final_model_count(resolve_architecture("eclstm"), hp, 3, "training") == 3


def test_standard_budget_keeps_its_final_models_as_an_ensemble() -> None:
    options = TuneOptions.from_budget()
    assert (options.final_models, options.select_by) == (3, "ensemble")
    assert TuneOptions.from_budget("paper").select_by == "training"  # the paper's rule
    assert TuneOptions.from_budget(select_by="validation").select_by == "validation"
    assert BUDGETS["standard"]["final_models"] == 3


def test_a_tuned_ensemble_is_an_ordinary_run(tmp_path: Path) -> None:
    """Tuned with ``select_by="ensemble"``: the run folder holds one deepbind of 3 × the
    filters, which loads, predicts as saved and learned the planted motif."""
    train, test = simulate_binding(400, 200, ["MA0139.2"], length=60, seed=0)
    run = kb.tune(
        "deepbind", train, test=test, budget="quick", trials=1, folds=2, max_steps=200,
        eval_every=100, final_models=3, select_by="ensemble", out=tmp_path / "run",
        progress=False, seed=1,
    )  # fmt: skip
    final = run.config["tuning"]["final"]
    assert (final["select_by"], final["ensemble"]) == ("ensemble", 3)
    best = json.loads((tmp_path / "run" / "best_hyperparameters.json").read_text())
    loaded = kb.load_run(tmp_path / "run")
    assert loaded.hparams.filters == 3 * best["hyperparameters"]["filters"]
    assert loaded.hparams.dense_units == 3 * best["hyperparameters"]["dense_units"]
    np.testing.assert_allclose(loaded.predict(test), run.predict(test), atol=1e-5)
    assert loaded.metrics["test"]["auc_roc"] > 0.8
