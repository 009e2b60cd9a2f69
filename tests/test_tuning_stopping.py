"""The efficient protocol: stopping rules, the grouped folds, the trial record, bad state."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kerasbind.cli import main
from kerasbind.errors import KerasbindError
from kerasbind.models import ARCHITECTURES, default_hyperparameters
from kerasbind.options import CVSettings, TuneOptions
from kerasbind.pipeline import fit_model, prepare_inputs
from kerasbind.prediction import predict_encoded
from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_binding
from kerasbind.training import train_steps
from kerasbind.tuning import stopping
from kerasbind.tuning.final import train_final
from kerasbind.tuning.grouped import FoldGroup
from kerasbind.tuning.search import tune
from kerasbind.tuning.tuner import check_folds, cv_metrics, fold_splits

TINY = CVSettings(folds=2, max_steps=60, eval_every=30, seed=1)


@pytest.fixture(scope="module")
def simulated():
    return simulate_binding(300, 100, ["MA0139.2"], length=60, seed=0)


GRID = [100 * i for i in range(1, 9)]  # eight checkpoints, as in the paper's protocol


def stop_reason(curve, recorded, checkpoints=GRID):
    return stopping.stop_reason(curve, recorded, checkpoints=checkpoints)


def test_did_not_learn_by_the_first_checkpoint() -> None:
    assert stop_reason({100: 0.55}, []) == 1
    assert stop_reason({100: 0.56}, []) is None
    assert stop_reason({100: 0.9, 200: 0.91}, []) is None
    assert stop_reason({100: 0.9, 200: 0.5, 300: 0.95}, []) is None
    # at a rung before the first checkpoint: only once it is behind the median too
    recorded = [{25: 0.7, 100: 0.8}, {25: 0.6, 100: 0.9}]
    assert stop_reason({25: 0.5}, []) is None
    assert stop_reason({25: 0.5}, recorded) == 1
    assert stop_reason({25: 0.56}, recorded) == 2
    assert stop_reason({25: 0.65}, recorded) is None


def test_behind_the_median_of_the_trials_that_reached_the_step() -> None:
    recorded = [{100: 0.80, 200: 0.90}, {100: 0.70, 200: 0.85}, {100: 0.60}]
    # at step 100 the median of 0.80, 0.70, 0.60 is 0.70
    assert stop_reason({100: 0.69}, recorded) == 2
    assert stop_reason({100: 0.70}, recorded) is None
    # at step 200 only two trials count (median 0.875); the best so far is what counts
    assert stop_reason({100: 0.88, 200: 0.86}, recorded) is None
    assert stop_reason({100: 0.80, 200: 0.86}, recorded) == 2
    # from the second trial on: one recorded trial is the median; none, no judgement
    assert stop_reason({100: 0.79}, recorded[:1]) == 2
    assert stop_reason({100: 0.61}, []) is None
    # at a rung: against the recorded trials' rungs (trials without rungs do not count)
    rungs = [{50: 0.75, 100: 0.8}, {50: 0.65, 100: 0.7}, {100: 0.99}]
    assert stop_reason({50: 0.69}, rungs) == 2
    assert stop_reason({50: 0.70}, rungs) is None


def test_no_longer_improving_is_judged_at_checkpoints() -> None:
    assert stop_reason({100: 0.7, 200: 0.8, 300: 0.79}, []) is None
    assert stop_reason({100: 0.7, 200: 0.8, 300: 0.79, 400: 0.78}, []) == 3
    four = [100, 200, 300, 400]
    assert stop_reason({100: 0.7, 200: 0.8, 300: 0.79}, [], four) == 3
    # rungs between checkpoints neither count as a checkpoint nor end a trial this way
    assert stop_reason({100: 0.8, 150: 0.7, 200: 0.79, 250: 0.6}, [], four) is None


def test_rungs_split_a_checkpoint_interval_into_equal_evaluations() -> None:
    assert stopping.rungs_per_checkpoint(5000) == 4  # the paper's protocol: every 1,250
    assert stopping.rungs_per_checkpoint(500) == 4  # the quick budget: every 125
    assert stopping.rungs_per_checkpoint(300) == 3
    assert stopping.rungs_per_checkpoint(250) == 2
    assert stopping.rungs_per_checkpoint(1001) == 1  # no equal split
    assert stopping.rungs_per_checkpoint(30) == 1  # rungs too short to pay for themselves


def test_cv_metrics_record_the_best_mean_and_where_the_trial_stopped() -> None:
    curves = {1: {50: 0.7, 100: 0.9, 150: 0.8}, 2: {50: 0.8, 100: 0.8, 150: 0.95}}
    metrics = cv_metrics(curves, seconds=1.0, stop_code=3, checkpoint_steps=[50, 100, 150])
    assert metrics["val_auc"] == pytest.approx(0.875)  # step 150: (0.8 + 0.95) / 2
    assert metrics["learning_steps"] == 150 and metrics["stopped_at"] == 150
    assert metrics["stop_code"] == 3 and metrics["auc_fold1_step100"] == 0.9
    # the rungs are recorded but learning steps are chosen at checkpoints only
    metrics = cv_metrics(curves, seconds=1.0, stop_code=2, checkpoint_steps=[100, 200])
    assert metrics["learning_steps"] == 100 and metrics["val_auc"] == pytest.approx(0.85)
    assert metrics["stopped_at"] == 150 and metrics["auc_fold2_step50"] == 0.8
    # stopped at a rung before the first checkpoint: a score, no learning steps
    metrics = cv_metrics(curves, seconds=1.0, stop_code=2, checkpoint_steps=[200])
    assert "learning_steps" not in metrics and metrics["val_auc"] == pytest.approx(0.875)


def test_grouped_folds_train_exactly_as_each_fold_alone(simulated) -> None:
    train, _ = simulated
    arch = ARCHITECTURES["deepbind"]
    hparams = default_hyperparameters(arch)
    prepared = prepare_inputs(arch, train)
    folds = fold_splits(prepared, 2, seed=0)
    seeds = [5, 9]
    group = FoldGroup(arch, hparams, prepared, seeds)
    train_steps(
        group.model, [f[0].x for f in folds], [f[0].y for f in folds],
        steps=25, eval_every=10, seed=seeds, progress=False,
    )  # fmt: skip
    assert int(group.model.optimizer.iterations.numpy()) == 25
    for member, (inputs, (x, *_)), seed in zip(group.members, folds, seeds, strict=True):
        alone, _ = fit_model(arch, hparams, inputs, steps=25, eval_every=10, seed=seed,
                             progress=False)  # fmt: skip
        np.testing.assert_allclose(predict_encoded(member, x), predict_encoded(alone, x),
                                   rtol=1e-4, atol=1e-6)  # fmt: skip


def test_final_models_train_together_exactly_as_each_alone(simulated) -> None:
    """The final models train as one grouped model; the kept one is the model `fit_model`
    trains with its seed, under the builder's name (the name an export carries)."""
    train, _ = simulated
    arch = ARCHITECTURES["deepbind"]
    hparams = default_hyperparameters(arch)
    prepared = prepare_inputs(arch, train)
    selection = train_final(arch, hparams, prepared, train, steps=30, n_models=3, seed=4)
    assert len(selection.scores) == 3 and selection.scores[selection.kept] == max(selection.scores)
    alone, history = fit_model(
        arch, hparams, prepared, steps=30, eval_every=30, seed=4 + selection.kept,
        validation=(prepared.x, prepared.y), progress=False,
    )  # fmt: skip
    assert selection.model.name == alone.name
    assert history.val_auc[-1] == pytest.approx(selection.scores[selection.kept], abs=1e-3)
    np.testing.assert_allclose(
        predict_encoded(selection.model, prepared.x), predict_encoded(alone, prepared.x), atol=1e-4
    )


def test_too_few_examples_per_class_for_the_folds() -> None:
    with pytest.raises(KerasbindError, match=r"t.tsv: 2 positive and 5 negative examples; "
                       r"--folds 3 needs at least 3 of each class"):  # fmt: skip
        check_folds(np.array([1, 1, 0, 0, 0, 0, 0]), 3, "t.tsv")


def test_cli_too_few_examples_is_one_line(simulated, tmp_path: Path, capsys) -> None:
    train, _ = simulated
    write_tsv(train.subset(np.array([0, 1, 150, 151, 152])), tmp_path / "small.tsv")
    code = main(["tune", "--arch", "deepbind", "--train", str(tmp_path / "small.tsv"),
                 "--folds", "3", "--out", str(tmp_path / "run"), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "--folds 3 needs at least 3 of each class" in err[0]


def test_damaged_state_is_one_line_not_a_traceback(simulated, tmp_path: Path) -> None:
    train, _ = simulated
    project = tmp_path / "run" / "tuner" / "trial_0"
    project.mkdir(parents=True)
    (project / "trial.json").write_text('{"trial_id": "0", "hyperpara')  # cut short
    with pytest.raises(KerasbindError, match=r"trial.json: the search's saved state is damaged"
                       r".*--overwrite"):  # fmt: skip
        tune(ARCHITECTURES["deepbind"], train, None, tmp_path / "run",
             options=TuneOptions(cv=TINY, trials=1, final_models=1, progress=False))  # fmt: skip


def test_trials_that_did_not_learn_are_replaced_and_recorded(simulated, tmp_path: Path) -> None:
    train, _ = simulated
    never = {"init": {"fixed": "normal"}, "conv_init_std": {"fixed": 1e-6},
             "dense_init_std": {"fixed": 1e-6}}  # fmt: skip
    from kerasbind.tuning.space import TABLE2

    space = {**TABLE2, **never}
    # one strand: with twice the examples an Adagrad trial of this space can still learn
    options = TuneOptions(cv=replace(TINY, strand="forward"), trials=2, final_models=1,
                          progress=False)  # fmt: skip
    summary = tune(ARCHITECTURES["deepbind"], train, None, tmp_path, space=space,
                   options=options)  # fmt: skip
    table = pd.read_csv(tmp_path / "trials.csv")
    assert len(table) == 4  # two trials, each replaced once
    assert set(table["stop_reason"]) == {"did not learn"} and set(table["stopped_at"]) == {30}
    assert summary["stopped"] == {"did not learn": 4}


def test_rungs_stop_trials_between_checkpoints(simulated, tmp_path: Path) -> None:
    """Efficient protocol with rungs: a trial that cannot learn is stopped at the first rung
    where it is behind the median, never chosen, and replaced."""
    train, _ = simulated
    space = {"learning_rate": {"choice": [0.01, 1e-7]},
             "weight_decay": {"log_uniform": [1e-10, 1e-9]}}  # fmt: skip
    cv = CVSettings(folds=2, max_steps=400, eval_every=200, seed=1)  # rungs every 100 steps
    options = TuneOptions(cv=cv, trials=4, final_models=1, progress=False)
    summary = tune(ARCHITECTURES["deepbind"], train, None, tmp_path, space=space,
                   options=options)  # fmt: skip
    table = pd.read_csv(tmp_path / "trials.csv")
    assert {"cv_auc_step100", "cv_auc_step300"} <= set(table.columns)
    at_rung = table[table["stopped_at"] < 200]
    assert len(at_rung) > 0, "no trial stopped at a rung"
    assert at_rung["learning_steps"].isna().all()
    reached = table[table["learning_steps"].notna()]
    best = reached.loc[reached["cv_auc"].idxmax()]
    assert str(summary["best"]["trial"]) == str(best["trial"]) and best["cv_auc"] > 0.55
    assert summary["best"]["learning_steps"] in (200, 400)


def test_exhaustive_trains_every_trial_to_max_steps(simulated, tmp_path: Path) -> None:
    train, _ = simulated
    cv = CVSettings(folds=2, max_steps=90, eval_every=30, seed=1, exhaustive=True)
    tune(ARCHITECTURES["deepbind"], train, None, tmp_path,
         options=TuneOptions(cv=cv, trials=3, final_models=1, progress=False))  # fmt: skip
    table = pd.read_csv(tmp_path / "trials.csv")
    assert set(table["stopped_at"]) == {90}
    assert set(table["stop_reason"]) == {"reached max steps"}
    assert json.loads((tmp_path / "search.json").read_text())["exhaustive"] is True


def test_hyperband_continues_from_the_previous_round(simulated, tmp_path: Path) -> None:
    train, _ = simulated
    cv = CVSettings(folds=2, max_steps=90, eval_every=30, seed=1)  # 3 checkpoints: 2 rounds
    options = TuneOptions(cv=cv, final_models=1, search="hyperband", progress=False)
    tune(ARCHITECTURES["deepbind"], train, None, tmp_path, options=options)
    table = pd.read_csv(tmp_path / "trials.csv", dtype={"trial_id": str}).set_index("trial_id")
    continued = {}
    for trial_id in table.index:
        state = json.loads((tmp_path / "tuner" / f"trial_{trial_id}" / "trial.json").read_text())
        previous = state["hyperparameters"]["values"].get("tuner/trial_id")
        if previous is not None:
            continued[trial_id] = previous
    assert continued, "no trial of the second round"
    for trial_id, previous in continued.items():
        # the first round's checkpoints are part of the continued trial's record
        assert table.loc[trial_id, "cv_auc_step30"] == pytest.approx(
            table.loc[previous, "cv_auc_step30"]
        )
        assert table.loc[trial_id, "stopped_at"] > 30
        assert (tmp_path / "tuner" / f"trial_{previous}" / "folds.npz").is_file()
