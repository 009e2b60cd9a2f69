"""Typed hyper-parameters (the free fields of paper Table 2), checked when they are made.

`HyperParameters` is what a user gives and what ``kerasbind.json`` records (its `to_dict`); the
model builder and the tuner read the same names as a plain dict. The values are checked for
what a model can be built with (e.g. a positive learning rate), not for Table 2's search ranges:
a user may train outside them. Light to import (no Keras), so the command line can check a
``--hparams`` file before TensorFlow starts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasbind.encoding import EMBEDDING_DIM
from kerasbind.errors import KerasbindError

if TYPE_CHECKING:
    from kerasbind.models import ArchitectureSpec

OPTIMIZERS = ("sgd", "adagrad")
INITIALISERS = ("xavier", "normal")
# how a convolution-only model pools its last convolution (docs/models.md): "global", deepRAM's
# maximum over the sequence; "positional", that maximum beside the maxima of equal bins
POOLINGS = ("global", "positional")
# hyper-parameters added after run folders were first written: the value that means what such
# a folder's model did, filled in when one without it is read
ADDED_LATER = {"pooling": "global", "embedding_dim": EMBEDDING_DIM}


# the checks made on construction: name -> (test, what the value must be)
MAX_UNITS = 10_000  # filters, recurrent and dense units: a model that can be built
_INTEGERS = {"filters": 1, "rnn_units": 1, "dense_units": 0, "embedding_dim": 1}  # smallest
_NUMBERS = {
    "learning_rate": (lambda v: v > 0, "> 0"),
    "momentum": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "conv_init_std": (lambda v: v > 0, "> 0"),
    "rnn_init_std": (lambda v: v > 0, "> 0"),
    "dense_init_std": (lambda v: v > 0, "> 0"),
    "weight_decay": (lambda v: v >= 0, ">= 0"),
    "dropout_keep": (lambda v: 0 < v <= 1, "a keep probability in (0, 1]"),
}
_CHOICES = {"optimizer": OPTIMIZERS, "init": INITIALISERS, "pooling": POOLINGS}


@dataclass(frozen=True)
class HyperParameters:
    """One model's hyper-parameters (docs/models.md says what each one does). Make them with
    `for_architecture`, which starts from the architecture's defaults."""

    filters: int
    rnn_units: int
    dense_units: int
    optimizer: str
    learning_rate: float
    momentum: float
    init: str
    conv_init_std: float
    rnn_init_std: float
    dense_init_std: float
    weight_decay: float
    dropout_keep: float
    pooling: str = "global"
    # the k-mer vectors' width: the word2vec vectors' (`kerasbind.pipeline.PreparedInputs`), ×N
    # in a merged ensemble (`kerasbind.models.merge`); not searched, and unused by one-hot models
    embedding_dim: int = EMBEDDING_DIM

    def __post_init__(self) -> None:
        for name in self.names():
            check_value(name, getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        """The plain dict ``kerasbind.json``, the builder and the tuner use."""
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "hyper-parameters") -> HyperParameters:
        """Complete values (all keys but those `ADDED_LATER`) as typed hyper-parameters;
        unknown keys are an error."""
        values = {**ADDED_LATER, **values}
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise KerasbindError(
                f"{source}: unknown hyper-parameters {', '.join(unknown)} "
                f"(known: {', '.join(cls.names())})"
            )
        missing = [key for key in cls.names() if key not in values]
        if missing:
            raise KerasbindError(f"{source}: hyper-parameters missing: {', '.join(missing)}")
        try:
            return cls(**{key: _plain(values[key]) for key in cls.names()})
        except KerasbindError as error:
            raise KerasbindError(f"{source}: {error}") from None

    @classmethod
    def for_architecture(
        cls,
        arch: ArchitectureSpec,
        given: HyperParameters | dict[str, Any] | str | Path | None = None,
    ) -> HyperParameters:
        """``arch``'s defaults updated from ``given``: typed values, a (partial) dict, or a JSON
        file holding a flat object or one under ``"hyperparameters"`` (e.g. a kerasbind.json or
        best_hyperparameters.json)."""
        from kerasbind.models import default_hyperparameters

        if isinstance(given, HyperParameters):
            return given
        source = "hyper-parameters"
        if isinstance(given, str | Path):
            source, given = str(given), read_hyperparameter_file(given)
        return cls.from_dict({**default_hyperparameters(arch), **(given or {})}, source)

    def replace(self, **changes: Any) -> HyperParameters:
        """A copy with some values changed (checked again)."""
        return replace(self, **changes)


def check_value(name: str, value: Any) -> None:
    """Refuse ``value`` for hyper-parameter ``name`` unless a model can be built with it (the
    check made on construction; search spaces check their values with it too)."""
    if name in _INTEGERS:
        smallest = _INTEGERS[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not smallest <= value <= MAX_UNITS
        ):
            raise KerasbindError(
                f"hyper-parameter {name} must be a whole number >= {smallest} and "
                f"<= {MAX_UNITS:,}, not {value!r}"
            )
    elif name in _CHOICES:
        if not isinstance(value, str) or value not in _CHOICES[name]:
            raise KerasbindError(
                f"hyper-parameter {name} must be one of {', '.join(_CHOICES[name])}, not {value!r}"
            )
    else:
        test, wanted = _NUMBERS[name]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not (number and math.isfinite(value) and test(value)):
            raise KerasbindError(f"hyper-parameter {name} must be {wanted}, not {value!r}")


def read_hyperparameter_file(path: str | Path) -> dict[str, Any]:
    """The hyper-parameter object in a JSON file (flat, or under ``"hyperparameters"``), its
    names checked; light, so a bad file is reported before TensorFlow starts."""
    from kerasbind.files import read_json

    if not Path(path).is_file():
        raise KerasbindError(f"{path}: hyper-parameter file not found")
    given = read_json(path)
    given = given.get("hyperparameters", given) if isinstance(given, dict) else given
    if not isinstance(given, dict):
        raise KerasbindError(f"{path}: expected a JSON object of hyper-parameters")
    unknown = sorted(set(given) - set(HyperParameters.names()))
    if unknown:
        raise KerasbindError(
            f"{path}: unknown hyper-parameters {', '.join(unknown)} "
            f"(known: {', '.join(HyperParameters.names())})"
        )
    return given


def _plain(value: Any) -> Any:
    """NumPy scalars (from the tuner) as Python numbers; whole floats kept as they are."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value
