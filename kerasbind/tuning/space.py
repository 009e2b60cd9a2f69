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
parameter's default value.

Two more keys: ``"first_trials"``, a list of settings (model names and values, partial: the
architecture's defaults fill the rest) that the search tries first, in order, before any random
draw (default ``[{}]``: the defaults); and ``"architecture"`` (``choice`` or ``fixed`` of names),
the architectures ``--arch auto`` chooses among (default all nine). A first trial may name its
``"architecture"`` (under ``--arch auto`` it picks the architecture; otherwise an entry naming
another one is left out).

``"per_architecture"``: ``{NAME: {rule, ...}}``, rules that replace the space's own for one
architecture (`rules_for`), e.g. a wider ``filters`` choice for ``deepbind`` alone. Under
``--arch auto`` such a rule is a tuner parameter of its own (`own_key`), conditional on that
architecture, and the space's rule is conditional on the others.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.files import read_json
from kerasbind.hyperparameters import check_value
from kerasbind.models import (
    ARCHITECTURES,
    HYPERPARAMETER_KEYS,
    ArchitectureSpec,
    default_hyperparameters,
)
from kerasbind.tuning.priors import ARCHITECTURE, FIRST_TRIALS, PER_ARCHITECTURE, rule_allows

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
# choice or fixed
NOT_RANGES = ("filters", "rnn_units", "dense_units", "optimizer", "init", "pooling")
MAX_CHOICES = 100


def used_keys(arch: ArchitectureSpec) -> list[str]:
    """The hyper-parameters ``arch`` has a use for, in Table 2 order."""
    unused = set()
    if arch.conv_layers == 0:
        unused |= {"filters", "conv_init_std"}
    if arch.rnn is None:
        unused |= {"rnn_units", "rnn_init_std"}
    if arch.rnn is not None or arch.conv_layers == 0:  # pooling is the convolution-only head's
        unused.add("pooling")
    return [key for key in HYPERPARAMETER_KEYS if key not in unused]


def check_space(space: Space, source: str = "search space") -> Space:
    """Validate a space and return it: known names, one rule each, and every value a rule can
    give one a model can be built with (`hyperparameters.check_value`), e.g. no ``filters``
    of ``true`` or 10**12, no negative learning rate, no range over a whole-number parameter."""
    if not isinstance(space, dict):
        raise KerasbindError(f"{source}: expected a JSON object of hyper-parameter rules")
    for name, rule in space.items():
        if name == FIRST_TRIALS:
            _check_first_trials(rule, source)
            continue
        if name == ARCHITECTURE:
            _check_architectures(rule, source)
        elif name == PER_ARCHITECTURE:
            _check_per_architecture(rule, source)
        else:
            _check_named_rule(name, rule, source)
    return space


def _check_named_rule(name: str, rule: Any, source: str) -> None:
    if name not in HYPERPARAMETER_KEYS:
        raise KerasbindError(
            f"{source}: unknown hyper-parameter {name!r} (one of {', '.join(HYPERPARAMETER_KEYS)})"
        )
    if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in RULES:
        raise KerasbindError(
            f'{source}: {name} needs one rule, e.g. {{"choice": [...]}}; rules: ' + ", ".join(RULES)
        )
    kind, value = next(iter(rule.items()))
    try:
        _check_rule(name, kind, value)
    except KerasbindError as error:
        raise KerasbindError(f"{source}: {name}: {error}") from None


def _check_per_architecture(entries: Any, source: str) -> None:
    """``{architecture name: {hyper-parameter: rule}}``; a conditional parameter (momentum, the
    recurrent and dense standard deviations) keeps one rule for all."""
    where = f"{source}: {PER_ARCHITECTURE}"
    if not isinstance(entries, dict):
        raise KerasbindError(f"{where}: expected an object of architecture names")
    _check_names(list(entries), where)
    for arch, rules in entries.items():
        if not isinstance(rules, dict):
            raise KerasbindError(f"{where}: {arch}: expected an object of hyper-parameter rules")
        for name, rule in rules.items():
            if name in CONDITIONS:
                raise KerasbindError(
                    f"{where}: {arch}: {name} depends on {CONDITIONS[name][0]} and takes one "
                    "rule for every architecture"
                )
            _check_named_rule(name, rule, f"{where}: {arch}")


def _check_rule(name: str, kind: str, value: Any) -> None:
    if kind == "fixed":
        check_value(name, value)
    elif kind == "choice":
        if not (isinstance(value, list) and 0 < len(value) <= MAX_CHOICES):
            raise KerasbindError(f"'choice' needs a non-empty list of at most {MAX_CHOICES}")
        for candidate in value:
            check_value(name, candidate)
    else:
        if name in NOT_RANGES:
            raise KerasbindError(f"{kind!r} does not suit it; use 'choice' or 'fixed'")
        numbers = isinstance(value, list) and len(value) == 2
        numbers = numbers and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
        if not (numbers and value[0] < value[1] and (kind != "log_uniform" or value[0] > 0)):
            raise KerasbindError(
                f"{kind!r} needs [low, high] with low < high"
                + (" and low > 0" if kind == "log_uniform" else "")
            )
        for end in value:
            check_value(name, end)


def _check_first_trials(entries: Any, source: str) -> None:
    """A list (at most `MAX_CHOICES`) of objects of hyper-parameter values, each one a model
    can be built with, and an optional ``architecture`` name."""
    if not (isinstance(entries, list) and len(entries) <= MAX_CHOICES):
        raise KerasbindError(f"{source}: {FIRST_TRIALS} needs a list of at most {MAX_CHOICES}")
    for number, entry in enumerate(entries, start=1):
        where = f"{source}: {FIRST_TRIALS} entry {number}"
        if not isinstance(entry, dict):
            raise KerasbindError(f"{where}: expected an object of hyper-parameter values")
        for name, value in entry.items():
            if name == ARCHITECTURE:
                _check_names([value], where)
            elif name not in HYPERPARAMETER_KEYS:
                raise KerasbindError(f"{where}: unknown hyper-parameter {name!r}")
            else:
                try:
                    check_value(name, value)
                except KerasbindError as error:
                    raise KerasbindError(f"{where}: {error}") from None


def _check_architectures(rule: Any, source: str) -> None:
    if not (isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in ("choice", "fixed")):
        raise KerasbindError(f'{source}: {ARCHITECTURE} needs {{"choice": [names]}} or "fixed"')
    kind, value = next(iter(rule.items()))
    names = value if kind == "choice" else [value]
    if not (isinstance(names, list) and names):
        raise KerasbindError(f"{source}: {ARCHITECTURE}: 'choice' needs a non-empty list")
    _check_names(names, f"{source}: {ARCHITECTURE}")


def _check_names(names: list[Any], where: str) -> None:
    for name in names:
        if name not in ARCHITECTURES:
            raise KerasbindError(
                f"{where}: unknown architecture {name!r} (one of {', '.join(ARCHITECTURES)})"
            )


def architecture_names(space: Space) -> list[str]:
    """The architectures ``--arch auto`` chooses among: the space's ``architecture`` rule, or
    all nine."""
    rule = space.get(ARCHITECTURE)
    if rule is None:
        return list(ARCHITECTURES)
    kind, value = next(iter(rule.items()))
    return list(value) if kind == "choice" else [value]


def first_trials(space: Space) -> list[dict[str, Any]]:
    """The settings tried first, in order (default: the architecture's defaults alone)."""
    return list(space.get(FIRST_TRIALS) or [{}])


def load_space(path: Path | None) -> Space:
    """Table 2, with the entries of the JSON file at ``path`` (if any) replacing its own."""
    return dict(TABLE2) if path is None else {**TABLE2, **space_overrides(path)}


def space_overrides(path: Path | str) -> Space:
    """The checked entries of a ``--space`` JSON file."""
    return check_space(read_json(path), str(path))


def rules_for(arch: ArchitectureSpec, space: Space) -> Space:
    """``space``'s rules for ``arch``: its own, with ``per_architecture``'s for ``arch``."""
    rules = {k: v for k, v in space.items() if k in HYPERPARAMETER_KEYS}
    return {**rules, **_own_rules(arch, space)}


def _own_rules(arch: ArchitectureSpec, space: Space) -> Space:
    """The ``per_architecture`` rules of ``arch`` (none when the space gives it none)."""
    return space.get(PER_ARCHITECTURE, {}).get(arch.name, {})


def space_for(arch: ArchitectureSpec, space: Space) -> Space:
    """The rules of ``space`` that ``arch`` uses (`rules_for`)."""
    rules = rules_for(arch, space)
    return {key: rules[key] for key in used_keys(arch) if key in rules}


def _typed(value: Any, like: Any) -> Any:
    """``value`` as the type of the default (JSON writes 1.0 as 1)."""
    if isinstance(like, float) and isinstance(value, int | float):
        return float(value)
    return value


def _sqrt_u(value: float, low: float, high: float) -> float:
    """The ``u`` in [0, 1] that maps to ``value`` under ``low + (high - low) * sqrt(u)``."""
    return min(1.0, max(0.0, (value - low) / (high - low))) ** 2


def tuner_hyperparameters(arch: ArchitectureSpec | list[ArchitectureSpec], space: Space) -> Any:
    """A `keras_tuner.HyperParameters` with the parameters ``arch`` uses, defaults first. Given
    several architectures (``--arch auto``), ``architecture`` is a choice among their names,
    declared first, then every parameter one of them uses: a trial's model takes the ones its
    architecture uses (`to_model`, `active_values`); an architecture's own rule
    (``per_architecture``) is a parameter of its own (`own_key`), conditional on it. (KerasTuner
    cannot nest a condition on the architecture with one on ``init`` or ``optimizer`` declared
    outside it.)"""
    import keras_tuner

    archs = arch if isinstance(arch, list) else [arch]
    several = isinstance(arch, list)
    hp = keras_tuner.HyperParameters()
    if several:
        hp.Choice(ARCHITECTURE, [a.name for a in archs])
    for name in HYPERPARAMETER_KEYS:  # Table 2 order: parents before their children
        users = [a for a in archs if name in space_for(a, space)]
        own = [a for a in users if several and _own(a, name, space)]
        shared = [a for a in users if a not in own]
        if shared:  # under auto and beside own rules: only for the architectures it serves
            condition = (ARCHITECTURE, [a.name for a in shared]) if own else CONDITIONS.get(name)
            _declare_in(hp, name, space_for(shared[0], space)[name], shared[0], condition)
        for user in own:
            rule = space_for(user, space)[name]
            _declare_in(hp, own_key(name, user), rule, user, (ARCHITECTURE, [user.name]), name)
    return hp


def own_key(name: str, arch: ArchitectureSpec) -> str:
    """The tuner's name for ``arch``'s own rule of ``name`` when several architectures are
    searched (``filters@deepbind``): KerasTuner keeps one value per name, so two rules of one
    name, each conditional on its architectures, would overwrite each other."""
    return f"{name}@{arch.name}"


def _own(arch: ArchitectureSpec, name: str, space: Space) -> bool:
    return name in _own_rules(arch, space)


def _declare_in(
    hp: Any,
    key: str,
    rule: dict[str, Any],
    user: ArchitectureSpec,
    condition: tuple[str, Any] | None,
    name: str | None = None,
) -> None:
    """Declare ``rule`` as the tuner parameter ``key`` (of the model's ``name``, default
    ``key``; its default ``user``'s), under ``condition``: (parent, value or values)."""
    kind, value = next(iter(rule.items()))
    default = default_hyperparameters(user)[name or key]
    if condition is None:
        _declare(hp, key, kind, value, default)
        return
    parent, wanted = condition
    with hp.conditional_scope(parent, wanted if isinstance(wanted, list) else [wanted]):
        _declare(hp, key, kind, value, default)


def _key_in(values: dict[str, Any], arch: ArchitectureSpec, name: str, kind: str) -> str:
    """The key of ``arch``'s ``name`` among a trial's values (`own_key` where it has one)."""
    suffix = SQRT_SUFFIX if kind == "sqrt_uniform" else ""
    own = own_key(name, arch) + suffix
    return own if own in values else name + suffix


def first_trial_values(
    arch: ArchitectureSpec, space: Space, entry: dict[str, Any], several: bool = False
) -> dict[str, Any]:
    """A first trial as the tuner's values: ``arch``'s defaults with ``entry``'s values, for
    the parameters ``arch`` uses that ``space`` declares (``momentum`` as its ``u``; an own
    rule as `own_key` when ``several`` architectures are searched). A value ``entry`` gives
    must be one the space's rule can draw; defaults are only preferred (the oracle falls back
    to the declared default where the space excludes one)."""
    values = {**default_hyperparameters(arch), **entry}
    wanted: dict[str, Any] = {}
    for name, rule in space_for(arch, space).items():
        kind, bounds = next(iter(rule.items()))
        if name in entry and not rule_allows(kind, bounds, entry[name]):
            raise KerasbindError(
                f"{FIRST_TRIALS}: {name} {entry[name]!r} is not in the search space ({rule})"
            )
        key = own_key(name, arch) if several and _own(arch, name, space) else name
        if kind == "sqrt_uniform":
            wanted[key + SQRT_SUFFIX] = _sqrt_u(values[name], *bounds)
        else:
            wanted[key] = _typed(values[name], default_hyperparameters(arch)[name])
    return wanted


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
        key = _key_in(values, arch, name, kind)
        if key not in values:
            continue
        if kind == "sqrt_uniform":
            low, high = value
            hparams[name] = low + (high - low) * math.sqrt(values[key])
        else:
            hparams[name] = values[key]
    return hparams


def active_values(arch: ArchitectureSpec, space: Space, values: dict[str, Any]) -> dict[str, Any]:
    """The model hyper-parameters a trial actually set (searched and active), by model name."""
    hparams = to_model(arch, space, values)
    return {
        name: hparams[name]
        for name, rule in space_for(arch, space).items()
        if _key_in(values, arch, name, next(iter(rule))) in values
    }
