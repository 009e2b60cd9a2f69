"""Cells (dataset × architecture): the plan, its shards, their records, running one."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasbind import __version__
from kerasbind.benchmark.budget import Budget
from kerasbind.benchmark.sources import DatasetSource
from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, write_json
from kerasbind.sequences import SequenceSet

RUNS = "runs"
RECORD = "benchmark.json"


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


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` with 1 ≤ I ≤ N."""
    index, slash, count = text.partition("/")
    if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise KerasbindError(f"--shard {text}: expected I/N with 1 <= I <= N, e.g. 2/8")
    return int(index), int(count)


def shard(cells: Sequence[Cell], index: int, count: int) -> list[Cell]:
    """Shard ``index`` of ``count`` (1-based): cells ``index-1``, ``index-1+count``, … of the
    plan, so shards are disjoint, cover the plan and are balanced across architectures."""
    return list(cells[index - 1 :: count])


def read_record(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / RECORD
    return read_json(path) if path.is_file() else None


def settings(budget: Budget, seed: int, negatives: str, neg_ratio: float) -> dict[str, Any]:
    """What a finished cell must share with the command for it to be skipped."""
    return {
        "budget": budget.name,
        "budget_numbers": budget.numbers(),
        "seed": seed,
        "negatives": negatives,
        "neg_ratio": neg_ratio,
    }


def finished(cell: Cell, out: Path, wanted: dict[str, Any]) -> bool:
    """Whether the cell is done with these settings; done with others is an error."""
    record = read_record(cell.run_dir(out))
    if record is None or record.get("status") != "done":
        return False
    recorded = {key: record.get(key) for key in wanted}
    if recorded != wanted:
        changed = ", ".join(sorted(k for k in wanted if recorded[k] != wanted[k]))
        raise KerasbindError(
            f"{cell.run_dir(out)} was benchmarked with other settings ({changed}); "
            "choose another --out"
        )
    return True


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

    started = time.time()
    tuned = kb.tune(
        cell.architecture, train, test=test, seed=wanted["seed"], out=cell.run_dir(out),
        negatives=wanted["negatives"], neg_ratio=wanted["neg_ratio"], progress=progress,
        **budget.numbers(),
    )  # fmt: skip
    if tuned is None:
        return None
    test_metrics = tuned.metrics["test"]
    record = {
        **base_record(cell, wanted),
        "status": "done",
        "n_train": len(train),
        "n_train_positive": train.n_positive,
        "test_auc_roc": test_metrics["auc_roc"],
        "test_auc_pr": test_metrics["auc_pr"],
        "cv_auc": tuned.config["tuning"]["cv_auc"],
        "learning_steps": tuned.config["training"]["steps"],
        "seconds": round(time.time() - started, 1),
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
