"""Cells (dataset × architecture): the plan, its shards, their records, running one.

A cell's identity is its dataset's canonical name and its data's fingerprint
(`DatasetSource.fingerprint`), kept in ``cell.json`` in the cell's folder: two cells of one
plan that would share a folder, or a folder that holds a cell of other data under the same
name, are refused before anything trains. A process runs a cell holding the cell folder's lock
(`kerasbind.locking`), so two commands on one ``OUT`` never run the same cell at once.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasbind import __version__
from kerasbind.benchmark.budget import Budget
from kerasbind.benchmark.compute import LEDGER, ComputeMeter
from kerasbind.benchmark.sources import DatasetSource
from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, write_json
from kerasbind.locking import FolderInUse, folder_lock
from kerasbind.options import RECORDED_BEFORE_STRANDS
from kerasbind.sequences import SequenceSet

RUNS = "runs"
RECORD = "benchmark.json"
IDENTITY = "cell.json"


class CellSkipped(KerasbindError):
    """Another process runs the cell, or finished it since the plan was made."""


@dataclass(frozen=True)
class Cell:
    source: DatasetSource
    architecture: str

    def run_dir(self, out: Path) -> Path:
        return out / RUNS / self.source.name / self.architecture


def plan(sources: Sequence[DatasetSource], architectures: Sequence[str]) -> list[Cell]:
    """Every cell, architecture by architecture in the order given (the first architecture on
    all datasets before the second starts)."""
    return [Cell(source, arch) for arch in architectures for source in sources]


def shard(cells: Sequence[Cell], index: int, count: int) -> list[Cell]:
    """Shard ``index`` of ``count`` (1-based): cells ``index-1``, ``index-1+count``, … of the
    plan, so shards are disjoint, cover the plan and are balanced across architectures."""
    return list(cells[index - 1 :: count])


def _folder_key(cell: Cell) -> tuple[str, ...]:
    """The cell folder's parts as a case-insensitive file system sees them."""
    return tuple(part.casefold() for part in (*cell.source.name.split("/"), cell.architecture))


def check_plan(cells: Sequence[Cell], out: Path) -> None:
    """Refuse, before anything trains, two cells of the plan that would share a folder (the
    same name twice, names differing only in case, a cell folder inside another) and a cell
    folder under ``out`` that holds the same dataset name for other data."""
    ordered = sorted(cells, key=_folder_key)
    for first, second in itertools.pairwise(ordered):
        a, b = _folder_key(first), _folder_key(second)
        if b[: len(a)] == a:
            where = "one folder" if a == b else "a folder inside the other"
            raise KerasbindError(
                f"datasets {first.source.name!r} ({first.source.origin}) and "
                f"{second.source.name!r} ({second.source.origin}) would give cells "
                f"{first.run_dir(out)} and {second.run_dir(out)} {where}; give them distinct names"
            )
    fingerprints: dict[str, str] = {}
    for cell in cells:
        name = cell.source.name
        fingerprints[name] = fingerprints.get(name) or cell.source.fingerprint()
        recorded = read_identity(cell.run_dir(out))
        if recorded is not None and recorded.get("source") != fingerprints[name]:
            raise KerasbindError(
                f"{cell.run_dir(out)} holds dataset {name!r} from other data (recorded "
                f"{recorded.get('files') or recorded.get('source')}); {cell.source.origin} "
                "names other data with that name: give it another name or choose another --out"
            )


def identity(source: DatasetSource) -> dict[str, Any]:
    """What ``cell.json`` records: the name, the fingerprint and where the data came from."""
    files = None if source.tfds else [str(source.train), str(source.test)]
    return {"dataset": source.name, "source": source.fingerprint(), "files": files}


def read_identity(run_dir: Path) -> dict[str, Any] | None:
    """The cell folder's ``cell.json`` (None for a new cell, or one from an older kerasbind)."""
    path = run_dir / IDENTITY
    found = read_json(path) if path.is_file() else None
    if found is not None and not isinstance(found, dict):
        raise KerasbindError(f"{path}: not a cell identity record")
    return found


def read_record(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / RECORD
    record = read_json(path) if path.is_file() else None
    if record is not None and not isinstance(record, dict):
        raise KerasbindError(f"{path}: not a benchmark record")
    return record


def settings(
    budget: Budget, seed: int, negatives: str, neg_ratio: float, strand: str = "auto"
) -> dict[str, Any]:
    """What a finished cell must share with the command for it to be skipped."""
    return {
        "budget": budget.name,
        "budget_numbers": budget.numbers(),
        "seed": seed,
        "negatives": negatives,
        "neg_ratio": neg_ratio,
        "strand": strand,
    }


def finished(cell: Cell, out: Path, wanted: dict[str, Any]) -> bool:
    """Whether the cell is done with these settings; done with others is an error."""
    record = read_record(cell.run_dir(out))
    if record is None or record.get("status") != "done":
        return False
    record = {**RECORDED_BEFORE_STRANDS, **record}  # a cell recorded before strands: one
    recorded = {key: record.get(key) for key in wanted}
    if recorded != wanted:
        changed = ", ".join(sorted(k for k in wanted if recorded[k] != wanted[k]))
        raise KerasbindError(
            f"{cell.run_dir(out)} was benchmarked with other settings ({changed}); "
            "choose another --out"
        )
    return True


@contextlib.contextmanager
def claimed(cell: Cell, out: Path, wanted: dict[str, Any], *, lock: bool = True) -> Iterator[None]:
    """Run the block as the cell's one writer: holding its folder's lock (`CellSkipped` if
    another process has it, or finished the cell meanwhile), its identity recorded first and a
    failure of the block recorded as the cell's (then raised again)."""
    run_dir = cell.run_dir(out)
    try:
        with folder_lock(run_dir, "benchmark") if lock else contextlib.nullcontext():
            if finished(cell, out, wanted):
                raise CellSkipped("finished by another process meanwhile")
            write_json(run_dir / IDENTITY, identity(cell.source))
            try:
                yield
            except Exception as error:
                record_failure(cell, out, wanted, error)
                raise
    except FolderInUse as error:
        raise CellSkipped(str(error)) from None


def run_cell(
    cell: Cell,
    out: Path,
    train: SequenceSet,
    test: SequenceSet,
    budget: Budget,
    wanted: dict[str, Any],
    progress: bool = True,
) -> dict[str, Any] | None:
    """Tune one cell (resuming its KerasTuner project) and write its record; None on a
    distributed worker, whose trials the chief records."""
    import kerasbind as kb

    meter = ComputeMeter(ledger=cell.run_dir(out) / LEDGER)
    tuned = kb.tune(
        cell.architecture, train, test=test, seed=wanted["seed"], out=cell.run_dir(out),
        negatives=wanted["negatives"], neg_ratio=wanted["neg_ratio"], strand=wanted["strand"],
        progress=progress,
        budget=budget.base, **budget.numbers(),
    )  # fmt: skip
    if tuned is None:
        return None
    test_metrics = tuned.metrics["test"]
    tuning = tuned.config["tuning"]
    steps = tuned.config["training"]["steps"]
    record = {
        **base_record(cell, wanted),
        "status": "done",
        "n_train": len(train),
        "n_train_positive": train.n_positive,
        "test_auc_roc": test_metrics["auc_roc"],
        "test_auc_pr": test_metrics["auc_pr"],
        "cv_auc": tuning["cv_auc"],
        "chosen_architecture": tuned.config["architecture"]["name"],
        "learning_steps": steps,
        "trials": tuning["trials"],
        "total_steps": tuning["search_steps"] + steps * budget.final_models,
        **meter.read(),
    }
    write_json(cell.run_dir(out) / RECORD, record)
    return record


def base_record(cell: Cell, wanted: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataset": cell.source.name,
        "architecture": cell.architecture,
        **wanted,
        "kerasbind_version": __version__,
    }


def record_failure(cell: Cell, out: Path, wanted: dict[str, Any], error: BaseException) -> None:
    """Mark the cell failed (it is tried again on the next run)."""
    write_json(
        cell.run_dir(out) / RECORD,
        {
            **base_record(cell, wanted),
            "status": "failed",
            "error": f"{type(error).__name__}: {error}",
        },
    )
