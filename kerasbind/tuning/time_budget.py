"""A search's time budget (``--max-time``; the ``auto`` budget brings one): the whole ``tune``
plans to end within it, final models included.

The cost of the final models is estimated from the best trial so far: its seconds per learning
step and model (a trial trains its folds' models together; so do the final models, `grouped`)
times its learning steps times the number of final models. A new trial starts only while that
cost still fits in the time left; a trial stops at a checkpoint (``out of time``,
`stopping.OUT_OF_TIME`) once it no longer fits; and fewer final models are trained where a full
set would not fit (at least one). docs/tuning.md gives the evidence for the ``auto`` default.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kerasbind.tuning.stopping import chosen_step


@dataclass(frozen=True)
class TrainingPace:
    """What one model of a trial costs: seconds per learning step, and the steps it chose."""

    seconds_per_step: float
    steps: int

    @classmethod
    def of_trial(cls, seconds: float, trained: float, folds: int, steps: int) -> TrainingPace:
        """The pace of a trial that trained its ``folds`` models ``trained`` steps in
        ``seconds`` and chose ``steps``."""
        return cls(seconds / max(trained * folds, 1.0), steps)

    def seconds(self, models: int) -> float:
        """The time ``models`` final models at these steps take."""
        return self.seconds_per_step * self.steps * models


def trial_pace(trial: Any, folds: int) -> TrainingPace | None:
    """A finished trial's `TrainingPace` (None where it chose no learning steps)."""
    metric = trial.metrics.get_last_value
    if not trial.metrics.exists("learning_steps"):
        return None
    return TrainingPace.of_trial(
        metric("seconds"), metric("stopped_at"), folds, int(metric("learning_steps"))
    )


@dataclass
class TimeBudget:
    """``seconds`` from its creation, read on ``clock``."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def left(self) -> float:
        """Seconds left (negative once past)."""
        return self.seconds - (self.clock() - self.started)

    def fits(self, pace: TrainingPace | None, models: int) -> bool:
        """Whether ``models`` final models at ``pace`` fit in the time left (with no pace
        known yet: whether any time is left)."""
        return self.left() > (pace.seconds(models) if pace else 0.0)

    def final_models(self, pace: TrainingPace, wanted: int) -> int:
        """How many of ``wanted`` final models fit in the time left: at least one."""
        fitting = math.floor(self.left() / pace.seconds(1)) if pace.seconds(1) > 0 else wanted
        return max(1, min(wanted, fitting))


@dataclass
class TrialClock:
    """Whether a running trial must stop at a checkpoint so that the final models still fit:
    they follow this trial where its CV AUC so far beats ``best`` (the finished trials' best CV
    AUC and pace), else the best finished trial."""

    budget: TimeBudget
    best: tuple[float, TrainingPace] | None
    final_models: int
    folds: int
    start_step: int = 0  # a continued (Hyperband) trial's first step
    timer: Callable[[], float] = time.perf_counter
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.timer()

    def out_of_time(self, checkpoints: dict[int, float]) -> bool:
        """``checkpoints``: this trial's CV AUC at the checkpoints it reached."""
        step = max(checkpoints)
        chosen = chosen_step(checkpoints)
        seconds = self.timer() - self.started
        pace = TrainingPace.of_trial(seconds, step - self.start_step, self.folds, chosen)
        if self.best is not None and self.best[0] >= checkpoints[chosen]:
            pace = self.best[1]
        return not self.budget.fits(pace, self.final_models)
