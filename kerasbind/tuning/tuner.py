"""The cross-validating KerasTuner tuner and its oracles.

A trial is a stratified k-fold cross-validation of one hyper-parameter setting: each fold trains
up to ``max_steps`` learning steps and measures validation AUC every ``eval_every`` steps. The
trial's score (``val_auc``) is the best mean-over-folds AUC across checkpoints; that checkpoint's
step count is reported as ``learning_steps`` (paper section 2.3: learning steps are a
hyper-parameter). Every fold's AUC at every checkpoint is reported too (``auc_fold<f>_step<s>``),
so KerasTuner's own trial files hold the whole record, and resuming or distributing the search
needs nothing beyond KerasTuner's project state.
"""

from __future__ import annotations

import os
import time
import zlib
from dataclasses import dataclass, replace
from typing import Any

import keras_tuner
import numpy as np
from keras_tuner.engine import base_tuner

from kerasbind.models import ArchitectureSpec
from kerasbind.pipeline import PreparedInputs, fit_model
from kerasbind.training import TrainingHistory
from kerasbind.tuning import space as space_module
from kerasbind.tuning.progress import SearchProgress

OBJECTIVE = "val_auc"
SEARCHES = ("random", "hyperband", "bayesian")
EARLY_STOP_PATIENCE = 2  # checkpoints without improvement before a fold stops (--early-stop)


@dataclass(frozen=True)
class CVSettings:
    """How each trial is cross-validated."""

    folds: int = 3
    max_steps: int = 40_000
    eval_every: int = 5_000
    early_stop: bool = False
    seed: int = 0
    freeze_embedding: bool = False

    @property
    def max_checkpoints(self) -> int:
        return max(1, -(-self.max_steps // self.eval_every))


class SearchTimeUp(Exception):
    """``--max-time`` has passed: no new trial is started."""


def distributed_role() -> str | None:
    """``"chief"`` or ``"worker"`` when KerasTuner's distributed variables are set, else None."""
    if "KERASTUNER_ORACLE_IP" not in os.environ:
        return None
    return "chief" if "chief" in os.environ.get("KERASTUNER_TUNER_ID", "") else "worker"


def fold_splits(
    prepared: PreparedInputs, folds: int, seed: int
) -> list[tuple[PreparedInputs, tuple[np.ndarray, np.ndarray]]]:
    """Each fold's training inputs and validation ``(x, y)``, selected once from the encoded
    data (stratified, shuffled with ``seed``)."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [
        (
            replace(prepared, x=prepared.x[train], y=prepared.y[train]),
            (prepared.x[valid], prepared.y[valid]),
        )
        for train, valid in splitter.split(np.zeros(len(prepared.y)), prepared.y)
    ]


def stalled(aucs: list[float], patience: int = EARLY_STOP_PATIENCE) -> bool:
    """True when the best AUC is ``patience`` or more checkpoints old."""
    return len(aucs) - 1 - int(np.argmax(aucs)) >= patience


def cv_metrics(histories: list[TrainingHistory], seconds: float) -> dict[str, float]:
    """The trial's metrics: best mean-over-folds AUC (over checkpoints every fold reached), its
    step count, the time, and every fold's AUC at every checkpoint."""
    reached = min(len(history.steps) for history in histories)
    means = [float(np.mean([h.val_auc[i] for h in histories])) for i in range(reached)]
    best = int(np.argmax(means))
    metrics = {
        OBJECTIVE: means[best],
        "learning_steps": float(histories[0].steps[best]),
        "seconds": seconds,
    }
    for fold, history in enumerate(histories, start=1):
        for step, auc in zip(history.steps, history.val_auc, strict=True):
            metrics[f"auc_fold{fold}_step{step}"] = float(auc)
    return metrics


class _DefaultsFirst:
    """Oracle mixin: the first trial evaluates every parameter's default value (the models'
    tested starting point), so a search never ends worse than the defaults."""

    hyperparameters: Any
    trials: dict[str, Any]

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        if self.trials:
            return super().populate_space(trial_id)  # type: ignore[misc]
        values = keras_tuner.HyperParameters()
        for hp in self.hyperparameters.space:
            values.merge([hp])
        active = {hp.name: hp.default for hp in values.space if values.is_active(hp)}
        return {"status": keras_tuner.engine.trial.TrialStatus.RUNNING, "values": active}


class RandomOracle(_DefaultsFirst, keras_tuner.oracles.RandomSearchOracle):
    """Random search (the paper's), defaults first."""


class BayesianOracle(_DefaultsFirst, keras_tuner.oracles.BayesianOptimizationOracle):
    """Gaussian-process Bayesian optimisation, defaults first."""


def make_oracle(
    search: str, hyperparameters: Any, *, trials: int, settings: CVSettings
) -> keras_tuner.Oracle:
    """The oracle for ``--search``. Hyperband's trials train ``tuner/epochs`` checkpoints of
    ``eval_every`` steps (its brackets set the number of trials, not ``trials``)."""
    common = {
        "objective": keras_tuner.Objective(OBJECTIVE, "max"),
        "hyperparameters": hyperparameters,
        "allow_new_entries": False,
        "tune_new_entries": False,
        "seed": settings.seed + 1,  # KerasTuner draws a random seed for 0
        "max_consecutive_failed_trials": max(3, trials),
    }
    if search == "random":
        return RandomOracle(max_trials=trials, **common)
    if search == "bayesian":
        return BayesianOracle(max_trials=trials, **common)
    if search == "hyperband":
        return keras_tuner.oracles.HyperbandOracle(
            max_epochs=settings.max_checkpoints, factor=3, hyperband_iterations=1, **common
        )
    raise ValueError(f"unknown search {search!r} (one of {SEARCHES})")


class CrossValidationTuner(base_tuner.BaseTuner):
    """A KerasTuner tuner whose trial is a k-fold cross-validation over encoded data."""

    def __init__(
        self,
        oracle: keras_tuner.Oracle,
        *,
        arch: ArchitectureSpec,
        space: space_module.Space,
        prepared: PreparedInputs,
        settings: CVSettings,
        directory: str,
        project_name: str = "tuner",
        overwrite: bool = False,
        progress: SearchProgress | None = None,
        deadline: float | None = None,
    ) -> None:
        self.arch = arch
        self.space = space
        self.settings = settings
        self.folds = fold_splits(prepared, settings.folds, settings.seed)
        self.progress = progress or SearchProgress(enabled=False)
        self.deadline = deadline
        super().__init__(
            oracle, directory=directory, project_name=project_name, overwrite=overwrite
        )

    def pre_create_trial(self) -> None:
        if self.deadline is not None and time.time() >= self.deadline:
            raise SearchTimeUp

    def on_trial_begin(self, trial: Any) -> None:
        best = self.oracle.get_best_trials(1)
        self.progress.trial_begin(
            trial.trial_id, self.oracle.max_trials, best[0].score if best else None
        )

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
        values = trial.hyperparameters.values
        hparams = space_module.to_model(self.arch, self.space, values)
        budget = values.get("tuner/epochs")  # Hyperband: checkpoints this trial may train
        steps = self.settings.max_steps
        if budget is not None:
            steps = min(steps, int(budget) * self.settings.eval_every)
        started = time.perf_counter()
        histories = []
        for fold, (inputs, validation) in enumerate(self.folds, start=1):
            seed = self.settings.seed + zlib.crc32(f"{trial.trial_id}/{fold}".encode()) % 100_000
            _, history = fit_model(
                self.arch, hparams, inputs, steps=steps, eval_every=self.settings.eval_every,
                seed=seed, validation=validation, freeze_embedding=self.settings.freeze_embedding,
                progress=False, on_checkpoint=self._checkpoint_callback(fold, steps),
            )
            histories.append(history)
        return cv_metrics(histories, time.perf_counter() - started)

    def _checkpoint_callback(self, fold: int, steps: int) -> Any:
        """Report progress at each checkpoint; with ``early_stop``, stop a fold whose AUC has
        not improved for `EARLY_STOP_PATIENCE` checkpoints."""
        seen: list[float] = []

        def on_checkpoint(step: int, auc: float | None) -> bool:
            seen.append(float(auc if auc is not None else np.nan))
            self.progress.checkpoint(fold, self.settings.folds, step, steps, seen[-1])
            return self.settings.early_stop and stalled(seen)

        return on_checkpoint

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)
        self.progress.trial_end(self.oracle.get_trial(trial.trial_id), self.tuner_id)
