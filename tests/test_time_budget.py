"""The time budget (``--max-time``; the auto budget's 55 min): the search leaves time for the
final models, a trial stops at a checkpoint when they would no longer fit, and fewer final models
are trained where all would not. A fake clock stands in for the hour; the training is real."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from kerasbind.cli.tune import parse_duration
from kerasbind.models import ARCHITECTURES
from kerasbind.options import CVSettings, TuneOptions
from kerasbind.simulate import simulate_binding
from kerasbind.tuning import search as search_module
from kerasbind.tuning.progress import SearchProgress
from kerasbind.tuning.time_budget import TimeBudget, TrainingPace, TrialClock

TINY = CVSettings(folds=2, max_steps=60, eval_every=30, seed=1)


class FakeClock:
    """Reads ``now``, which a test sets."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_final_models_fit_the_time_left() -> None:
    clock = FakeClock()
    budget = TimeBudget(100.0, clock)
    pace = TrainingPace(seconds_per_step=0.01, steps=1000)  # 10 s a model
    assert budget.fits(pace, 3) and budget.final_models(pace, 3) == 3
    clock.now = 75.0  # 25 s left: two fit
    assert not budget.fits(pace, 3) and budget.final_models(pace, 3) == 2
    clock.now = 200.0  # past: still one
    assert budget.left() == -100.0 and budget.final_models(pace, 3) == 1
    assert not budget.fits(None, 1)


def test_a_trial_stops_for_the_final_models_of_the_better_of_it_and_the_best() -> None:
    clock = FakeClock()
    budget = TimeBudget(100.0, clock)
    slow = TrainingPace(seconds_per_step=1.0, steps=1000)  # 1,000 s a model
    behind = TrialClock(budget, (0.9, slow), final_models=3, folds=2)
    assert behind.out_of_time({30: 0.8})  # the best finished trial's final models do not fit
    ahead = TrialClock(budget, (0.7, slow), final_models=3, folds=2)
    assert not ahead.out_of_time({30: 0.8})  # its own (fast) final models fit
    clock.now = 101.0
    assert ahead.out_of_time({30: 0.8})


def test_durations_and_budget_defaults() -> None:
    assert parse_duration("1h30m") == 5400.0 and parse_duration("none") == 0.0
    assert TuneOptions.from_budget("auto").max_time == 55 * 60
    assert TuneOptions.from_budget("auto", max_time=0).max_time == 0
    assert TuneOptions.from_budget("standard").max_time is None


@pytest.fixture(scope="module")
def simulated():
    return simulate_binding(300, 200, ["MA0139.2"], length=60, seed=0)


def _clock_after(out: Path, event: str, monkeypatch) -> None:
    """The budget's clock jumps past any budget once the search's first trial has ``event``:
    ``started`` or ``completed``."""

    def now() -> float:
        status = [json.loads(t.read_text())["status"] for t in out.rglob("trial.json")]
        happened = "COMPLETED" in status if event == "completed" else bool(status)
        return 1e9 if happened else 0.0

    monkeypatch.setattr(search_module, "TimeBudget", lambda seconds: TimeBudget(seconds, now))


@pytest.mark.parametrize(
    ("event", "stop_reason"),
    [("completed", "reached max steps"), ("started", "out of time")],
)
def test_the_search_ends_in_time_for_fewer_final_models(
    simulated, tmp_path: Path, monkeypatch, capsys, event: str, stop_reason: str
) -> None:
    train, test = simulated
    _clock_after(tmp_path, event, monkeypatch)
    options = TuneOptions(cv=TINY, trials=3, final_models=3, select_by="ensemble", max_time=600)
    summary = search_module.tune(ARCHITECTURES["deepbind"], train, test, tmp_path, options=options)
    table = pd.read_csv(tmp_path / "trials.csv")
    assert len(table) == 1 and table.stop_reason[0] == stop_reason
    assert table.learning_steps[0] == (60 if event == "completed" else 30)
    assert len(summary["final"]["scores"]) == 1 and summary["test"]["auc_roc"] > 0.8
    err = capsys.readouterr().err
    assert "no new trial, to leave time for the final models" in err
    assert "(3 would not fit in the time budget)" in err


def test_no_time_budget_runs_every_trial(simulated, tmp_path: Path, monkeypatch) -> None:
    train, _ = simulated
    _clock_after(tmp_path, "completed", monkeypatch)
    options = TuneOptions(cv=TINY, trials=2, final_models=2, select_by="ensemble", max_time=0)
    summary = search_module.tune(ARCHITECTURES["deepbind"], train, None, tmp_path, options=options)
    assert len(pd.read_csv(tmp_path / "trials.csv")) == 2
    assert len(summary["final"]["scores"]) == 2


def test_progress_promises_no_more_than_the_budget_left() -> None:
    stream = io.StringIO()
    progress = SearchProgress(folds=2, max_steps=10**9, stream=stream)
    progress.trial_begin("0", 10, None)
    progress.checkpoint(30, 10**9, 0.8)
    assert "about 5 s left" not in stream.getvalue()  # ten trials of 10^9 steps: far longer
    progress.deadline = TimeBudget(5.0, FakeClock()).left
    progress.checkpoint(60, 10**9, 0.8)
    assert stream.getvalue().splitlines()[-1].endswith("about 5 s left")
