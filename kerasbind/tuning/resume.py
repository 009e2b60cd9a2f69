"""Interrupted training goes on from its last checkpoint instead of its first step: a search's
trials and its final models.

At each checkpoint that training passes and goes on from, the grouped model (weights, dropout's
random state, optimizer state), the AUCs measured so far and the seconds spent are saved
atomically: a trial's to ``resume.npz`` in its KerasTuner trial folder, the final models' to
``final_models.npz`` in the tuner's project. When a search is run again after an interruption
(Ctrl-C, a crash, a machine that went away), KerasTuner hands the tuner the same trial and the
search the same final models; the saved state is restored and the batches already trained on are
skipped, so training goes on as it would have: the same curve and the same model as without the
interruption (up to the rounding of TensorFlow's kernels). A trial's file is removed once the
trial has ended, the final models' once the run is saved. Unlike deepRAM, which cannot resume.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasbind.files import write_atomic
from kerasbind.tuning.grouped import FoldGroup

RESUME_FILE = "resume.npz"  # in a trial's folder
FINAL_MODELS_FILE = "final_models.npz"  # in the tuner's project folder

Curves = dict[int, dict[int, float]]  # each fold's AUC at each evaluation


@dataclass
class Resumed:
    """Where interrupted training had got to."""

    step: int
    seconds: float  # training time of the earlier attempts
    curves: Curves


@dataclass
class Resume:
    """Saves training's state at its checkpoints (`save`) and restores it (`restore`).

    ``key`` identifies the training (hyper-parameters, seeds, steps): a state saved for anything
    else is not restored."""

    path: Path
    group: FoldGroup
    key: dict[str, Any]
    started: float = field(default_factory=time.perf_counter)
    before: float = 0.0  # seconds of the earlier attempts

    def restore(self, report: Callable[[str], None]) -> Resumed | None:
        """Load the saved state into the group; None where there is none to use (``report``
        is told why, in one line, where a saved state was not used)."""
        if not self.path.is_file():
            return None
        try:
            meta = self.group.load(self.path, accept=self._check)
            curves = {
                int(fold): {int(step): float(auc) for step, auc in curve.items()}
                for fold, curve in meta["curves"].items()
            }
            resumed = Resumed(int(meta["step"]), float(meta["seconds"]), curves)
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as error:
            report(f"{self.path}: not used ({error}); training starts again")
            return None
        self.before = resumed.seconds
        return resumed

    def _check(self, meta: dict[str, Any]) -> None:
        if meta.get("key") != _canonical(self.key):
            raise ValueError("it was saved for other training")

    def seconds(self) -> float:
        """The training time so far, over every attempt."""
        return self.before + time.perf_counter() - self.started

    def save(self, step: int, curves: Curves) -> None:
        """The state at ``step``, atomically."""
        meta = {
            "key": _canonical(self.key),
            "step": step,
            "seconds": self.seconds(),
            "curves": {fold: {str(s): auc for s, auc in c.items()} for fold, c in curves.items()},
        }
        write_atomic(self.path, lambda tmp: self.group.save(tmp, meta))


def _canonical(key: dict[str, Any]) -> str:
    """``key`` as one comparable string (JSON, sorted keys)."""
    return json.dumps(key, sort_keys=True, default=str)
