"""A run's ``kerasbind.json`` description, built in one place for `train` and `tune` alike."""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from kerasbind.encoding import EncoderSpec
from kerasbind.hyperparameters import HyperParameters
from kerasbind.models import ArchitectureSpec
from kerasbind.options import TrainOptions, TuneOptions

if TYPE_CHECKING:
    from kerasbind.sequences import SequenceSet

# the command line being run, recorded in the runs it makes (None for the Python API)
_COMMAND: ContextVar[str | None] = ContextVar("kerasbind_command", default=None)


@contextmanager
def command_line(argv: Sequence[str]) -> Iterator[None]:
    """While a ``kerasbind`` command runs, the runs it makes record it (``"command"``)."""
    token = _COMMAND.set(shlex.join(["kerasbind", *argv]))
    try:
        yield
    finally:
        _COMMAND.reset(token)


def run_config(
    arch: ArchitectureSpec,
    hparams: HyperParameters,
    encoder: EncoderSpec,
    options: TrainOptions | TuneOptions,
    *,
    train_set: SequenceSet,
    test_set: SequenceSet | None,
    steps: int,
    eval_every: int,
    seed: int,
    history: dict[str, Any] | None = None,
    n_validation: int = 0,
    metrics: dict[str, Any] | None = None,
    tuning: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A run's ``kerasbind.json`` description (without versions, which a save adds):
    ``options`` are what the run was asked for, ``training`` what the kept model was trained
    with (for a tuned run: the chosen steps and the kept final model's seed)."""
    from kerasbind.training import BATCH_SIZE

    config = {
        "architecture": arch.to_dict(),
        "hyperparameters": hparams.to_dict(),
        "encoder": encoder.to_dict(),
        "options": options.to_dict(),
        "command": _COMMAND.get(),
        "data": {
            "train": train_set.source,
            "n_train": len(train_set),
            "n_train_positive": train_set.n_positive,
            "n_validation": n_validation,
            "negatives": options.negatives,
            "neg_ratio": options.neg_ratio,
            "test": test_set.source if test_set is not None else None,
        },
        "training": {
            "steps": steps,
            "eval_every": eval_every,
            "batch_size": BATCH_SIZE,
            "seed": seed,
            "freeze_embedding": options.freeze_embedding,
            "history": history,
        },
        "metrics": metrics or {},
    }
    if tuning is not None:
        config["tuning"] = tuning
    return config


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("kerasbind", "keras", "tensorflow", "numpy", "gensim"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def metrics_record(config: dict[str, Any]) -> dict[str, Any]:
    """What ``metrics.json`` holds: the search's CV AUC and final models for a tuned run, and
    the test figures once there are some (empty: no file)."""
    record: dict[str, Any] = {}
    tuning = config.get("tuning")
    if isinstance(tuning, dict):
        record.update({"cv_auc": tuning.get("cv_auc"), "final": tuning.get("final")})
    test = config.get("metrics", {}).get("test")
    if test:
        record["test"] = test
    return record
