"""kerasbind's Python API (``import kerasbind as kb``); the command line is a shell over it.

Every function takes its data as a file path, a `SequenceSet`, a pandas DataFrame with a
``sequence`` (and ``label``) column, or a list of strings (with ``labels``). Importing this
module is cheap: TensorFlow starts when a function needs it. docs/api.md has a worked example.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasbind.datasets import (
    apply_negatives,
    as_sequence_set,
    check_negatives,
    load_sequence_set,
    read_dataset,
)
from kerasbind.errors import KerasbindError

if TYPE_CHECKING:
    import numpy as np

    from kerasbind.hyperparameters import HyperParameters
    from kerasbind.models import ArchitectureSpec
    from kerasbind.rundir import Run
    from kerasbind.sequences import SequenceSet

__all__ = ["BUDGETS", "load_run", "read_dataset", "read_sequences", "train", "tune"]

# train's defaults (the command line shows them in --help)
DEFAULT_STEPS = 5000
DEFAULT_EVAL_EVERY = 1000
# tune's budget presets; numbers given explicitly win
BUDGETS = {
    "paper": dict(trials=40, folds=3, max_steps=40_000, eval_every=5_000, final_models=5),
    "quick": dict(trials=4, folds=2, max_steps=1_500, eval_every=500, final_models=2),
}
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
    seqset = as_sequence_set(source, labels, fmt=fmt, genome=genome, window=window, strict=strict)
    return apply_negatives(seqset, negatives, neg_ratio, seed)


def load_run(path: PathLike) -> Run:
    """A run directory written by `train`, `tune` or `Run.save`."""
    _quiet()
    from kerasbind.rundir import load_run as load

    return load(path)


def train(
    arch: str | ArchitectureSpec,
    data: Any,
    *,
    test: Any = None,
    steps: int = DEFAULT_STEPS,
    eval_every: int = DEFAULT_EVAL_EVERY,
    val_fraction: float = 0.1,
    hparams: HyperParameters | dict[str, Any] | PathLike | None = None,
    seed: int = 0,
    out: PathLike | None = None,
    seq_len: int | None = None,
    word2vec: PathLike | None = None,
    freeze_embedding: bool = False,
    negatives: str = "none",
    neg_ratio: float = 1.0,
    progress: bool = True,
) -> Run:
    """Train one architecture (a Table 1 name or a `kerasbind.architecture(...)` spec) for
    ``steps`` learning steps of 128 sequences, with the validation AUC of a held-out
    ``val_fraction`` every ``eval_every`` steps, and score it on ``test`` when given.

    ``hparams``: `HyperParameters`, a partial dict, or a JSON file (missing keys take the
    architecture's defaults). ``out`` writes the run directory; without it the run stays in
    memory until `Run.save`.
    """
    from kerasbind.files import check_writable
    from kerasbind.hyperparameters import read_hyperparameter_file

    _positive(steps=steps, eval_every=eval_every, seq_len=seq_len)
    if not 0.0 <= val_fraction < 1.0:
        raise KerasbindError(f"val_fraction must be in [0, 1), not {val_fraction}")
    check_negatives(negatives, neg_ratio)
    if isinstance(hparams, str | os.PathLike):
        read_hyperparameter_file(hparams)
    if out is not None:
        check_writable(out, "run")
    _quiet()
    from kerasbind.hyperparameters import HyperParameters
    from kerasbind.pipeline import encode_set, fit_model, hold_out, prepare_inputs
    from kerasbind.rundir import Run, run_config
    from kerasbind.runtime import set_seed

    set_seed(seed)
    spec = _architecture(arch)
    hp = HyperParameters.for_architecture(spec, hparams)
    train_set, test_set = _train_and_test(data, test, negatives, neg_ratio, seed)
    fit_set, validation_set = train_set, None
    if val_fraction > 0:
        fit_set, validation_set = hold_out(train_set, val_fraction, seed)
    prepared = prepare_inputs(spec, fit_set, seq_len=seq_len, seed=seed, word2vec_path=word2vec)
    validation = None
    if validation_set is not None:
        validation = (encode_set(prepared.encoder, validation_set), validation_set.labels)
    model, history = fit_model(
        spec, hp.to_dict(), prepared, steps=steps, eval_every=eval_every, seed=seed,
        validation=validation, freeze_embedding=freeze_embedding, progress=progress,
    )  # fmt: skip
    config = run_config(
        spec, hp, prepared.encoder, train_set=fit_set, test_set=test_set, negatives=negatives,
        neg_ratio=neg_ratio, steps=steps, eval_every=eval_every, seed=seed,
        freeze_embedding=freeze_embedding, history=history.to_dict(),
        n_validation=len(validation_set) if validation_set is not None else 0,
        metrics={"validation_auc": history.val_auc[-1]} if validation else {},
    )  # fmt: skip
    run = Run(None, model, config, prepared.encoder, spec, hp, prepared.word2vec)
    if out is not None:
        run.save(out)
    if test_set is not None:
        run.evaluate(test_set)  # recorded in the run directory when there is one
    return run


def tune(
    arch: str | ArchitectureSpec,
    data: Any,
    *,
    test: Any = None,
    budget: str = "paper",
    trials: int | None = None,
    folds: int | None = None,
    max_steps: int | None = None,
    eval_every: int | None = None,
    final_models: int | None = None,
    select_by: str = "training",
    search: str = "random",
    space: dict[str, Any] | PathLike | None = None,
    max_time: float | None = None,
    exhaustive: bool = False,
    overwrite: bool = False,
    seed: int = 0,
    out: PathLike | None = None,
    seq_len: int | None = None,
    word2vec: PathLike | None = None,
    freeze_embedding: bool = False,
    negatives: str = "none",
    neg_ratio: float = 1.0,
    progress: bool = True,
) -> Run | None:
    """deepRAM's model selection (docs/tuning.md): ``trials`` hyper-parameter settings, each
    scored by ``folds``-fold cross-validated AUC every ``eval_every`` steps up to ``max_steps``;
    then ``final_models`` models with the best setting, the best one kept (``select_by``
    ``training``, the paper's rule, or ``validation``) and scored on ``test``.

    ``budget`` (``paper`` or ``quick``, see `BUDGETS`) fills the numbers not given; ``space``
    (a dict or JSON file) replaces Table 2 entries; ``max_time`` is in seconds. The search state
    lives in ``out`` (run the same call again to resume); without ``out`` it lives in a
    temporary folder and the run is returned in memory. Returns ``None`` on a distributed worker.
    """
    from kerasbind.files import check_writable

    if budget not in BUDGETS:
        raise KerasbindError(f"unknown budget {budget!r}; choose from {', '.join(BUDGETS)}")
    given = dict(
        trials=trials, folds=folds, max_steps=max_steps, eval_every=eval_every,
        final_models=final_models,
    )  # fmt: skip
    numbers = {k: v if v is not None else BUDGETS[budget][k] for k, v in given.items()}
    _positive(**numbers, seq_len=seq_len)
    if numbers["folds"] < 2:
        raise KerasbindError("folds must be at least 2")
    if max_time is not None and not max_time > 0:
        raise KerasbindError(f"max_time must be a positive number of seconds, not {max_time}")
    check_negatives(negatives, neg_ratio)
    if out is not None:
        check_writable(out, "run")
    _quiet()
    from kerasbind.rundir import saved_word2vec
    from kerasbind.runtime import set_seed
    from kerasbind.tuning.search import TuneOptions
    from kerasbind.tuning.search import tune as run_search
    from kerasbind.tuning.space import check_space, load_space
    from kerasbind.tuning.tuner import CVSettings

    set_seed(seed)
    spec = _architecture(arch)
    if isinstance(space, dict):
        space = {**load_space(None), **check_space(space)}
    else:
        space = load_space(None if space is None else Path(space))
    train_set, test_set = _train_and_test(data, test, negatives, neg_ratio, seed)
    options = TuneOptions(
        cv=CVSettings(
            folds=numbers["folds"], max_steps=numbers["max_steps"],
            eval_every=numbers["eval_every"], exhaustive=exhaustive, seed=seed,
            freeze_embedding=freeze_embedding,
        ),
        trials=numbers["trials"], final_models=numbers["final_models"], select_by=select_by,
        search=search, max_time=max_time, overwrite=overwrite, seq_len=seq_len,
        word2vec_path=None if word2vec is None else Path(word2vec), progress=progress,
    )  # fmt: skip

    def search_into(folder: Path) -> Run | None:
        summary = run_search(
            spec, train_set, test_set, folder, space=space, options=options,
            negatives=negatives, neg_ratio=neg_ratio,
        )  # fmt: skip
        return None if summary is None else load_run(folder)

    if out is not None:
        return search_into(Path(out))
    with tempfile.TemporaryDirectory(prefix="kerasbind-tune-") as folder:
        run = search_into(Path(folder))
        if run is not None:
            run.word2vec, run.path = saved_word2vec(Path(folder)), None
        return run


def _train_and_test(
    data: Any, test: Any, negatives: str, neg_ratio: float, seed: int
) -> tuple[SequenceSet, SequenceSet | None]:
    """The labelled training set and test set (or ``None``); ``negatives="shuffle"`` also
    applies to a test set that has no negatives of its own."""
    options = {"negatives": negatives, "neg_ratio": neg_ratio, "seed": seed}
    train_set = load_sequence_set(data, **options)
    test_set = None if test is None else load_sequence_set(test, **options)
    return train_set, test_set


def _architecture(arch: str | ArchitectureSpec) -> ArchitectureSpec:
    from kerasbind.models import ArchitectureSpec, resolve_architecture

    return arch if isinstance(arch, ArchitectureSpec) else resolve_architecture(arch)


def _positive(**numbers: int | None) -> None:
    for name, value in numbers.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise KerasbindError(f"{name} must be a whole number >= 1, not {value!r}")


def _quiet() -> None:
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()
