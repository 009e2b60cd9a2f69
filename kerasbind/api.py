"""kerasbind's Python API (``import kerasbind as kb``); the command line is a shell over it.

Every function takes its data as a file path, a `SequenceSet`, a pandas DataFrame with a
``sequence`` (and ``label``) column, or a list of strings (with ``labels``). Importing this
module is cheap: TensorFlow starts when a function needs it. docs/api.md has a worked example.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasbind.datasets import apply_negatives, as_sequence_set, load_sequence_set, read_dataset
from kerasbind.errors import KerasbindError
from kerasbind.options import (
    AUTO_BUDGET,
    BUDGETS,
    DEFAULT_BUDGET,
    MAX_SEED,
    CVSettings,
    TrainOptions,
    TuneOptions,
    whole,
    with_changes,
)

if TYPE_CHECKING:
    import numpy as np

    from kerasbind.hyperparameters import HyperParameters
    from kerasbind.models import ArchitectureSpec
    from kerasbind.run import Run
    from kerasbind.sequences import SequenceSet

__all__ = [
    "BUDGETS",
    "TrainOptions",
    "TuneOptions",
    "load_run",
    "read_dataset",
    "read_sequences",
    "train",
    "tune",
]

PathLike = str | os.PathLike[str]


def read_sequences(
    source: Any,
    labels: Sequence[int] | np.ndarray | None = None,
    *,
    fmt: str = "auto",
    genome: PathLike | None = None,
    window: int = 101,
    strict: bool = False,
    negatives: str = "none",
    neg_ratio: float = 1.0,
    seed: int = 0,
) -> SequenceSet:
    """Sequences as a `SequenceSet`: a file in any format kerasbind reads (``fmt`` ``auto``,
    ``tsv``, ``deepbind``, ``ionmf``, ``fasta`` or ``bed`` with ``genome`` and ``window``), a
    DataFrame, a list of strings with optional ``labels``, or a set. An id that occurs twice in a
    file is a warning, or an error with ``strict``. ``negatives="shuffle"`` adds ``neg_ratio``
    dinucleotide-shuffled negatives per positive to a set that has none."""
    whole("seed", seed, 0, MAX_SEED)
    seqset = as_sequence_set(source, labels, fmt=fmt, genome=genome, window=window, strict=strict)
    return apply_negatives(seqset, negatives, neg_ratio, seed)


def load_run(path: PathLike, *, trust: bool = False) -> Run:
    """A run folder written by `train`, `tune` or `Run.save`. Loading never runs code from the
    folder; an older folder whose word2vec is a gensim pickle is refused unless ``trust`` (only
    for folders from someone you trust; ``.save`` then stores the vectors without pickle)."""
    _start_tensorflow()
    from kerasbind.run import load_run as load

    return load(path, trust=trust)


def train(
    arch: str | ArchitectureSpec,
    data: Any,
    *,
    test: Any = None,
    options: TrainOptions | None = None,
    out: PathLike | None = None,
    overwrite: bool = False,
    progress: bool = True,
    steps: int | None = None,
    eval_every: int | None = None,
    val_fraction: float | None = None,
    hparams: HyperParameters | dict[str, Any] | PathLike | None = None,
    seed: int | None = None,
    seq_len: int | None = None,
    word2vec: PathLike | None = None,
    freeze_embedding: bool | None = None,
    negatives: str | None = None,
    neg_ratio: float | None = None,
    strand: str | None = None,
) -> Run:
    """Train one architecture (a Table 1 name or a `kerasbind.architecture(...)` spec) for
    ``steps`` learning steps of 128 sequences, with the validation AUC of a held-out
    ``val_fraction`` every ``eval_every`` steps, and score it on ``test`` when given.

    ``options`` (`TrainOptions`, e.g. ``run.options`` to repeat a run) holds every setting;
    the keyword arguments given replace its fields (defaults: `TrainOptions`'). ``hparams``:
    `HyperParameters`, a partial dict, or a JSON file (missing keys take the architecture's
    defaults). ``out`` writes the run folder (an existing one only with ``overwrite``, then
    replaced whole); without it the run stays in memory until `Run.save`.
    """
    from kerasbind.files import check_new_folder

    if options is not None and not isinstance(options, TrainOptions):
        raise KerasbindError(
            f"options must be TrainOptions (kb.tune takes TuneOptions), not {options!r}"
        )
    chosen = with_changes(
        options or TrainOptions(), steps=steps, eval_every=eval_every, val_fraction=val_fraction,
        hparams=_hyperparameter_values(hparams), seed=seed, seq_len=seq_len,
        word2vec=_path_text("word2vec", word2vec), freeze_embedding=freeze_embedding,
        negatives=negatives, neg_ratio=neg_ratio, strand=strand,
    )  # fmt: skip
    if out is not None:
        check_new_folder(_path("out", out), overwrite, "run")
    _start_tensorflow()
    from kerasbind.hyperparameters import HyperParameters
    from kerasbind.pipeline import fit_model, hold_out, labelled_inputs, prepare_inputs
    from kerasbind.run import Run, run_config
    from kerasbind.runtime import set_seed

    set_seed(chosen.seed)
    spec = _architecture(arch)
    hp = HyperParameters.for_architecture(spec, chosen.hparams)
    train_set, test_set = _train_and_test(data, test, chosen)
    fit_set, validation_set = train_set, None
    if chosen.val_fraction > 0:
        fit_set, validation_set = hold_out(train_set, chosen.val_fraction, chosen.seed)
    prepared = prepare_inputs(
        spec, fit_set, seq_len=chosen.seq_len, seed=chosen.seed, word2vec_path=chosen.word2vec,
        strand=chosen.strand,
    )  # fmt: skip
    hp = HyperParameters.from_dict(prepared.model_hyperparameters(hp.to_dict()))
    validation = None
    if validation_set is not None:
        validation = labelled_inputs(prepared, validation_set).for_validation()
    model, history = fit_model(
        spec, hp.to_dict(), prepared, steps=chosen.steps, eval_every=chosen.eval_every,
        seed=chosen.seed, validation=validation, freeze_embedding=chosen.freeze_embedding,
        progress=progress,
    )  # fmt: skip
    config = run_config(
        spec, hp, prepared.encoder, chosen, train_set=fit_set, test_set=test_set,
        steps=chosen.steps, eval_every=chosen.eval_every, seed=chosen.seed,
        history=history.to_dict(),
        n_validation=len(validation_set) if validation_set is not None else 0,
        metrics={"validation_auc": history.val_auc[-1]} if validation else {},
    )  # fmt: skip
    run = Run(None, model, config, prepared.encoder, spec, hp, prepared.word2vec)
    if test_set is not None:
        run.evaluate(test_set)
    if out is not None:
        run.save(out, overwrite=overwrite)
    return run


def tune(
    arch: str | ArchitectureSpec,
    data: Any,
    *,
    test: Any = None,
    options: TuneOptions | None = None,
    budget: str | None = None,
    out: PathLike | None = None,
    overwrite: bool = False,
    progress: bool = True,
    trials: int | None = None,
    folds: int | None = None,
    max_steps: int | None = None,
    eval_every: int | None = None,
    final_models: int | None = None,
    select_by: str | None = None,
    search: str | None = None,
    space: dict[str, Any] | PathLike | None = None,
    max_time: float | None = None,
    exhaustive: bool | None = None,
    seed: int | None = None,
    seq_len: int | None = None,
    word2vec: PathLike | None = None,
    freeze_embedding: bool | None = None,
    negatives: str | None = None,
    neg_ratio: float | None = None,
    strand: str | None = None,
) -> Run | None:
    """deepRAM's model selection (docs/tuning.md): ``trials`` hyper-parameter settings, each
    scored by ``folds``-fold cross-validated AUC every ``eval_every`` steps up to ``max_steps``;
    then ``final_models`` models with the best setting, the best one kept (``select_by``
    ``training``, the paper's rule, or ``validation``) and scored on ``test``. ``arch="auto"``
    searches the nine architectures at once, the architecture a hyper-parameter.

    ``options`` (`TuneOptions`, e.g. ``run.options`` of a tuned run) holds every setting, or
    ``budget`` (``standard``, the default; ``auto``, the default of ``arch="auto"``; ``paper``,
    deepRAM's protocol; ``quick``; see `BUDGETS`) fills the numbers and space not given; the
    keyword arguments given replace fields. ``space`` (a dict or JSON file) replaces Table 2
    entries and may list ``first_trials``; ``max_time`` is in seconds. The search state lives
    in ``out`` (run the same call again to resume); without ``out`` it lives in a temporary
    folder and the run is returned in memory. Returns ``None`` on a distributed worker.
    """
    from kerasbind.files import check_writable

    given = dict(
        trials=trials, folds=folds, max_steps=max_steps, eval_every=eval_every,
        final_models=final_models, select_by=select_by, search=search,
        space=_space_overrides(space), max_time=max_time, exhaustive=exhaustive, seed=seed,
        seq_len=seq_len, word2vec=_path_text("word2vec", word2vec),
        freeze_embedding=freeze_embedding, negatives=negatives, neg_ratio=neg_ratio,
        strand=strand, overwrite=overwrite, progress=progress,
    )  # fmt: skip
    auto = isinstance(arch, str) and arch == "auto"
    if auto and options is None:
        budget = budget or AUTO_BUDGET
    chosen = _tune_options(options, budget, given)
    if out is not None:
        check_writable(_path("out", out), "run")
    _start_tensorflow()
    from kerasbind.runtime import set_seed
    from kerasbind.tuning.search import tune as run_search
    from kerasbind.tuning.space import load_space

    set_seed(chosen.seed)
    spec = "auto" if auto else _architecture(arch)
    full_space = {**load_space(None), **(chosen.space or {})}
    train_set, test_set = _train_and_test(data, test, chosen)

    def search_into(folder: Path) -> Run | None:
        summary = run_search(spec, train_set, test_set, folder, space=full_space, options=chosen)
        return None if summary is None else summary["run"]

    if out is not None:
        return search_into(Path(out))
    with tempfile.TemporaryDirectory(prefix="kerasbind-tune-") as folder:
        run = search_into(Path(folder))
        if run is not None:
            run.path = None
        return run


def _tune_options(
    options: TuneOptions | None, budget: str | None, given: dict[str, Any]
) -> TuneOptions:
    """``options`` (or ``budget``'s) with the fields ``given`` (not ``None``) replaced."""
    if options is None:
        return TuneOptions.from_budget(budget or DEFAULT_BUDGET, **given)
    if not isinstance(options, TuneOptions):
        raise KerasbindError(
            f"options must be TuneOptions (kb.train takes TrainOptions), not {options!r}"
        )
    if budget is not None:
        raise KerasbindError("give options= or budget=, not both")
    cv_names = {f.name for f in fields(CVSettings)}
    cv = with_changes(options.cv, **{k: v for k, v in given.items() if k in cv_names})
    return with_changes(options, cv=cv, **{k: v for k, v in given.items() if k not in cv_names})


def _hyperparameter_values(
    hparams: HyperParameters | dict[str, Any] | PathLike | None,
) -> dict[str, Any] | None:
    """``hparams`` as a (partial) dict; a JSON file is read here, once."""
    from kerasbind.hyperparameters import HyperParameters, read_hyperparameter_file

    if hparams is None or isinstance(hparams, dict):
        return hparams
    if isinstance(hparams, HyperParameters):
        return hparams.to_dict()
    return read_hyperparameter_file(_path("hparams", hparams))


def _space_overrides(space: dict[str, Any] | PathLike | None) -> dict[str, Any] | None:
    """``space`` as checked Table 2 overrides; a JSON file is read here."""
    from kerasbind.tuning.space import check_space, space_overrides

    if space is None:
        return None
    if isinstance(space, dict):
        return check_space(space)
    return space_overrides(_path("space", space))


def _path(name: str, value: Any) -> Path:
    if isinstance(value, bool) or not isinstance(value, str | os.PathLike):
        raise KerasbindError(f"{name} must be a path (str or pathlib.Path), not {value!r}")
    return Path(value)


def _path_text(name: str, value: Any) -> str | None:
    return None if value is None else str(_path(name, value))


def _train_and_test(
    data: Any, test: Any, options: TrainOptions | TuneOptions
) -> tuple[SequenceSet, SequenceSet | None]:
    """The labelled training set and test set (or ``None``); ``negatives="shuffle"`` also
    applies to a test set that has no negatives of its own."""
    reading = {"negatives": options.negatives, "neg_ratio": options.neg_ratio, "seed": options.seed}
    train_set = load_sequence_set(data, **reading)
    test_set = None if test is None else load_sequence_set(test, **reading)
    return train_set, test_set


def _architecture(arch: str | ArchitectureSpec) -> ArchitectureSpec:
    from kerasbind.models import ArchitectureSpec, resolve_architecture

    if isinstance(arch, ArchitectureSpec):
        return arch
    if not isinstance(arch, str):
        raise KerasbindError(f"arch must be an architecture name or spec, not {arch!r}")
    return resolve_architecture(arch)


def _start_tensorflow() -> None:
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()
