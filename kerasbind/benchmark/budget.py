"""Benchmark budgets: a ``tune`` preset by name, or a JSON file of the five numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kerasbind.errors import InputError, KerasbindError
from kerasbind.files import read_json
from kerasbind.options import BUDGET_KEYS as KEYS
from kerasbind.options import BUDGETS, TuneOptions

# a trial keeps every fold's AUC at every checkpoint: their number is bounded
MAX_CHECKPOINTS = 1_000


@dataclass(frozen=True)
class Budget:
    """A named set of search numbers (``name`` goes into ``results.csv``), checked when made as
    `tune` checks them (whole numbers within bounds, ``eval_every`` at most ``max_steps``) and
    for the number of checkpoints. ``base``: the preset whose search space (`TuneOptions.space`)
    the budget takes."""

    name: str
    trials: int
    folds: int
    max_steps: int
    eval_every: int
    final_models: int
    base: str = "quick"

    def __post_init__(self) -> None:
        TuneOptions.from_budget(**self.numbers())  # the checks `tune` makes of these numbers
        if self.max_steps // self.eval_every > MAX_CHECKPOINTS:
            raise KerasbindError(
                f"max_steps / eval_every must be at most {MAX_CHECKPOINTS:,} checkpoints, not "
                f"{self.max_steps:,} / {self.eval_every:,}"
            )

    def numbers(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in KEYS}


def load_budget(spec: str | Path) -> Budget:
    """A preset name (`BUDGETS`) or ``FILE.json``: an object with any of the five numbers and
    an optional ``"base"`` preset (default ``quick``) that supplies the others and the space."""
    if str(spec) in BUDGETS:
        return Budget(str(spec), **BUDGETS[str(spec)], base=str(spec))
    path = Path(spec)
    if not path.is_file():
        raise KerasbindError(f"--budget {spec}: not {' or '.join(BUDGETS)}, and no such file")
    given = read_json(path)
    if not isinstance(given, dict):
        raise InputError(path, None, "expected a JSON object of budget numbers")
    base = given.pop("base", "quick")
    if not isinstance(base, str) or base not in BUDGETS:
        raise InputError(path, None, f"base must be {' or '.join(BUDGETS)}, not {base!r}")
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        known = ", ".join(KEYS)
        raise InputError(path, None, f"unknown keys {', '.join(unknown)} (known: {known})")
    try:
        return Budget(path.stem, **{**BUDGETS[base], **given}, base=base)
    except KerasbindError as error:
        raise InputError(path, None, str(error)) from None
