"""When a trial stops before ``max_steps``: the efficient protocol (``--exhaustive`` never stops
one, as in the paper).

A trial's cross-validated AUC (the mean over its folds, which train together) is measured at the
protocol's checkpoints, where its learning steps are chosen, and, in the efficient protocol, also
at *rungs* between them (`rungs_per_checkpoint`): evaluations that only decide whether it goes on.
At each evaluation but the last, the trial is compared with the trials the oracle has already
recorded at the same step:

- **did not learn**: by its first checkpoint its CV AUC never rose above `NOT_LEARNED_AUC`, and
  it is either at that checkpoint or already behind the median (below). Such a trial does not
  count against ``--trials`` (the oracle draws another; see `tuner`).
- **behind the median**: its best CV AUC so far is below the median of the best-so-far CV AUCs
  of the recorded trials that trained to this step (median stopping, as in Google Vizier,
  Golovin et al. 2017), once at least `MIN_RECORDED` of them did. Trials stopped earlier do not
  count at later steps, so a trial must keep up with the survivors (successive halving).
- **no longer improving** (judged at checkpoints): its CV AUC has not improved for `patience`
  checkpoints, a quarter of the protocol's checkpoints (at least one): 2 of the paper's 8, 1 of 4.
- **out of time** (at checkpoints, with a time budget, also in the paper's protocol): going on
  would leave too little time for the final models (`time_budget`).

A stopped trial keeps its record; its score is its best CV AUC over the checkpoints it reached
(over its rungs if it reached none: it then has no learning steps and is never chosen), and the
trials that go on keep training the same models (nothing is retrained).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

NOT_LEARNED_AUC = 0.55
MIN_RECORDED = 1  # from the second trial on: its reference is then the first
RUNGS_PER_CHECKPOINT = 4
MIN_RUNG_STEPS = 100  # shorter rungs would spend more on evaluating than they save

# the ``stop_code`` metric of a trial, as text in trials.csv
STOP_REASONS = {
    0: "reached max steps",
    1: "did not learn",
    2: "behind the median",
    3: "no longer improving",
    4: "out of time",
}
DID_NOT_LEARN, BEHIND_THE_MEDIAN, NO_LONGER_IMPROVING, OUT_OF_TIME = 1, 2, 3, 4

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


def chosen_step(scored: dict[int, float]) -> int:
    """The checkpoint whose CV AUC is highest (the earliest of equals): a trial's learning steps."""
    return max(scored, key=lambda step: (scored[step], -step))


def best_so_far(curve: dict[int, float], step: int) -> float:
    """The best CV AUC at or before ``step``."""
    return max(auc for s, auc in curve.items() if s <= step)


def patience(checkpoints: int) -> int:
    """Checkpoints without improvement before a trial stops: a quarter of them, at least one."""
    return max(1, checkpoints // 4)


def rungs_per_checkpoint(eval_every: int) -> int:
    """Evaluations per checkpoint interval in the efficient protocol: `RUNGS_PER_CHECKPOINT`,
    or fewer where the interval does not split into that many equal rungs of at least
    `MIN_RUNG_STEPS` steps (1: the checkpoints alone)."""
    return max(
        n
        for n in range(1, RUNGS_PER_CHECKPOINT + 1)
        if n == 1 or (eval_every % n == 0 and eval_every // n >= MIN_RUNG_STEPS)
    )


def stop_reason(
    curve: dict[int, float], recorded: list[dict[int, float]], *, checkpoints: list[int]
) -> int | None:
    """The code (`STOP_REASONS`) that stops a trial whose CV AUC so far (at rungs and
    checkpoints) is ``curve``, given the recorded trials' CV curves; None to go on.
    ``checkpoints``: the protocol's checkpoint steps."""
    step = max(curve)
    best = best_so_far(curve, step)
    reference = [best_so_far(other, step) for other in recorded if step in other]
    behind = len(reference) >= MIN_RECORDED and best < float(np.median(reference))
    if step <= checkpoints[0] and best <= NOT_LEARNED_AUC and (behind or step == checkpoints[0]):
        return DID_NOT_LEARN
    if behind:
        return BEHIND_THE_MEDIAN
    aucs = [curve[s] for s in checkpoints if s in curve]
    if step in checkpoints and len(aucs) - 1 - int(np.argmax(aucs)) >= patience(len(checkpoints)):
        return NO_LONGER_IMPROVING
    return None
