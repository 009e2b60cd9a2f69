"""One progress line per checkpoint on stderr: trial i/N, step, CV AUC, best CV AUC, time left."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from kerasbind.html import format_duration


class SearchProgress:
    """Progress of a search in this process. Time left assumes every remaining trial trains all
    folds to ``max_steps`` at the speed measured so far (an upper bound when trials stop
    early), and is at most the search's time budget's (``deadline``: seconds left, a
    `time_budget.TimeBudget.left`)."""

    def __init__(
        self,
        *,
        folds: int = 1,
        max_steps: int = 1,
        enabled: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        self.deadline: Callable[[], float] | None = None
        self.folds = folds
        self.max_steps = max_steps
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._trial = 0
        self._total: int | None = None
        self._best: float | None = None
        self._steps_done = 0
        self._step = 0
        self._started = time.perf_counter()

    def _print(self, text: str) -> None:
        if self.enabled:
            print(f"kerasbind tune: {text}", file=self.stream, flush=True)

    def trial_begin(self, trial_id: str, total: int | None, best: float | None) -> None:
        self._trial = int(trial_id) + 1
        self._total = total
        self._best = best
        self._step = 0

    def checkpoint(self, step: int, steps: int, auc: float) -> None:
        """A checkpoint of the current trial (all folds): its CV AUC at ``step``."""
        self._steps_done += (step - self._step) * self.folds
        self._step = step
        best = f"{self._best:.4f}" if self._best is not None else "-"
        trial = f"{self._trial}/{self._total}" if self._total else f"{self._trial}"
        self._print(
            f"trial {trial}  step {step}/{steps}  CV AUC {auc:.4f}  "
            f"best CV AUC {best}{self._time_left(step)}"
        )

    def _time_left(self, step: int) -> str:
        if not self._total or not self._steps_done:
            return ""
        per_step = (time.perf_counter() - self._started) / self._steps_done
        remaining = self.folds * (
            max(0, self._total - self._trial) * self.max_steps + max(0, self.max_steps - step)
        )
        seconds = remaining * per_step
        if self.deadline is not None:
            seconds = max(0.0, min(seconds, self.deadline()))
        return f"  about {format_duration(seconds)} left"

    def trial_end(self, trial: Any, tuner_id: str) -> None:
        where = f"trial {int(trial.trial_id) + 1} (id {trial.trial_id}, {tuner_id})"
        if trial.status != "COMPLETED":
            reason = (trial.message or "").strip().splitlines()[-1:] or ["no reason given"]
            self._print(f"{where} {trial.status.lower()}: {reason[0]}")
            return
        from kerasbind.tuning.stopping import STOP_REASONS

        metric = trial.metrics.get_last_value
        code = int(metric("stop_code"))
        stopped = f"stopped at {int(metric('stopped_at'))} steps ({STOP_REASONS[code]})"
        if not trial.metrics.exists("learning_steps"):  # stopped before its first checkpoint
            self._print(f"{where} {stopped}: best CV AUC {trial.score:.4f}")
            return
        steps = int(metric("learning_steps"))
        ended = f"; {stopped}" if code else ""
        self._print(f"{where} done: CV AUC {trial.score:.4f} at {steps} steps{ended}")

    def message(self, text: str) -> None:
        self._print(text)
