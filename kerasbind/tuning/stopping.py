"""When a trial stops before ``max_steps``: the efficient protocol (``--exhaustive`` never stops
one, as in the paper).

At each checkpoint but the last, a trial's cross-validated AUC (the mean over its folds, which
train together) is compared with the trials the oracle has already recorded at the same step:

- **did not learn**: at its first checkpoint the CV AUC is at most `NOT_LEARNED_AUC`. Such a
  trial does not count against ``--trials`` (the oracle draws another; see `tuner`).
- **behind the median**: its best CV AUC so far is below the median of the best-so-far CV AUCs
  of the recorded trials that trained to this step (median stopping, as in Google Vizier,
  Golovin et al. 2017), once at least `MIN_RECORDED` of them did. Trials stopped earlier do not
  count at later steps, so a trial must keep up with the survivors (successive halving).
- **no longer improving**: its CV AUC has not improved for `patience` checkpoints, a quarter of
  the protocol's checkpoints (at least one): 2 of the paper's 8, 1 of 4.

A stopped trial keeps its record; its score is still its best CV AUC over the checkpoints it
reached, and the trials that go on keep training the same models (nothing is retrained).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

NOT_LEARNED_AUC = 0.55
MIN_RECORDED = 2

# the ``stop_code`` metric of a trial, as text in trials.csv
STOP_REASONS = {
    0: "reached max steps",
    1: "did not learn",
    2: "behind the median",
    3: "no longer improving",
}
DID_NOT_LEARN = 1

_FOLD_METRIC = re.compile(r"auc_fold(\d+)_step(\d+)")


def fold_curves(trial: Any) -> dict[int, dict[int, float]]:
    """``{fold: {step: auc}}`` from a trial's ``auc_fold<f>_step<s>`` metrics."""
    curves: dict[int, dict[int, float]] = {}
    for name in trial.metrics.metrics:
        match = _FOLD_METRIC.fullmatch(name)
        if match:
            fold, step = int(match[1]), int(match[2])
            curves.setdefault(fold, {})[step] = trial.metrics.get_last_value(name)
    return curves


def cv_curve(curves: dict[int, dict[int, float]]) -> dict[int, float]:
    """``{step: mean AUC over folds}`` at the steps every fold reached."""
    steps = set.intersection(*(set(curve) for curve in curves.values())) if curves else set()
    return {step: float(np.mean([c[step] for c in curves.values()])) for step in sorted(steps)}


def best_so_far(curve: dict[int, float], step: int) -> float:
    """The best CV AUC at or before ``step``."""
    return max(auc for s, auc in curve.items() if s <= step)


def patience(checkpoints: int) -> int:
    """Checkpoints without improvement before a trial stops: a quarter of them, at least one."""
    return max(1, checkpoints // 4)


def stop_reason(
    curve: dict[int, float], recorded: list[dict[int, float]], *, first: bool, checkpoints: int
) -> int | None:
    """The code (`STOP_REASONS`) that stops a trial whose CV AUC so far is ``curve``, given the
    recorded trials' CV curves; None to go on. ``first``: this is the trial's first checkpoint;
    ``checkpoints``: how many the protocol has."""
    step = max(curve)
    if first and curve[step] <= NOT_LEARNED_AUC:
        return DID_NOT_LEARN
    reference = [best_so_far(other, step) for other in recorded if step in other]
    if len(reference) >= MIN_RECORDED and best_so_far(curve, step) < float(np.median(reference)):
        return 2
    aucs = list(curve.values())
    if len(aucs) - 1 - int(np.argmax(aucs)) >= patience(checkpoints):
        return 3
    return None
