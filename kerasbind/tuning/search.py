"""The whole of ``kerasbind tune`` as one library call: search, record, final training, test.

Run directory (``out``): ``tuner/`` (KerasTuner's project: the resumable state), ``search.json``
(the settings the search was started with), ``trials.csv``, ``best_hyperparameters.json``, then
what `kerasbind train` writes (``model.keras``, ``kerasbind.json``, ``word2vec.model``) and, with
a test set, ``metrics.json`` and ROC / PR curves.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, update_json, write_atomic, write_json
from kerasbind.hyperparameters import HyperParameters
from kerasbind.models import ArchitectureSpec
from kerasbind.pipeline import evaluate_into_run, prepare_inputs
from kerasbind.rundir import run_config, save_run
from kerasbind.sequences import SequenceSet
from kerasbind.training import interruptible
from kerasbind.tuning import space as space_module
from kerasbind.tuning.final import train_final
from kerasbind.tuning.progress import SearchProgress, format_duration
from kerasbind.tuning.results import best_summary, best_trial, stopped_early, trials_table
from kerasbind.tuning.tuner import (
    CrossValidationTuner,
    CVSettings,
    SearchTimeUp,
    check_folds,
    distributed_role,
    make_oracle,
)

PROJECT = "tuner"
SETTINGS_FILE = "search.json"


@dataclass(frozen=True)
class TuneOptions:
    """Everything about a tuning run except the data and the architecture."""

    cv: CVSettings = field(default_factory=CVSettings)
    trials: int = 40
    final_models: int = 5
    select_by: str = "training"
    search: str = "random"
    max_time: float | None = None  # seconds
    overwrite: bool = False
    seq_len: int | None = None
    word2vec_path: Path | None = None
    progress: bool = True


def _check_settings(out: Path, settings: dict[str, Any], overwrite: bool) -> None:
    """Refuse to resume a search that was started with other settings."""
    path = out / SETTINGS_FILE
    if not overwrite and (out / PROJECT).is_dir() and path.is_file():
        before = read_json(path)
        changed = sorted(key for key in settings if before.get(key) != settings[key])
        if changed:
            raise KerasbindError(
                f"{out} holds a search with other settings ({', '.join(changed)}); "
                "add --overwrite to start afresh or choose another --out"
            )
    write_json(path, settings)


def search(
    arch: ArchitectureSpec,
    train_set: SequenceSet,
    out: Path,
    space: space_module.Space,
    options: TuneOptions,
    progress: SearchProgress,
) -> tuple[CrossValidationTuner, Any]:
    """Run (or resume) the search; return the tuner and the prepared training inputs."""
    role = distributed_role()
    if role and options.max_time:
        raise KerasbindError("--max-time works on one machine only, not with KERASTUNER_* set")
    settings = {
        "architecture": arch.to_dict(),
        "space": space_module.space_for(arch, space),
        "search": options.search,
        **asdict(options.cv),
        "seq_len": options.seq_len,
        "n_train": len(train_set),
    }
    if role != "worker":
        _check_settings(out, settings, options.overwrite)
    if train_set.labels is not None:
        check_folds(train_set.labels, options.cv.folds, train_set.source)
    prepared = prepare_inputs(
        arch,
        train_set,
        seq_len=options.seq_len,
        seed=options.cv.seed,
        word2vec_path=options.word2vec_path,
    )
    oracle = make_oracle(
        options.search,
        space_module.hyperparameters(arch, space),
        trials=options.trials,
        settings=options.cv,
    )
    tuner = CrossValidationTuner(
        oracle,
        arch=arch,
        space=space,
        prepared=prepared,
        settings=options.cv,
        directory=str(out),
        project_name=PROJECT,
        overwrite=options.overwrite and role != "worker",
        progress=progress,
        deadline=time.time() + options.max_time if options.max_time else None,
    )
    try:
        tuner.search(verbose=0)
    except SearchTimeUp:
        progress.message(
            f"--max-time {format_duration(options.max_time or 0)} reached; run the same "
            "command again to continue the search"
        )
    return tuner, prepared


@interruptible
def tune(
    arch: ArchitectureSpec,
    train_set: SequenceSet,
    test_set: SequenceSet | None,
    out: Path | str,
    *,
    space: space_module.Space | None = None,
    options: TuneOptions | None = None,
    negatives: str = "none",
    neg_ratio: float = 1.0,
) -> dict[str, Any] | None:
    """Search, write ``trials.csv`` and ``best_hyperparameters.json``, train the final models,
    save the best as a run and score it on ``test_set``. Returns a summary (None on a
    distributed worker, whose trials the chief records)."""
    out = Path(out)
    space = space_module.TABLE2 if space is None else space
    options = options or TuneOptions()
    cv = options.cv
    progress = SearchProgress(folds=cv.folds, max_steps=cv.max_steps, enabled=options.progress)
    tuner, prepared = search(arch, train_set, out, space, options, progress)
    if distributed_role() == "worker":
        return None
    best = best_summary(best_trial(tuner.oracle), arch, space)
    table = trials_table(tuner.oracle, arch, space)
    write_atomic(out / "trials.csv", lambda tmp: table.to_csv(tmp, index=False))
    write_json(out / "best_hyperparameters.json", best)
    stopped = stopped_early(table)
    if stopped:
        counts = ", ".join(f"{n} {reason}" for reason, n in stopped.items())
        progress.message(f"{sum(stopped.values())} of {len(table)} trials stopped early: {counts}")
    progress.message(
        f"best: trial id {best['trial']}, CV AUC {best['cv_auc']:.4f} at {best['learning_steps']} "
        f"steps; training {options.final_models} final model(s)"
    )
    selection = train_final(
        arch,
        best["hyperparameters"],
        prepared,
        train_set,
        steps=best["learning_steps"],
        n_models=options.final_models,
        select_by=options.select_by,
        seed=cv.seed,
        freeze_embedding=cv.freeze_embedding,
        progress=progress,
    )
    tuning = {
        "search": options.search,
        "trials": len(table),
        "trial": best["trial"],
        "folds": cv.folds,
        "cv_auc": best["cv_auc"],
        "final": selection.to_dict(),
    }
    config = run_config(
        arch, HyperParameters.from_dict(best["hyperparameters"]), prepared.encoder,
        train_set=train_set, test_set=test_set, negatives=negatives, neg_ratio=neg_ratio,
        steps=best["learning_steps"], eval_every=best["learning_steps"],
        seed=cv.seed + selection.kept, freeze_embedding=cv.freeze_embedding, tuning=tuning,
    )  # fmt: skip
    save_run(out, selection.model, config, prepared.word2vec)
    update_json(out / "metrics.json", {"cv_auc": best["cv_auc"], "final": tuning["final"]})
    summary = {"best": best, "final": tuning["final"], "test": None, "stopped": stopped}
    if test_set is not None:
        summary["test"] = evaluate_into_run(out, selection.model, prepared.encoder, test_set)
    return summary
