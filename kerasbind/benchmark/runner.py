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
from kerasbind.benchmark.html import BenchmarkPage, write_html
from kerasbind.benchmark.progress import CellProgress
from kerasbind.benchmark.published import read_published
from kerasbind.benchmark.results import auc_table, collect, write_csv
from kerasbind.benchmark.sources import DatasetSource, load_source, resolve_datasets
from kerasbind.errors import KerasbindError, did_you_mean
from kerasbind.html import format_duration
from kerasbind.options import AUTO, AUTO_BUDGET, DEFAULT_BUDGET

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
    failed: list[str] = field(default_factory=list)  # cells of this call that failed
    elsewhere: list[str] = field(default_factory=list)  # cells another process held


def resolve_architectures(names: str | Sequence[str]) -> list[str]:
    """``deepbind,dilated,auto`` or ``all`` (the nine of Table 1) as a checked list (``auto``:
    a cell whose search chooses the architecture too, as ``tune --arch auto``)."""
    from kerasbind.models import ARCHITECTURES

    known = [*ARCHITECTURES, AUTO]
    if isinstance(names, str):
        names = [name.strip() for name in names.split(",") if name.strip()]
    if list(names) == ["all"]:
        return list(ARCHITECTURES)
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        hint = did_you_mean(unknown[0], known) if unknown else ""
        raise KerasbindError(
            f"--arch: unknown {', '.join(unknown) or 'empty list'}{hint} (use 'all' or names "
            f"from {', '.join(known)})"
        )
    return list(dict.fromkeys(names))


def cell_budgets(
    architectures: Sequence[str], budget: str | Path | Budget | None
) -> dict[str, Budget]:
    """Each architecture's budget: ``budget`` for all, or (None) what ``tune`` would use —
    ``auto`` for an ``auto`` cell, ``standard`` for the others."""
    if budget is not None:
        chosen = budget if isinstance(budget, Budget) else load_budget(budget)
        return {arch: chosen for arch in architectures}
    return {
        arch: load_budget(AUTO_BUDGET if arch == AUTO else DEFAULT_BUDGET) for arch in architectures
    }


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


def _times(plan: list[cells_module.Cell], out: Path) -> dict[str, list[float]]:
    """Seconds of the plan's finished cells, by architecture (for the time-left estimate)."""
    times: dict[str, list[float]] = {}
    for cell in plan:
        record = cells_module.read_record(cell.run_dir(out))
        if record and record.get("status") == "done" and record.get("seconds"):
            times.setdefault(cell.architecture, []).append(float(record["seconds"]))
    return times


def summarise(
    out: Path, pending: list[str], published: Path | str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """Write ``results.csv``, ``failed.csv``, the figures and ``benchmark.html`` from every
    cell recorded under ``OUT/runs`` (``published``: a TSV of other methods' test AUCs per
    experiment to compare with, see `read_published`)."""
    results, failures = collect(out)
    write_csv(results, out / RESULTS)
    write_csv(failures, out / FAILED)
    aucs = auc_table(results)
    others = read_published(published) if published is not None else None
    figures = draw_figures(results, aucs, out / FIGURES, others)
    write_html(out / HTML, BenchmarkPage(results, aucs, failures, pending, figures, others))
    return results, failures, figures


def run_benchmark(
    architectures: str | Sequence[str],
    datasets: str | Path | Sequence[DatasetSource],
    out: str | Path,
    *,
    budget: str | Path | Budget | None = None,
    seed: int = 0,
    shard: tuple[int, int] = (1, 1),
    negatives: str = "none",
    neg_ratio: float = 1.0,
    strand: str = "auto",
    data_dir: Path | None = None,
    manual_dir: Path | None = None,
    published: Path | str | None = None,
    progress: bool = True,
) -> BenchmarkSummary:
    """Tune every unfinished (dataset, architecture) cell of shard ``shard`` = (I, N) as an
    ordinary ``tune`` run in ``OUT/runs/DATASET/ARCH`` (an interrupted one resumes), record
    failures and go on, then redraw the summary of every cell under ``OUT`` (``published``: other
    methods' test AUCs to compare with on the page, see `summarise`). ``budget``: one for every
    cell, or None for ``tune``'s own (``standard``; ``auto`` for an ``auto`` cell); ``strand``:
    as `kerasbind.tune`'s."""
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()  # before kerasbind.models imports Keras
    from kerasbind.tuning.tuner import distributed_role

    out = Path(out)
    archs = resolve_architectures(architectures)
    sources = resolve_datasets(datasets) if isinstance(datasets, (str, Path)) else list(datasets)
    budgets = cell_budgets(archs, budget)
    if published is not None:
        read_published(published)  # a bad file fails before any training
    wanted = {
        arch: cells_module.settings(chosen, seed, negatives, neg_ratio, strand)
        for arch, chosen in budgets.items()
    }
    plan = cells_module.plan(sources, archs)
    cells_module.check_plan(plan, out)  # no two cells in one folder, no other data in one
    mine = cells_module.shard(plan, *shard)
    if distributed_role() and len(mine) > 1:
        raise KerasbindError(
            f"KerasTuner's distributed mode runs one cell per command, but shard "
            f"{shard[0]}/{shard[1]} has {len(mine)}; use --shard I/{len(plan)}"
        )
    todo = [
        cell for cell in mine if not cells_module.finished(cell, out, wanted[cell.architecture])
    ]
    worker = distributed_role() == "worker"
    summary = BenchmarkSummary(pd.DataFrame(), pd.DataFrame(), skipped=len(mine) - len(todo))
    _say(
        progress,
        f"{len(plan)} cells, {len(mine)} in shard {shard[0]}/{shard[1]}, "
        f"{summary.skipped} finished, {len(todo)} to run (budget "
        f"{', '.join(sorted({chosen.name for chosen in budgets.values()}))})",
    )
    bar = CellProgress([c.architecture for c in todo], _times(plan, out), enabled=progress)
    for cell in todo:
        label = f"{cell.source.name} × {cell.architecture}"
        bar.start(label)
        try:
            settings = wanted[cell.architecture]
            with cells_module.claimed(cell, out, settings, lock=not worker):  # records a failure
                train, test = load_source(
                    cell.source,
                    negatives=negatives,
                    neg_ratio=neg_ratio,
                    seed=seed,
                    data_dir=data_dir,
                    manual_dir=manual_dir,
                )
                record = cells_module.run_cell(
                    cell, out, train, test, budgets[cell.architecture], settings, progress
                )
        except cells_module.CellSkipped as skipped:
            summary.elsewhere.append(label)
            bar.finish(cell.architecture, f"{label} skipped: {skipped}")
            continue
        except Exception as error:  # one failed cell must not stop the benchmark
            summary.failed.append(label)
            bar.finish(cell.architecture, f"{label} failed: {error}")
            continue
        if record is not None:
            summary.trained.append(label)
            took = format_duration(record["seconds"])
            bar.finish(cell.architecture, f"{label}: test AUC {record['test_auc_roc']:.4f}, {took}")
            # keep OUT's summary current on a long run
            summarise(out, _pending(plan, out), published)
    if worker:
        return summary
    summary.pending = _pending(plan, out)
    summary.results, summary.failures, summary.figures = summarise(out, summary.pending, published)
    return summary
