"""The whole of ``kerasbind tune`` as one library call: search, record, final training, test.

Run directory (``out``): ``tuner/`` (KerasTuner's project: the resumable state), ``search.json``
(the settings the search was started with), ``trials.csv``, ``best_hyperparameters.json``, then
the run's files as `kerasbind.run.store` writes them beside the search (``model.keras``,
``kerasbind.json``, word vectors, ``metrics.json`` and, with a test set, ROC / PR curves).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, write_atomic, write_json
from kerasbind.fingerprint import data_fingerprint, file_fingerprint, short
from kerasbind.hyperparameters import HyperParameters
from kerasbind.locking import holds_lock
from kerasbind.models import ArchitectureSpec
from kerasbind.options import AUTO, TuneOptions
from kerasbind.run import Run, run_config, save
from kerasbind.sequences import SequenceSet
from kerasbind.training import interruptible
from kerasbind.tuning import space as space_module
from kerasbind.tuning.auto import (
    AutoTuner,
    architecture_ranking,
    auto_architectures,
    prepare_encodings,
    readable_architectures,
    tuner_first_trials,
)
from kerasbind.tuning.final import final_model_count, train_final
from kerasbind.tuning.priors import FIRST_TRIALS
from kerasbind.tuning.progress import SearchProgress, format_duration
from kerasbind.tuning.results import (
    best_summary,
    best_trial,
    steps_spent,
    stopped_early,
    trial_architecture,
    trials_table,
)
from kerasbind.tuning.resume import FINAL_MODELS_FILE
from kerasbind.tuning.time_budget import TimeBudget, trial_pace
from kerasbind.tuning.tuner import (
    CrossValidationTuner,
    SearchTimeUp,
    check_folds,
    distributed_role,
    make_oracle,
)

PROJECT = "tuner"
SETTINGS_FILE = "search.json"


def _check_settings(out: Path, settings: dict[str, Any], overwrite: bool) -> None:
    """Refuse to resume a search that was started with other settings or on other data (the
    training set's and word2vec file's fingerprints are part of the settings)."""
    path = out / SETTINGS_FILE
    if not overwrite and (out / PROJECT).is_dir() and path.is_file():
        before = read_json(path)
        if not isinstance(before, dict):
            raise KerasbindError(f"{path}: not a search record; add --overwrite to start afresh")
        if "data" not in before:  # written by a kerasbind that did not fingerprint the data
            warnings.warn(
                f"{path} records no fingerprint of the training data (older kerasbind); "
                "resuming on the assumption that the data are the same",
                stacklevel=2,
            )
            before = {**before, "data": settings["data"], "word2vec": settings["word2vec"]}
        changed = sorted(key for key in settings if before.get(key) != settings[key])
        if changed:
            raise KerasbindError(
                f"{out} holds a search {_differences(before, settings, changed)}; "
                "add --overwrite to start afresh or choose another --out"
            )
    write_json(path, settings)


def _differences(before: dict[str, Any], now: dict[str, Any], changed: list[str]) -> str:
    """``on other training data (…) and with other settings (folds)``, for the refusal."""
    parts = []
    if "data" in changed or "n_train" in changed:
        parts.append(
            f"on other training data ({before.get('n_train')} sequences, fingerprint "
            f"{short(before.get('data'))}; now {now['n_train']}, {short(now['data'])})"
        )
    if "word2vec" in changed:
        parts.append("with another word2vec file")
    others = [key for key in changed if key not in ("data", "n_train", "word2vec")]
    if others:
        parts.append(f"with other settings ({', '.join(others)})")
    return " and ".join(parts)


def search(
    arch: ArchitectureSpec | str,
    train_set: SequenceSet,
    out: Path,
    space: space_module.Space,
    options: TuneOptions,
    progress: SearchProgress,
    time_budget: TimeBudget | None = None,
) -> CrossValidationTuner:
    """Run (or resume) the search of ``arch`` (or of several architectures, ``"auto"``);
    return the tuner, which holds the prepared training inputs."""
    role = distributed_role()
    auto = arch == AUTO
    archs = auto_architectures(space) if auto else [arch]
    searched = {k: v for k, v in space.items() if k != FIRST_TRIALS}
    settings = {
        "architecture": AUTO if auto else arch.to_dict(),  # type: ignore[union-attr]
        "space": searched if auto else space_module.space_for(archs[0], space),
        "search": options.search,
        **asdict(options.cv),
        "seq_len": options.seq_len,
        "n_train": len(train_set),
        "data": data_fingerprint(train_set),
        "word2vec": options.word2vec and file_fingerprint(options.word2vec),
    }
    if FIRST_TRIALS in space:  # absent from searches recorded before first trials existed
        settings[FIRST_TRIALS] = space[FIRST_TRIALS]
    if role != "worker":
        _check_settings(out, settings, options.overwrite)
    if train_set.labels is not None:
        check_folds(train_set.labels, options.cv.folds, train_set.source)
    encodings = prepare_encodings(archs, train_set, options)
    if auto:
        archs = readable_architectures(archs, encodings, progress)
    oracle = make_oracle(
        options.search,
        space_module.tuner_hyperparameters(archs if auto else archs[0], space),
        trials=options.trials,
        settings=options.cv,
        first_trials=tuner_first_trials(archs, space, auto),
    )
    chosen: dict[str, Any] = (
        {"archs": archs, "encodings": encodings}
        if auto
        else {"arch": archs[0], "prepared": encodings[archs[0].embedding]}
    )
    tuner = (AutoTuner if auto else CrossValidationTuner)(
        oracle,
        **chosen,
        space=space,
        settings=options.cv,
        directory=str(out),
        project_name=PROJECT,
        overwrite=options.overwrite and role != "worker",
        progress=progress,
        time_budget=time_budget,
        final_models=options.final_models,
    )
    try:
        tuner.search(verbose=0)
    except SearchTimeUp:
        progress.message(
            f"time budget (--max-time {format_duration(options.max_time or 0)}): no new trial, "
            "to leave time for the final models; run the same command again to continue the "
            "search"
        )
    return tuner


def time_budget_for(options: TuneOptions, progress: SearchProgress) -> TimeBudget | None:
    """The time budget of one ``tune`` call: ``options.max_time`` from now, on one machine
    (with KERASTUNER_* set, trials run on several machines: none)."""
    if not options.max_time:
        return None
    if distributed_role():
        progress.message("the time budget (--max-time) is not used with KERASTUNER_* set")
        return None
    budget = TimeBudget(options.max_time)
    progress.deadline = budget.left
    return budget


@interruptible
@holds_lock("tune", unless=lambda: distributed_role() == "worker")
def tune(
    arch: ArchitectureSpec | str,
    train_set: SequenceSet,
    test_set: SequenceSet | None,
    out: Path | str,
    *,
    space: space_module.Space | None = None,
    options: TuneOptions | None = None,
) -> dict[str, Any] | None:
    """Search (``arch="auto"``: over several architectures, `auto`), write ``trials.csv`` and
    ``best_hyperparameters.json``, train the final models, score the best on ``test_set`` and
    save it as a run beside the search. Returns a summary with the `Run` (None on a distributed
    worker, whose trials the chief records)."""
    out = Path(out)
    space = space_module.TABLE2 if space is None else space
    options = options or TuneOptions()
    cv = options.cv
    progress = SearchProgress(folds=cv.folds, max_steps=cv.max_steps, enabled=options.progress)
    time_budget = time_budget_for(options, progress)
    tuner = search(arch, train_set, out, space, options, progress, time_budget)
    if distributed_role() == "worker":
        return None
    trial = best_trial(tuner.oracle)
    arch = trial_architecture(trial, tuner.arch)
    prepared = tuner.prepared_for(arch)
    best = best_summary(trial, arch, space)
    table = trials_table(tuner.oracle, arch, space)
    write_atomic(out / "trials.csv", lambda tmp: table.to_csv(tmp, index=False))
    write_json(out / "best_hyperparameters.json", best)
    stopped = stopped_early(table)
    if stopped:
        counts = ", ".join(f"{n} {reason}" for reason, n in stopped.items())
        progress.message(f"{sum(stopped.values())} of {len(table)} trials stopped early: {counts}")
    wanted = options.final_models
    if time_budget is not None:
        wanted = time_budget.final_models(trial_pace(trial, cv.folds), wanted)
    finals = final_model_count(arch, best["hyperparameters"], wanted, options.select_by)
    alone = " (these filters do not merge into an ensemble)" if finals < wanted else ""
    if wanted < options.final_models:
        alone += f" ({options.final_models} would not fit in the time budget)"
    progress.message(
        f"best: trial {best['trial']} ({arch.name}), CV AUC {best['cv_auc']:.4f} at "
        f"{best['learning_steps']} steps; training {finals} final model{'s' * (finals > 1)}" + alone
    )
    finals_state = Path(tuner.project_dir) / FINAL_MODELS_FILE  # resumable final training
    selection = train_final(
        arch,
        best["hyperparameters"],
        prepared,
        train_set,
        steps=best["learning_steps"],
        n_models=wanted,
        select_by=options.select_by,
        seed=cv.seed,
        freeze_embedding=cv.freeze_embedding,
        progress=progress,
        resume=finals_state,
        eval_every=cv.eval_every,
    )
    tuning = {
        "search": options.search,
        "trials": len(table),
        "budget": options.trials,
        "trial": best["trial"],
        "folds": cv.folds,
        "cv_auc": best["cv_auc"],
        "search_steps": steps_spent(table, cv.folds),
        "final": selection.to_dict(),
    }
    if isinstance(tuner, AutoTuner):
        tuning["architectures"] = architecture_ranking(table, cv.folds)
    hparams = HyperParameters.from_dict(selection.hparams or best["hyperparameters"])
    config = run_config(
        arch, hparams, prepared.encoder, options, train_set=train_set, test_set=test_set,
        steps=best["learning_steps"], eval_every=best["learning_steps"],
        seed=cv.seed + selection.kept, tuning=tuning,
    )  # fmt: skip
    run = Run(None, selection.model, config, prepared.encoder, arch, hparams, prepared.word2vec)
    summary = {"best": best, "final": tuning["final"], "test": None, "stopped": stopped}
    if test_set is not None:
        summary["test"] = run.evaluate(test_set)
    save(run, out, beside=True)
    finals_state.unlink(missing_ok=True)  # the final models are in the run now
    return {**summary, "run": run}
