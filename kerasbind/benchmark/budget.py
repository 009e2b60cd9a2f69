"""Benchmark budgets: a ``tune`` preset by name, or a JSON file of the five numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kerasbind.errors import InputError, KerasbindError
from kerasbind.files import read_json

KEYS = ("trials", "folds", "max_steps", "eval_every", "final_models")


def presets() -> dict[str, dict[str, int]]:
    """``tune``'s ``--budget`` presets (the one import of them in this package)."""
    from kerasbind.api import BUDGETS

    return BUDGETS


@dataclass(frozen=True)
class Budget:
    """A named set of search numbers (``name`` goes into ``results.csv``)."""

    name: str
    trials: int
    folds: int
    max_steps: int
    eval_every: int
    final_models: int

    def numbers(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in KEYS}


def load_budget(spec: str | Path) -> Budget:
    """``quick``, ``paper`` or ``FILE.json``: an object with any of the five numbers and an
    optional ``"base"`` preset (default ``quick``) that supplies the others."""
    table = presets()
    if str(spec) in table:
        return Budget(str(spec), **table[str(spec)])
    path = Path(spec)
    if not path.is_file():
        raise KerasbindError(f"--budget {spec}: not {' or '.join(table)}, and no such file")
    given = read_json(path)
    if not isinstance(given, dict):
        raise InputError(path, None, "expected a JSON object of budget numbers")
    base = given.pop("base", "quick")
    if base not in table:
        raise InputError(path, None, f"unknown base {base!r}; use {' or '.join(table)}")
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        known = ", ".join(KEYS)
        raise InputError(path, None, f"unknown keys {', '.join(unknown)} (known: {known})")
    numbers = {**table[base], **given}
    if any(not isinstance(v, int) or v < 1 for v in numbers.values()) or numbers["folds"] < 2:
        raise InputError(path, None, "budget numbers must be positive integers, folds at least 2")
    return Budget(path.stem, **numbers)
