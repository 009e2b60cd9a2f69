"""What a report reads of ``kerasbind.json`` besides the model's description (which
`kerasbind.run.schema` checks when the run loads), checked: a run folder may come from a
stranger, and a hand-edited or hostile field is a one-line error naming it, not a traceback."""

from __future__ import annotations

from typing import Any

from kerasbind.errors import KerasbindError

# section -> the figures in it that the report formats as numbers (each may be absent or null)
FIGURES = {
    "metrics": ("cv_auc",),
    "metrics.test": ("auc_roc", "auc_pr", "n", "n_positive"),
    "metrics.validation": ("auc_roc",),
    "data": ("n_train", "n_train_positive"),
    "training": ("steps",),
    "tuning": ("cv_auc", "trials", "folds", "budget", "trial"),
}


def check_record(config: dict[str, Any]) -> None:
    """Each section of `FIGURES` an object and its figures numbers; the ``--arch auto`` ranking
    (``tuning.architectures``) row by row; a `KerasbindError` naming the field otherwise."""
    for name, keys in FIGURES.items():
        section = _section(config, name)
        for key in keys:
            value = section.get(key)
            if value is not None and not is_number(value):
                raise KerasbindError(f"{name}.{key} must be a number, not {value!r:.60}")
    ranking = _section(config, "tuning").get("architectures", [])
    for index, row in enumerate(ranking if isinstance(ranking, list) else [None]):
        if not _ranking_row(row):
            raise KerasbindError(
                f"tuning.architectures[{index}] is not an architecture's ranking (architecture,"
                " cv_auc, trials, seconds, steps and, if cut, cut.cv_auc and cut.stopped_at)"
            )


def is_number(value: Any) -> bool:
    """An int or a float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _section(config: dict[str, Any], dotted: str) -> dict[str, Any]:
    """``config``'s section at a dotted path (empty where absent); an error where not an object."""
    section: Any = config
    for depth, key in enumerate(dotted.split(".")):
        section = section.get(key) or {}
        if not isinstance(section, dict):
            where = ".".join(dotted.split(".")[: depth + 1])
            raise KerasbindError(f"{where} must be an object, not {type(section).__name__}")
    return section


def _ranking_row(row: Any) -> bool:
    if not isinstance(row, dict) or not isinstance(row.get("architecture"), str):
        return False
    cut = row.get("cut")
    return (
        (row.get("cv_auc") is None or is_number(row["cv_auc"]))
        and all(is_number(row.get(key)) for key in ("trials", "seconds", "steps"))
        and (cut is None or isinstance(cut, dict))
        and (cut is None or (is_number(cut.get("cv_auc")) and is_number(cut.get("stopped_at"))))
    )
