"""What would a time budget have changed? (issue 24: `auto` within the hour)

Replays each recorded search of a comparison (``OUT/runs/*/*/auto/``: ``trials.csv``'s CV AUCs
at the checkpoints and seconds, ``kerasbind.json``'s chosen trial; no test AUC is read) under
`kerasbind.tuning.time_budget`'s rules, with a clock that advances by the recorded seconds: a
trial starts only while the final models of the best trial so far fit in the time left, a trial
stops at a checkpoint once they no longer fit, and fewer final models are trained where all
would not. Trials run one after another and each is scored on the same folds whatever follows
it, so the budgeted search is the recorded one cut short (to ``--trials N``, default 10, the
``auto`` budget's, as `study_draws` cuts it); after a cut no trial starts. The
time before the search (reading, encoding, word2vec) is not in ``trials.csv``: ``--before``
seconds stand for it (default 120). The final models' time is the pace estimate the budget
uses (an upper bound: they train as one grouped model)::

    python benchmarks/study_time_budget.py benchmarks/published_comparison [--minutes 55]
        [--trials 10] [--before 120]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
from study_arguments import study_arguments
from study_draws import pop_option, trials_run

from kerasbind.tuning.stopping import chosen_step
from kerasbind.tuning.time_budget import TimeBudget, TrainingPace, TrialClock

FINAL_MODELS, FOLDS, EVAL_EVERY = 3, 2, 2000  # the auto budget's


class ReplayClock:
    """The replay's clock: seconds the test sets."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def checkpoint_curve(row: pd.Series) -> dict[int, float]:
    """A trial's CV AUC at the checkpoints it reached."""
    curve = {}
    for name, value in row.items():
        match = re.fullmatch(r"cv_auc_step(\d+)", str(name))
        if match and int(match[1]) % EVAL_EVERY == 0 and pd.notna(value):
            curve[int(match[1])] = float(value)
    return curve


def replay(folder: Path, seconds: float, before: float, budgeted_trials: int) -> dict:
    """One cell's search of ``budgeted_trials`` under a time budget of ``seconds``."""
    trials = pd.read_csv(folder / "trials.csv")
    trials = trials.iloc[: trials_run(trials, budgeted_trials)]
    chosen = int(json.loads((folder / "kerasbind.json").read_text())["tuning"]["trial"])
    clock = ReplayClock(0.0)
    budget = TimeBudget(seconds, clock)
    clock.now = before
    best: tuple[float, TrainingPace, int] | None = None  # CV AUC, pace, trial
    run = cut = 0
    for row in trials.itertuples(index=False):
        pace = best[1] if best else None
        if not budget.fits(pace, FINAL_MODELS):
            break
        run += 1
        trial = pd.Series(row._asdict())
        curve = checkpoint_curve(trial)
        trial_clock = TrialClock(
            budget, best[:2] if best else None, FINAL_MODELS, FOLDS, timer=clock
        )
        started, stop = clock.now, trial.stopped_at
        for step in sorted(curve):
            clock.now = started + trial.seconds * step / trial.stopped_at
            reached = {s: auc for s, auc in curve.items() if s <= step}
            if step < trial.stopped_at and trial_clock.out_of_time(reached):
                stop, cut = step, cut + 1
                break
        clock.now = started + trial.seconds * stop / trial.stopped_at
        reached = {s: auc for s, auc in curve.items() if s <= stop}
        if reached:
            steps = chosen_step(reached)
            if best is None or reached[steps] > best[0]:
                pace = TrainingPace.of_trial(trial.seconds, trial.stopped_at, FOLDS, steps)
                best = (reached[steps], pace, int(trial.trial))
        if cut:
            break
    finals = budget.final_models(best[1], FINAL_MODELS)
    recorded = trials[trials.trial == chosen].iloc[0]
    return {
        "cell": folder.parts[-2][:40],
        "trials": f"{run} of {len(trials)}",
        "cut": cut,
        "chosen": best[2],
        "cv_auc": best[0],
        "recorded_chosen": chosen,
        "recorded_cv_auc": float(recorded.cv_auc),
        "final_models": finals,
        "minutes": (clock.now + best[1].seconds(finals)) / 60,
    }


def summary(rows: pd.DataFrame, minutes: float) -> str:
    """A Markdown table per cell, then the counts."""
    lines = [
        f"| cell | trials run at {minutes:g} min | cut | chosen | CV AUC | recorded choice |"
        " recorded CV AUC | final models | planned minutes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows.itertuples():
        lines.append(
            f"| {r.cell} | {r.trials} | {r.cut} | {r.chosen} | {r.cv_auc:.4f} |"
            f" {r.recorded_chosen} | {r.recorded_cv_auc:.4f} | {r.final_models} |"
            f" {r.minutes:.1f} |"
        )
    same = int((rows.chosen == rows.recorded_chosen).sum())
    fewer = int((rows.final_models < FINAL_MODELS).sum())
    lines.append(
        f"\n{len(rows)} cells at {minutes:g} min: the same trial chosen in {same}; CV AUC lost "
        f"{(rows.recorded_cv_auc - rows.cv_auc).max():.4f} at most; fewer than {FINAL_MODELS} "
        f"final models in {fewer}; a trial cut in {int((rows.cut > 0).sum())}; planned minutes "
        f"at most {rows.minutes.max():.1f}"
    )
    return "\n".join(lines)


def main() -> None:
    arguments = study_arguments(__doc__, {"--minutes", "--before", "--trials"})
    numbers = [
        pop_option(arguments, name, default)
        for name, default in (("--minutes", "55"), ("--before", "120"), ("--trials", "10"))
    ]
    if not all(re.fullmatch(r"\d+(\.\d+)?", n) for n in numbers):
        print(f"{sys.argv[0]}: --minutes, --before, --trials take numbers", file=sys.stderr)
        sys.exit(2)
    minutes, before, budgeted = (float(n) for n in numbers)
    folders = sorted(p.parent for p in Path(arguments[0]).glob("runs/*/*/auto/trials.csv"))
    if not folders:
        print(f"{arguments[0]}: no auto cell with a trials.csv under runs/", file=sys.stderr)
        sys.exit(2)
    rows = pd.DataFrame([replay(folder, minutes * 60, before, int(budgeted)) for folder in folders])
    print(summary(rows, minutes))


if __name__ == "__main__":
    main()
