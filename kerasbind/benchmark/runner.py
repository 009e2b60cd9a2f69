"""`run_benchmark`: run this shard's unfinished cells, then redraw the summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kerasbind.benchmark import cells as cells_module
from kerasbind.benchmark.budget import Budget, load_budget
from kerasbind.benchmark.figures import draw_figures
from kerasbind.benchmark.html import write_html
from kerasbind.benchmark.results import auc_table, collect, write_csv
from kerasbind.benchmark.sources import DatasetSource, load_source, resolve_datasets
from kerasbind.errors import KerasbindError

RESULTS = "results.csv"
FAILED = "failed.csv"
HTML = "benchmark.html"
FIGURES = "figures"


@dataclass
class BenchmarkSummary:
    """What a call did and what ``OUT`` now holds."""

    results: pd.DataFrame
    failures: pd.DataFrame
    trained: list[str] = field(default_factory=list)
    skipped: int = 0
    pending: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)


def resolve_architectures(names: str | Sequence[str]) -> list[str]:
    """``deepbind,dilated`` or ``all`` (the nine of Table 1) as a checked list."""
    from kerasbind.models import ARCHITECTURES

    if isinstance(names, str):
        names = [name.strip() for name in names.split(",") if name.strip()]
    if list(names) == ["all"]:
        return list(ARCHITECTURES)
    unknown = [name for name in names if name not in ARCHITECTURES]
    if unknown or not names:
        raise KerasbindError(
            f"--arch: unknown {', '.join(unknown) or 'empty list'}; use 'all' or names from "
            f"{', '.join(ARCHITECTURES)}"
        )
    return list(dict.fromkeys(names))


def _say(progress: bool, text: str) -> None:
    if progress:
        print(f"benchmark: {text}", file=sys.stderr, flush=True)


def _pending(plan: list[cells_module.Cell], out: Path) -> list[str]:
    """The plan's cells with no record yet (not run, running, or in another shard)."""
    return [
        f"{c.source.name} × {c.architecture}"
        for c in plan
        if cells_module.read_record(c.run_dir(out)) is None
    ]


def summarise(out: Path, pending: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """Write ``results.csv``, ``failed.csv``, the figures and ``benchmark.html`` from every
    cell recorded under ``OUT/runs``."""
    results, failures = collect(out)
    write_csv(results, out / RESULTS)
    write_csv(failures, out / FAILED)
    aucs = auc_table(results)
    figures = draw_figures(results, aucs, out / FIGURES)
    budgets = ", ".join(sorted(set(results["budget"].astype(str)))) or "none yet"
    title = (
        f"kerasbind benchmark: {aucs.shape[0]} datasets × {aucs.shape[1]} architectures "
        f"(budget {budgets})"
    )
    write_html(out / HTML, title, results, aucs, failures, pending, figures)
    return results, failures, figures


def run_benchmark(
    architectures: str | Sequence[str],
    datasets: str | Path | Sequence[DatasetSource],
    out: str | Path,
    *,
    budget: str | Path | Budget = "quick",
    seed: int = 0,
    shard: tuple[int, int] = (1, 1),
    negatives: str = "none",
    neg_ratio: float = 1.0,
    data_dir: Path | None = None,
    manual_dir: Path | None = None,
    progress: bool = True,
) -> BenchmarkSummary:
    """Tune every unfinished (dataset, architecture) cell of shard ``shard`` = (I, N) as an
    ordinary ``tune`` run in ``OUT/runs/DATASET/ARCH`` (an interrupted one resumes), record
    failures and go on, then redraw the summary of every cell under ``OUT``."""
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()  # before kerasbind.models imports Keras
    from kerasbind.tuning.tuner import distributed_role

    out = Path(out)
    archs = resolve_architectures(architectures)
    sources = resolve_datasets(datasets) if isinstance(datasets, (str, Path)) else list(datasets)
    budget = budget if isinstance(budget, Budget) else load_budget(budget)
    wanted = cells_module.settings(budget, seed, negatives, neg_ratio)
    plan = cells_module.plan(sources, archs)
    mine = cells_module.shard(plan, *shard)
    if distributed_role() and len(mine) > 1:
        raise KerasbindError(
            f"KerasTuner's distributed mode runs one cell per command, but shard "
            f"{shard[0]}/{shard[1]} has {len(mine)}; use --shard I/{len(plan)}"
        )
    todo = [cell for cell in mine if not cells_module.finished(cell, out, wanted)]
    worker = distributed_role() == "worker"
    summary = BenchmarkSummary(pd.DataFrame(), pd.DataFrame(), skipped=len(mine) - len(todo))
    _say(
        progress,
        f"{len(plan)} cells, {len(mine)} in shard {shard[0]}/{shard[1]}, "
        f"{summary.skipped} finished, {len(todo)} to run (budget {budget.name})",
    )
    for number, cell in enumerate(todo, start=1):
        label = f"{cell.source.name} × {cell.architecture}"
        _say(progress, f"[{number}/{len(todo)}] {label}")
        try:
            train, test = load_source(
                cell.source,
                negatives=negatives,
                neg_ratio=neg_ratio,
                seed=seed,
                data_dir=data_dir,
                manual_dir=manual_dir,
            )
            record = cells_module.run_cell(cell, out, train, test, budget, wanted, progress)
        except Exception as error:  # one failed cell must not stop the benchmark
            cells_module.record_failure(cell, out, wanted, error)
            _say(progress, f"{label} failed: {error}")
            continue
        if record is not None:
            summary.trained.append(label)
            _say(
                progress,
                f"{label}: test AUC {record['test_auc_roc']:.4f}, {record['seconds']:.0f} s",
            )
            summarise(out, _pending(plan, out))  # keep OUT's summary current on a long run
    if worker:
        return summary
    summary.pending = _pending(plan, out)
    summary.results, summary.failures, summary.figures = summarise(out, summary.pending)
    return summary
