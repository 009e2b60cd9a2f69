"""The search's record, read from the oracle: ``trials.csv`` rows and the best trial."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from kerasbind.errors import KerasbindError
from kerasbind.models import ARCHITECTURES, HYPERPARAMETER_KEYS, ArchitectureSpec
from kerasbind.tuning import space as space_module
from kerasbind.tuning.priors import ARCHITECTURE
from kerasbind.tuning.stopping import STOP_REASONS, fold_curves
from kerasbind.tuning.tuner import OBJECTIVE

_LEADING = [
    "trial",
    "trial_id",
    "status",
    "cv_auc",
    "learning_steps",
    "stopped_at",
    "stop_reason",
    "seconds",
]


def _metric(trial: Any, name: str) -> float | None:
    return trial.metrics.get_last_value(name) if trial.metrics.exists(name) else None


def trial_number(trial: Any) -> int:
    """The 1-based number the log, ``trials.csv`` and the report give a trial (KerasTuner's
    ``trial_id``, its folder ``tuner/trial_<id>``, counts from 0)."""
    return int(trial.trial_id) + 1


def trial_architecture(trial: Any, arch: ArchitectureSpec) -> ArchitectureSpec:
    """The architecture ``trial`` trained: its ``architecture`` value (``--arch auto``) or
    ``arch``."""
    name = trial.hyperparameters.values.get(ARCHITECTURE)
    return arch if name is None else ARCHITECTURES[name]


def trial_row(trial: Any, arch: ArchitectureSpec, space: space_module.Space) -> dict[str, Any]:
    """One ``trials.csv`` row: values, CV AUC, chosen steps, where and why training ended, each
    fold's AUC at the chosen steps, the mean and each fold's AUC at every checkpoint, and the
    time; under ``--arch auto`` the architecture after the trial number."""
    arch = trial_architecture(trial, arch)
    steps = _metric(trial, "learning_steps")
    stopped_at = _metric(trial, "stopped_at")
    code = _metric(trial, "stop_code")
    row: dict[str, Any] = {
        "trial": trial_number(trial),
        "trial_id": trial.trial_id,
        "status": trial.status,
        "cv_auc": _metric(trial, OBJECTIVE),
        "learning_steps": int(steps) if steps is not None else None,
        "stopped_at": int(stopped_at) if stopped_at is not None else None,
        "stop_reason": STOP_REASONS[int(code)] if code is not None else None,
        "seconds": _metric(trial, "seconds"),
    }
    if ARCHITECTURE in trial.hyperparameters.values:
        row = {"trial": row.pop("trial"), ARCHITECTURE: arch.name, **row}
    row.update(space_module.active_values(arch, space, trial.hyperparameters.values))
    curves = fold_curves(trial)
    for fold, curve in sorted(curves.items()):
        row[f"fold{fold}_auc"] = curve.get(int(steps)) if steps is not None else None
    for step in sorted({s for curve in curves.values() for s in curve}):
        at_step = [curve[step] for curve in curves.values() if step in curve]
        row[f"cv_auc_step{step}"] = sum(at_step) / len(at_step)
        for fold, curve in sorted(curves.items()):
            row[f"fold{fold}_auc_step{step}"] = curve.get(step)
    return row


def trials_table(oracle: Any, arch: ArchitectureSpec, space: space_module.Space) -> pd.DataFrame:
    """One row per trial, in trial order."""
    trials = sorted(oracle.trials.values(), key=lambda trial: int(trial.trial_id))
    table = pd.DataFrame([trial_row(trial, arch, space) for trial in trials])
    leading = ["trial", ARCHITECTURE, *_LEADING[1:]] if ARCHITECTURE in table else _LEADING
    first = [*leading, *(key for key in HYPERPARAMETER_KEYS if key in table)]
    return table[first + [column for column in table.columns if column not in first]]


def steps_spent(table: pd.DataFrame, folds: int) -> int:
    """Learning steps the trials of ``table`` spent: where each stopped, times the folds."""
    return int(table["stopped_at"].fillna(0).sum()) * folds


def stopped_early(table: pd.DataFrame) -> dict[str, int]:
    """``{reason: number of trials}`` for the trials that stopped before ``max_steps``."""
    if "stop_reason" not in table:
        return {}
    reasons = table["stop_reason"].dropna()
    counts = reasons[reasons != STOP_REASONS[0]].value_counts()
    return {str(reason): int(n) for reason, n in counts.items()}


def best_trial(oracle: Any) -> Any:
    """The completed trial with the highest CV AUC among those that reached a checkpoint."""
    best = [
        trial
        for trial in oracle.get_best_trials(100_000)  # all of them
        if trial.status == "COMPLETED" and trial.metrics.exists("learning_steps")
    ]
    if not best:
        failed = [t for t in oracle.trials.values() if t.message]
        reason = failed[-1].message.strip().splitlines()[-1] if failed else "none has run yet"
        raise KerasbindError(f"no trial finished successfully ({reason})")
    return best[0]


def best_summary(trial: Any, arch: ArchitectureSpec, space: space_module.Space) -> dict[str, Any]:
    """``best_hyperparameters.json``: the model's hyper-parameters, what was searched, the chosen
    learning steps and the CV AUC (per fold too)."""
    row = trial_row(trial, arch, space)
    arch = trial_architecture(trial, arch)
    return {
        "trial": trial_number(trial),
        "architecture": arch.name,
        "cv_auc": row["cv_auc"],
        "learning_steps": row["learning_steps"],
        "fold_auc": [value for key, value in row.items() if re.fullmatch(r"fold\d+_auc", key)],
        "hyperparameters": space_module.to_model(arch, space, trial.hyperparameters.values),
        "searched": space_module.active_values(arch, space, trial.hyperparameters.values),
    }
