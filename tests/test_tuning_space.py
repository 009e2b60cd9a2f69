"""The Table 2 search space: which parameters each architecture searches, sampling, overrides."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from kerasbind.errors import KerasbindError
from kerasbind.models import ARCHITECTURES, default_hyperparameters
from kerasbind.options import CVSettings
from kerasbind.tuning import space as S
from kerasbind.tuning.tuner import make_oracle


def _raw_draws(arch_name: str, space: S.Space, n: int) -> list[dict]:
    """``n`` random trials' values, as the oracle samples them."""
    arch = ARCHITECTURES[arch_name]
    oracle = make_oracle(
        "random", S.tuner_hyperparameters(arch, space), trials=n, settings=CVSettings(seed=3)
    )
    return [oracle._random_values() for _ in range(n)]


def _draws(arch_name: str, space: S.Space, n: int) -> list[dict]:
    """The same draws as complete model hyper-parameters."""
    arch = ARCHITECTURES[arch_name]
    return [S.to_model(arch, space, values) for values in _raw_draws(arch_name, space, n)]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_only_used_parameters_are_searched(name: str) -> None:
    arch = ARCHITECTURES[name]
    names = {hp.name for hp in S.tuner_hyperparameters(arch, S.TABLE2).space}
    assert ("filters" in names) == (arch.conv_layers > 0)
    assert ("conv_init_std" in names) == (arch.conv_layers > 0)
    assert ("rnn_units" in names) == (arch.rnn is not None)
    assert ("rnn_init_std" in names) == (arch.rnn is not None)
    assert {"optimizer", "learning_rate", "momentum_u", "init", "dropout_keep"} <= names


def test_conditional_parameters_follow_their_parent() -> None:
    arch = ARCHITECTURES["danq"]
    for values in _raw_draws("danq", S.TABLE2, 60):
        hparams = S.to_model(arch, S.TABLE2, values)
        assert ("momentum_u" in values) == (hparams["optimizer"] == "sgd")
        assert "conv_init_std" in values  # conv_1 is N(0, conv_init_std) under either init
        assert ("rnn_init_std" in values) == (hparams["init"] == "normal")


def test_sampling_matches_table2() -> None:
    draws = _draws("deepbind", S.TABLE2, 400)
    rates = np.array([d["learning_rate"] for d in draws])
    assert rates.min() >= 1e-3 and rates.max() <= 1e-1
    # log-uniform over two decades: about half below 1e-2
    assert 0.4 < np.mean(rates < 1e-2) < 0.6
    momenta = np.array([d["momentum"] for d in draws if d["optimizer"] == "sgd"])
    assert momenta.min() >= 0.95 and momenta.max() <= 0.99
    # sqrt-uniform: 0.95 + 0.04 * sqrt(u) has mean 0.95 + 0.04 * 2/3
    assert abs(momenta.mean() - (0.95 + 0.04 * 2 / 3)) < 0.003
    assert {d["dropout_keep"] for d in draws} == {0.4, 0.55, 0.7, 0.85, 1.0}
    assert {d["dense_units"] for d in draws} == {0, 32, 64}
    decay = np.array([d["weight_decay"] for d in draws])
    assert decay.min() >= 1e-10 and decay.max() <= 1e-1


def test_sqrt_uniform_mapping_and_defaults() -> None:
    arch = ARCHITECTURES["deepbind"]
    low = S.to_model(arch, S.TABLE2, {"optimizer": "sgd", "momentum_u": 0.0})
    high = S.to_model(arch, S.TABLE2, {"optimizer": "sgd", "momentum_u": 1.0})
    mid = S.to_model(arch, S.TABLE2, {"optimizer": "sgd", "momentum_u": 0.25})
    assert math.isclose(low["momentum"], 0.95) and math.isclose(high["momentum"], 0.99)
    assert math.isclose(mid["momentum"], 0.97)
    # every declared default maps back to the models' defaults
    hp = S.tuner_hyperparameters(arch, S.TABLE2)
    defaults = {p.name: p.default for p in hp.space}
    assert S.to_model(arch, S.TABLE2, defaults) == pytest.approx(default_hyperparameters(arch))


def test_first_trial_is_the_defaults() -> None:
    arch = ARCHITECTURES["ecblstm"]
    oracle = make_oracle(
        "random", S.tuner_hyperparameters(arch, S.TABLE2), trials=3, settings=CVSettings()
    )
    first = oracle.populate_space("0")["values"]
    assert S.to_model(arch, S.TABLE2, first) == default_hyperparameters(arch)


def test_space_file_overrides_table2(tmp_path) -> None:
    path = tmp_path / "space.json"
    path.write_text(
        json.dumps({"optimizer": {"fixed": "sgd"}, "learning_rate": {"log_uniform": [0.01, 0.1]}})
    )
    space = S.load_space(path)
    assert space["filters"] == S.TABLE2["filters"]
    draws = _draws("deepbind", space, 30)
    assert {d["optimizer"] for d in draws} == {"sgd"}
    assert min(d["learning_rate"] for d in draws) >= 0.01


@pytest.mark.parametrize(
    "content, problem",
    [
        ({"filterz": {"choice": [8]}}, "unknown hyper-parameter 'filterz'"),
        ({"filters": [16, 32]}, "needs one rule"),
        ({"learning_rate": {"log_uniform": [0, 1]}}, "low > 0"),
        ({"filters": {"choice": []}}, "non-empty list"),
    ],
)
def test_bad_space_files_are_refused(tmp_path, content, problem) -> None:
    path = tmp_path / "space.json"
    path.write_text(json.dumps(content))
    with pytest.raises(KerasbindError, match=problem):
        S.load_space(path)


def test_pooling_is_searched_for_convolution_only_models() -> None:
    """Standard's first trials try both poolings where the architecture pools (deepbind);
    for a recurrent one, entries that differ only in pooling are one trial, not two."""
    from kerasbind.tuning.auto import tuner_first_trials
    from kerasbind.tuning.priors import STANDARD_SPACE

    assert "pooling" in S.used_keys(ARCHITECTURES["dilated"])
    assert "pooling" not in S.used_keys(ARCHITECTURES["danq"])
    deepbind = tuner_first_trials([ARCHITECTURES["deepbind"]], STANDARD_SPACE, auto=False)
    assert [t["pooling"] for t in deepbind] == ["global", "positional", "global"]
    assert [t["filters"] for t in deepbind] == [128, 128, 16]
    # the 128-filter entries name deepbind: other architectures start from their defaults
    ecblstm = tuner_first_trials([ARCHITECTURES["ecblstm"]], STANDARD_SPACE, auto=False)
    assert len(ecblstm) == 1 and "pooling" not in ecblstm[0] and ecblstm[0]["filters"] == 16


def test_standard_widens_filters_for_deepbind_alone() -> None:
    """The study's wider filters choice is deepbind's; the rest keep Table 2's {16, 32}, in a
    single-architecture search and under --arch auto (one conditional rule per group)."""
    from kerasbind.tuning.priors import AUTO_SPACE, STANDARD_SPACE

    wide, narrow = [16, 32, 64, 128], [16, 32]
    for name in ARCHITECTURES:
        rule = S.space_for(ARCHITECTURES[name], STANDARD_SPACE).get("filters")
        expected = None if name == "kegru" else {"choice": wide if name == "deepbind" else narrow}
        assert rule == expected, name
    assert {d["filters"] for d in _draws("deepbind", STANDARD_SPACE, 80)} == set(wide)
    assert {d["filters"] for d in _draws("dilated", STANDARD_SPACE, 80)} == set(narrow)

    archs = list(ARCHITECTURES.values())
    hps = S.tuner_hyperparameters(archs, AUTO_SPACE)
    assert [hp.name for hp in hps.space if hp.name.startswith("filters")] == [
        "filters",
        "filters@deepbind",
    ]
    oracle = make_oracle("random", hps, trials=400, settings=CVSettings(seed=3))
    seen: dict[str, set] = {}
    for _ in range(400):
        values = oracle._random_values()
        arch = ARCHITECTURES[values["architecture"]]
        hparams = S.to_model(arch, AUTO_SPACE, values)
        seen.setdefault(arch.name, set()).add(hparams["filters"])
    assert seen["deepbind"] == set(wide)
    assert all(seen[name] == set(narrow) for name in seen if name not in ("deepbind", "kegru"))
    # auto's first trials: deepbind with 128 filters (both poolings), the others their defaults
    from kerasbind.tuning.auto import tuner_first_trials

    first = tuner_first_trials(archs, AUTO_SPACE, auto=True)
    oracle = make_oracle("random", hps, trials=20, settings=CVSettings(seed=3), first_trials=first)
    oracle.trials = {}
    models = []
    for number in range(len(first)):
        values = oracle.populate_space(str(number))["values"]
        oracle.trials[str(number)] = None  # counted as made
        arch = ARCHITECTURES[values["architecture"]]
        models.append((arch.name, S.to_model(arch, AUTO_SPACE, values)))
    assert [(name, m["filters"]) for name, m in models[:3]] == [
        ("deepbind", 128),
        ("deepbind", 128),
        ("deepbind_star", 16),
    ]
    assert [m["pooling"] for _, m in models[:2]] == ["global", "positional"]


def test_a_space_file_rule_replaces_the_budgets_for_every_architecture() -> None:
    from kerasbind.options import TuneOptions

    narrow = TuneOptions.from_budget(space={"filters": {"choice": [16, 32]}}).space
    assert "per_architecture" not in narrow or not narrow["per_architecture"]
    assert S.space_for(ARCHITECTURES["deepbind"], narrow)["filters"] == {"choice": [16, 32]}
    # first trials keep a value only where the new rule can give it
    assert narrow["first_trials"] == [
        {"architecture": "deepbind"},
        {"architecture": "deepbind", "pooling": "positional"},
        {},
    ]
    wider = TuneOptions.from_budget(space={"filters": {"choice": [16, 128, 256]}}).space
    assert wider["first_trials"][0] == {"architecture": "deepbind", "filters": 128}
    mine = {"per_architecture": {"dilated": {"filters": {"choice": [64]}}}}
    both = TuneOptions.from_budget(space=mine).space
    assert both["per_architecture"] == mine["per_architecture"]  # replaced whole
    assert S.space_for(ARCHITECTURES["deepbind"], both)["filters"] == {"choice": [16, 32]}


@pytest.mark.parametrize(
    "content, problem",
    [
        ({"per_architecture": []}, "per_architecture: expected an object"),
        ({"per_architecture": {"deepbond": {}}}, "unknown architecture 'deepbond'"),
        ({"per_architecture": {"danq": {"filters": [8]}}}, "danq: filters needs one rule"),
        (
            {"per_architecture": {"danq": {"momentum": {"fixed": 0.9}}}},
            "momentum depends on optimizer",
        ),
    ],
)
def test_bad_per_architecture_rules_are_refused(tmp_path, content, problem) -> None:
    path = tmp_path / "space.json"
    path.write_text(json.dumps(content))
    with pytest.raises(KerasbindError, match=problem):
        S.load_space(path)


def test_run_folders_from_before_pooling_read_as_global() -> None:
    from kerasbind.hyperparameters import HyperParameters

    old = {k: v for k, v in default_hyperparameters(ARCHITECTURES["deepbind"]).items()}
    del old["pooling"]
    assert HyperParameters.from_dict(old).pooling == "global"
    with pytest.raises(KerasbindError, match="pooling must be one of global, positional"):
        HyperParameters.from_dict({**old, "pooling": "mean"})
