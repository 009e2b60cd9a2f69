"""The cross-validating KerasTuner tuner and its oracles.

A trial is a stratified k-fold cross-validation of one hyper-parameter setting: the k folds'
models train together as one grouped model (`grouped.FoldGroup`) up to ``max_steps`` learning
steps, and every fold's validation AUC is measured every ``eval_every`` steps. The trial's score
(``val_auc``) is the best mean-over-folds AUC across checkpoints; that checkpoint's step count is
reported as ``learning_steps`` (paper section 2.3: learning steps are a hyper-parameter). Unless
``exhaustive``, the folds are also evaluated at rungs between checkpoints and a trial stops early
by the rules of `stopping`. Every fold's AUC at every evaluation is reported too
(``auc_fold<f>_step<s>``), with where and why the trial stopped (``stopped_at``, ``stop_code``),
so KerasTuner's own trial files hold the whole record, and resuming or distributing the search
needs nothing beyond KerasTuner's project state.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras_tuner
import numpy as np
from keras_tuner.engine import base_tuner

from kerasbind.errors import KerasbindError
from kerasbind.files import write_atomic
from kerasbind.models import ArchitectureSpec
from kerasbind.options import SEARCHES, CVSettings
from kerasbind.pipeline import PreparedInputs, Validation
from kerasbind.training import train_steps
from kerasbind.tuning import space as space_module
from kerasbind.tuning.grouped import FoldGroup
from kerasbind.tuning.priors import ARCHITECTURE
from kerasbind.tuning.progress import SearchProgress
from kerasbind.tuning.resume import RESUME_FILE, Resume
from kerasbind.tuning.stopping import (
    DID_NOT_LEARN,
    OUT_OF_TIME,
    chosen_step,
    cv_curve,
    fold_curves,
    rungs_per_checkpoint,
    stop_reason,
)
from kerasbind.tuning.time_budget import TimeBudget, TrainingPace, TrialClock, trial_pace

OBJECTIVE = "val_auc"
WEIGHTS_FILE = "folds.npz"  # a Hyperband trial's models, for the round that continues it


class SearchTimeUp(Exception):
    """The time budget (``--max-time``) leaves no time for another trial and the final models."""


def distributed_role() -> str | None:
    """``"chief"`` or ``"worker"`` when KerasTuner's distributed variables are set, else None."""
    if "KERASTUNER_ORACLE_IP" not in os.environ:
        return None
    return "chief" if "chief" in os.environ.get("KERASTUNER_TUNER_ID", "") else "worker"


def check_folds(labels: np.ndarray, folds: int, source: str | None) -> None:
    """Every validation fold needs both classes: at least ``folds`` examples of each."""
    positives = int(np.sum(labels == 1))
    negatives = len(labels) - positives
    if min(positives, negatives) < folds:
        raise KerasbindError(
            f"{source or 'training set'}: {positives} positive and {negatives} negative "
            f"examples; --folds {folds} needs at least {folds} of each class"
        )


def fold_splits(
    prepared: PreparedInputs, folds: int, seed: int
) -> list[tuple[PreparedInputs, Validation]]:
    """Each fold's training inputs (`PreparedInputs.for_training`) and validation data
    (`PreparedInputs.for_validation`), selected once from the encoded data (stratified,
    shuffled with ``seed``): a sequence and its reverse complement are in the same fold."""
    from sklearn.model_selection import StratifiedKFold

    check_folds(prepared.y, folds, None)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [
        (prepared.subset(train).for_training(), prepared.subset(valid).for_validation())
        for train, valid in splitter.split(np.zeros(len(prepared.y)), prepared.y)
    ]


def cv_metrics(
    curves: dict[int, dict[int, float]],
    seconds: float,
    stop_code: int = 0,
    *,
    checkpoint_steps: list[int],
) -> dict[str, float]:
    """The trial's metrics: best mean-over-folds AUC at the checkpoints and its step count, the
    last step trained, why training ended (`stopping.STOP_REASONS`), the time, and every fold's
    AUC at every evaluation. A trial stopped at a rung before its first checkpoint scores its best
    rung and has no ``learning_steps`` (it is never chosen)."""
    curve = cv_curve(curves)
    scored = {step: auc for step, auc in curve.items() if step in checkpoint_steps}
    metrics = {"stopped_at": float(max(curve)), "stop_code": float(stop_code), "seconds": seconds}
    if scored:
        best = chosen_step(scored)
        metrics.update({OBJECTIVE: scored[best], "learning_steps": float(best)})
    else:
        metrics[OBJECTIVE] = max(curve.values())
    for fold, fold_curve in sorted(curves.items()):
        for step, auc in sorted(fold_curve.items()):
            metrics[f"auc_fold{fold}_step{step}"] = float(auc)
    return metrics


def _save_state(path: str | Path, state: dict[str, Any]) -> None:
    """KerasTuner's JSON state, written atomically (KerasTuner writes in place)."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(state)))


def check_saved_state(project: Path) -> None:
    """Refuse, in one line, a project whose saved state cannot be read (a truncated file from
    an interrupted write by an older version, a disk fault)."""
    for path in sorted(project.glob("*.json")) + sorted(project.glob("trial_*/trial.json")):
        try:
            json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise KerasbindError(
                f"{path}: the search's saved state is damaged ({error}); it cannot be resumed: "
                "add --overwrite to start the search afresh"
            ) from error


def _did_not_learn(trial: Any) -> bool:
    return (
        trial.metrics.exists("stop_code")
        and int(trial.metrics.get_last_value("stop_code")) == DID_NOT_LEARN
    )


class _SavedAtomically:
    """Oracle mixin: ``oracle.json`` and every ``trial.json`` are replaced atomically, so an
    interrupted write leaves the previous state, never a truncated file."""

    def save(self) -> None:
        _save_state(self._get_oracle_fname(), self.get_state())  # type: ignore[attr-defined]

    def _save_trial(self, trial: Any) -> None:
        folder = self._get_trial_dir(trial.trial_id)  # type: ignore[attr-defined]
        _save_state(Path(folder) / "trial.json", trial.get_state())


class _FirstTrials:
    """Oracle mixin: the first trials evaluate ``first_trials`` in order (tuner values; by
    default the architecture's defaults, the models' tested starting point, so a search never
    ends worse than them), then the oracle draws. A value the space does not hold (a default
    outside a narrowed rule) gives way to the parameter's declared default."""

    hyperparameters: Any
    trials: dict[str, Any]
    first_trials: tuple[dict[str, Any], ...] = ({},)  # replaced per oracle by make_oracle

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        if len(self.trials) >= len(self.first_trials):
            return super().populate_space(trial_id)  # type: ignore[misc]
        wanted = self.first_trials[len(self.trials)]
        values = self.hyperparameters.copy()
        for hp in values.space:  # parents come before their children
            if values.is_active(hp):
                values.values[hp.name] = _held(hp, wanted.get(hp.name, hp.default))
        active = {hp.name: values.values[hp.name] for hp in values.space if values.is_active(hp)}
        return {"status": keras_tuner.engine.trial.TrialStatus.RUNNING, "values": active}


def _held(hp: Any, value: Any) -> Any:
    """``value`` if the KerasTuner parameter ``hp`` can take it, else its default."""
    kinds = keras_tuner.engine.hyperparameters
    if isinstance(hp, kinds.Choice):
        return value if value in hp.values else hp.default
    if isinstance(hp, kinds.Float | kinds.Int):
        return value if hp.min_value <= value <= hp.max_value else hp.default
    return hp.default  # Fixed


class _LearnersCount:
    """Oracle mixin: a trial stopped because it did not learn does not count against
    ``max_trials``; another is drawn in its place, up to ``max_trials`` replacements."""

    max_trials: int
    trials: dict[str, Any]

    def __init__(self, *, max_trials: int, **kwargs: Any) -> None:
        self.budget = max_trials
        super().__init__(max_trials=max_trials, **kwargs)  # type: ignore[call-arg]

    def create_trial(self, tuner_id: str) -> Any:
        replaced = sum(_did_not_learn(trial) for trial in self.trials.values())
        self.max_trials = self.budget + min(replaced, self.budget)
        return super().create_trial(tuner_id)  # type: ignore[misc]


REDRAWS = 100  # draws a random search may make to find an architecture that learned


def architectures_that_did_not_learn(trials: Any) -> set[str]:
    """The architectures (``--arch auto``) all of whose trials ended because they did not learn
    (none running, none that learned)."""
    outcomes: dict[str, list[bool]] = {}
    for trial in trials:
        name = trial.hyperparameters.values.get(ARCHITECTURE)
        if name is not None:
            finished = trial.status == keras_tuner.engine.trial.TrialStatus.COMPLETED
            outcomes.setdefault(name, []).append(finished and _did_not_learn(trial))
    return {name for name, failed in outcomes.items() if all(failed)}


class _LearningArchitectures:
    """Oracle mixin (random search, ``--arch auto``): once every trial of an architecture has
    stopped because it did not learn, a draw of that architecture is drawn again (up to
    `REDRAWS` times), so the budget goes to architectures that learn on these data. On a small
    ChIP-seq set the default settings of danq, danq_star and kegru did not learn, and neither
    did any of their seven later draws (docs/tuning.md)."""

    trials: dict[str, Any]
    first_trials: tuple[dict[str, Any], ...]

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        response = super().populate_space(trial_id)  # type: ignore[misc]
        if len(self.trials) < len(self.first_trials):
            return response
        failed = architectures_that_did_not_learn(self.trials.values())
        for _ in range(REDRAWS):
            values = response.get("values") or {}
            if values.get(ARCHITECTURE) not in failed:
                break
            response = super().populate_space(trial_id)  # type: ignore[misc]
        return response


class RandomOracle(
    _SavedAtomically,
    _LearnersCount,
    _LearningArchitectures,
    _FirstTrials,
    keras_tuner.oracles.RandomSearchOracle,
):
    """Random search (the paper's), first trials first; under ``--arch auto`` no further draws
    of an architecture that did not learn."""


class BayesianOracle(
    _SavedAtomically,
    _LearnersCount,
    _FirstTrials,
    keras_tuner.oracles.BayesianOptimizationOracle,
):
    """Gaussian-process Bayesian optimisation, first trials first."""


class HyperbandOracle(_SavedAtomically, keras_tuner.oracles.HyperbandOracle):
    """KerasTuner's Hyperband; `CrossValidationTuner` continues each promoted trial from the
    models the previous round trained."""


def make_oracle(
    search: str,
    hyperparameters: Any,
    *,
    trials: int,
    settings: CVSettings,
    first_trials: list[dict[str, Any]] | None = None,
) -> keras_tuner.Oracle:
    """The oracle for ``--search``; random and Bayesian ones try ``first_trials`` (tuner values)
    first. Hyperband's trials train ``tuner/epochs`` checkpoints of ``eval_every`` steps (its
    brackets set the number of trials, not ``trials``)."""
    common = {
        "objective": keras_tuner.Objective(OBJECTIVE, "max"),
        "hyperparameters": hyperparameters,
        "allow_new_entries": False,
        "tune_new_entries": False,
        "seed": settings.seed + 1,  # KerasTuner draws a random seed for 0
        "max_consecutive_failed_trials": max(3, trials),
    }
    if search in ("random", "bayesian"):
        kind = RandomOracle if search == "random" else BayesianOracle
        oracle = kind(max_trials=trials, **common)
        oracle.first_trials = tuple(first_trials or [{}])
        return oracle
    if search == "hyperband":
        return HyperbandOracle(
            max_epochs=settings.max_checkpoints, factor=3, hyperband_iterations=1, **common
        )
    raise ValueError(f"unknown search {search!r} (one of {SEARCHES})")


@dataclass
class TrialEvaluation:
    """A trial's evaluation callback (`train_steps`' ``on_checkpoint``): every fold's AUC at
    each evaluation goes into ``curves`` (steps counted from ``start``, where a continued
    Hyperband trial resumes); with ``stopping``, the rules of `stopping` may end the trial,
    and ``stop_code`` says why."""

    group: FoldGroup
    validation: list[Validation]
    curves: dict[int, dict[int, float]]
    recorded: list[dict[int, float]]  # the CV curves of the finished trials
    grid: list[int]  # the checkpoints, where learning steps are chosen
    steps: int
    start: int
    stopping: bool
    progress: SearchProgress
    clock: TrialClock | None = None  # with a time budget
    resume: Resume | None = None  # saves the state at the checkpoints it goes on from
    stop_code: int = 0

    def __call__(self, step: int, _: float | None) -> bool:
        step += self.start
        for fold, auc in enumerate(self.group.validation_auc(self.validation), start=1):
            self.curves[fold][step] = auc
        curve = cv_curve(self.curves)
        if step in self.grid:
            self.progress.checkpoint(step, self.steps, curve[step])
        if step >= self.steps:
            return False
        self.stop_code = self._stop_code(step, curve)
        if not self.stop_code and step in self.grid and self.resume:
            self.resume.save(step, self.curves)
        return self.stop_code != 0

    def _stop_code(self, step: int, curve: dict[int, float]) -> int:
        """Why the trial ends at ``step`` (`stopping.STOP_REASONS`), 0 where it goes on."""
        if step in self.grid and self.clock and self.clock.out_of_time(self._checkpoints(curve)):
            return OUT_OF_TIME
        if not self.stopping:
            return 0
        return stop_reason(curve, self.recorded, checkpoints=self.grid) or 0

    def _checkpoints(self, curve: dict[int, float]) -> dict[int, float]:
        """The CV AUCs of ``curve`` at the checkpoints."""
        return {step: auc for step, auc in curve.items() if step in self.grid}


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
        time_budget: TimeBudget | None = None,
        final_models: int = 1,
    ) -> None:
        self.arch = arch
        self.space = space
        self.settings = settings
        self.prepared = prepared
        self.folds = fold_splits(prepared, settings.folds, settings.seed)
        self.progress = progress or SearchProgress(enabled=False)
        self.time_budget = time_budget
        self.final_models = final_models  # what the time budget keeps time for
        if not overwrite:
            check_saved_state(Path(directory) / project_name)
        super().__init__(
            oracle, directory=directory, project_name=project_name, overwrite=overwrite
        )

    def save(self) -> None:
        if not self._is_worker():
            self.oracle.save()
        _save_state(self._get_tuner_fname(), self.get_state())

    def pre_create_trial(self) -> None:
        if self.time_budget is None:
            return
        best = self._best_finished()
        if not self.time_budget.fits(best[1] if best else None, self.final_models):
            raise SearchTimeUp

    def _trial_clock(self, folds: int, start: int) -> TrialClock | None:
        """What stops a trial for the time budget (None without one)."""
        if self.time_budget is None:
            return None
        return TrialClock(self.time_budget, self._best_finished(), self.final_models, folds, start)

    def _best_finished(self) -> tuple[float, TrainingPace] | None:
        """The best CV AUC of the trials that chose learning steps, and that trial's pace."""
        for trial in self.oracle.get_best_trials(100_000):  # best first
            pace = trial.status == "COMPLETED" and trial_pace(trial, self.settings.folds)
            if pace:
                return trial.score, pace
        return None

    def trial_architecture(self, values: dict[str, Any]) -> ArchitectureSpec:
        """The architecture a trial trains (one here; `auto.AutoTuner` reads it from values)."""
        return self.arch

    def prepared_for(self, arch: ArchitectureSpec) -> PreparedInputs:
        """The encoded training data ``arch`` reads."""
        return self.prepared

    def folds_for(self, arch: ArchitectureSpec) -> list[tuple[PreparedInputs, Validation]]:
        """The folds of the encoding ``arch`` reads."""
        return self.folds

    def on_trial_begin(self, trial: Any) -> None:
        best = self.oracle.get_best_trials(1)
        self.progress.trial_begin(
            trial.trial_id, self.oracle.max_trials, best[0].score if best else None
        )

    def _recorded(self, trial_id: str) -> list[dict[int, float]]:
        """The CV curves of the finished trials the oracle holds (the stopping rules' reference)."""
        trials = self.oracle.get_best_trials(100_000)  # all of them, also through gRPC
        return [
            cv_curve(fold_curves(trial))
            for trial in trials
            if trial.trial_id != trial_id and trial.status == "COMPLETED"
        ]

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
        values = trial.hyperparameters.values
        arch = self.trial_architecture(values)
        folds = self.folds_for(arch)
        hparams = space_module.to_model(arch, self.space, values)
        every = self.settings.eval_every
        budget = values.get("tuner/epochs")  # Hyperband: checkpoints this trial may train
        steps = (
            self.settings.max_steps
            if budget is None
            else min(self.settings.max_steps, int(budget) * every)
        )
        seeds = [
            self.settings.seed + zlib.crc32(f"{trial.trial_id}/{fold}".encode()) % 100_000
            for fold in range(1, self.settings.folds + 1)
        ]
        started = time.perf_counter()
        group = FoldGroup(arch, hparams, folds[0][0], seeds, self.settings.freeze_embedding)
        curves: dict[int, dict[int, float]] = {f: {} for f in range(1, len(seeds) + 1)}
        start = 0
        previous = values.get("tuner/trial_id")  # Hyperband: the trial this one continues
        if previous is not None:
            start = int(values.get("tuner/initial_epoch", 0)) * every
            group.load(Path(self.get_trial_dir(previous)) / WEIGHTS_FILE)
            curves = fold_curves(self.oracle.get_trial(previous))
        path = Path(self.get_trial_dir(trial.trial_id)) / RESUME_FILE
        resume = Resume(path, group, {"values": values, "seeds": seeds}, started=started)
        resumed = resume.restore(self.progress.message)
        skip = 0
        if resumed:
            skip, start, curves = resumed.step - start, resumed.step, resumed.curves
            self.progress.message(f"trial {int(trial.trial_id) + 1}: goes on from step {start}")
        stopping = not self.settings.exhaustive and budget is None  # Hyperband stops by rounds
        evaluation = TrialEvaluation(
            group=group,
            validation=[fold[1] for fold in folds],
            curves=curves,
            recorded=self._recorded(trial.trial_id),
            grid=self.settings.checkpoint_steps,
            steps=steps,
            start=start,
            stopping=stopping,
            progress=self.progress,
            clock=self._trial_clock(len(seeds), start),
            resume=resume,
        )
        train_steps(
            group.model,
            [f[0].x for f in folds],
            [f[0].y for f in folds],
            steps=steps - start,
            eval_every=every // rungs_per_checkpoint(every) if stopping else every,
            seed=seeds,
            progress=False,
            on_checkpoint=evaluation,
            skip=skip,
        )
        if budget is not None:
            path = Path(self.get_trial_dir(trial.trial_id)) / WEIGHTS_FILE
            write_atomic(path, lambda tmp: group.save(tmp))
        return cv_metrics(
            curves, resume.seconds(), evaluation.stop_code, checkpoint_steps=evaluation.grid
        )

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)
        (Path(self.get_trial_dir(trial.trial_id)) / RESUME_FILE).unlink(missing_ok=True)
        self.progress.trial_end(self.oracle.get_trial(trial.trial_id), self.tuner_id)
