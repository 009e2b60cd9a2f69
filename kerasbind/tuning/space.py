"""The search space of paper Table 2, as plain data, and its KerasTuner form.

A space maps model hyper-parameter names (`kerasbind.models.HYPERPARAMETER_KEYS`) to one rule:

- ``{"choice": [v1, v2, ...]}`` — uniform over the values;
- ``{"log_uniform": [low, high]}`` — uniform in log space (``hp.Float(..., sampling="log")``);
- ``{"uniform": [low, high]}`` — uniform;
- ``{"sqrt_uniform": [low, high]}`` — ``low + (high - low) * sqrt(u)`` with ``u`` uniform in
  [0, 1], as in DeepBind's and deepRAM's ``sqrtsampler``: density rising linearly towards
  ``high``. KerasTuner samples ``u`` (named ``<name>_u``); the model gets the mapped value;
- ``{"fixed": value}``.

Only the parameters an architecture uses are declared: ``filters`` needs convolutions,
``rnn_units`` a recurrent module, ``momentum`` is conditional on ``optimizer == "sgd"`` and the
recurrent and dense initial standard deviations on ``init == "normal"`` (with Xavier they play
no part). ``conv_init_std`` is always active: ``conv_1`` is drawn from N(0, ``conv_init_std``)
under either init, as in deepRAM's code. Parameters
not declared keep `kerasbind.models.default_hyperparameters`, which are also each declared
parameter's default value (the search's first trial).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.models import HYPERPARAMETER_KEYS, ArchitectureSpec, default_hyperparameters

Space = dict[str, dict[str, Any]]

TABLE2: Space = {
    "filters": {"choice": [16, 32]},
    "rnn_units": {"choice": [20, 50, 80, 100]},
    "dense_units": {"choice": [0, 32, 64]},
    "optimizer": {"choice": ["sgd", "adagrad"]},
    "learning_rate": {"log_uniform": [1e-3, 1e-1]},
    "momentum": {"sqrt_uniform": [0.95, 0.99]},
    "init": {"choice": ["xavier", "normal"]},
    "conv_init_std": {"log_uniform": [1e-6, 1e-1]},
    "rnn_init_std": {"log_uniform": [1e-6, 1e-1]},
    "dense_init_std": {"log_uniform": [1e-5, 1e-1]},
    "weight_decay": {"log_uniform": [1e-10, 1e-1]},
    "dropout_keep": {"choice": [0.4, 0.55, 0.7, 0.85, 1.0]},
}
RULES = ("choice", "log_uniform", "uniform", "sqrt_uniform", "fixed")
# parameter -> (parent, value that activates it)
CONDITIONS = {
    "momentum": ("optimizer", "sgd"),
    "rnn_init_std": ("init", "normal"),
    "dense_init_std": ("init", "normal"),
}
SQRT_SUFFIX = "_u"


def used_keys(arch: ArchitectureSpec) -> list[str]:
    """The hyper-parameters ``arch`` has a use for, in Table 2 order."""
    unused = set()
    if arch.conv_layers == 0:
        unused |= {"filters", "conv_init_std"}
    if arch.rnn is None:
        unused |= {"rnn_units", "rnn_init_std"}
    return [key for key in HYPERPARAMETER_KEYS if key not in unused]


def check_space(space: Space, source: str = "search space") -> Space:
    """Validate a space (unknown names, rules and ranges) and return it."""
    for name, rule in space.items():
        if name not in HYPERPARAMETER_KEYS:
            raise KerasbindError(
                f"{source}: unknown hyper-parameter {name!r} "
                f"(one of {', '.join(HYPERPARAMETER_KEYS)})"
            )
        if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in RULES:
            raise KerasbindError(
                f'{source}: {name} needs one rule, e.g. {{"choice": [...]}}; rules: '
                + ", ".join(RULES)
            )
        kind, value = next(iter(rule.items()))
        if kind == "choice" and not (isinstance(value, list) and value):
            raise KerasbindError(f"{source}: {name}: 'choice' needs a non-empty list")
        if kind in ("log_uniform", "uniform", "sqrt_uniform") and not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) for v in value)
            and value[0] < value[1]
            and (kind != "log_uniform" or value[0] > 0)
        ):
            raise KerasbindError(
                f"{source}: {name}: {kind!r} needs [low, high] with low < high"
                + (" and low > 0" if kind == "log_uniform" else "")
            )
    return space


def load_space(path: Path | None) -> Space:
    """Table 2, with the entries of the JSON file at ``path`` (if any) replacing its own."""
    space = dict(TABLE2)
    if path is None:
        return space
    try:
        overrides = json.loads(Path(path).read_text())
    except OSError as error:
        raise KerasbindError(f"{path}: cannot read ({error.strerror})") from error
    except json.JSONDecodeError as error:
        raise KerasbindError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(overrides, dict):
        raise KerasbindError(f"{path}: expected a JSON object of hyper-parameter rules")
    space.update(check_space(overrides, str(path)))
    return space


def space_for(arch: ArchitectureSpec, space: Space) -> Space:
    """The part of ``space`` that ``arch`` uses."""
    return {key: space[key] for key in used_keys(arch) if key in space}


def _typed(value: Any, like: Any) -> Any:
    """``value`` as the type of the default (JSON writes 1.0 as 1)."""
    if isinstance(like, float) and isinstance(value, int | float):
        return float(value)
    return value


def _sqrt_u(value: float, low: float, high: float) -> float:
    """The ``u`` in [0, 1] that maps to ``value`` under ``low + (high - low) * sqrt(u)``."""
    return min(1.0, max(0.0, (value - low) / (high - low))) ** 2


def hyperparameters(arch: ArchitectureSpec, space: Space) -> Any:
    """A `keras_tuner.HyperParameters` with the parameters ``arch`` uses, defaults first."""
    import keras_tuner

    defaults = default_hyperparameters(arch)
    hp = keras_tuner.HyperParameters()
    for name, rule in space_for(arch, space).items():
        kind, value = next(iter(rule.items()))
        default = defaults[name]
        parent = CONDITIONS.get(name)  # declared before its children (Table 2 order)
        if parent is not None:
            with hp.conditional_scope(parent[0], [parent[1]]):
                _declare(hp, name, kind, value, default)
        else:
            _declare(hp, name, kind, value, default)
    return hp


def _declare(hp: Any, name: str, kind: str, value: Any, default: Any) -> None:
    if kind == "fixed":
        hp.Fixed(name, _typed(value, default))
    elif kind == "choice":
        values = [_typed(v, default) for v in value]
        hp.Choice(name, values, default=default if default in values else values[0])
    elif kind == "sqrt_uniform":
        hp.Float(name + SQRT_SUFFIX, 0.0, 1.0, default=_sqrt_u(default, *value))
    else:
        low, high = float(value[0]), float(value[1])
        hp.Float(
            name,
            low,
            high,
            sampling="log" if kind == "log_uniform" else "linear",
            default=min(high, max(low, float(default))),
        )


def to_model(arch: ArchitectureSpec, space: Space, values: dict[str, Any]) -> dict[str, Any]:
    """Complete model hyper-parameters from a trial's values (defaults for the rest)."""
    hparams = default_hyperparameters(arch)
    for name, rule in space_for(arch, space).items():
        kind, value = next(iter(rule.items()))
        if kind == "sqrt_uniform" and name + SQRT_SUFFIX in values:
            low, high = value
            hparams[name] = low + (high - low) * math.sqrt(values[name + SQRT_SUFFIX])
        elif name in values:
            hparams[name] = values[name]
    return hparams


def active_values(arch: ArchitectureSpec, space: Space, values: dict[str, Any]) -> dict[str, Any]:
    """The model hyper-parameters a trial actually set (searched and active), by model name."""
    hparams = to_model(arch, space, values)
    return {
        name: hparams[name]
        for name in space_for(arch, space)
        if name in values or name + SQRT_SUFFIX in values
    }
