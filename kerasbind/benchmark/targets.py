"""Targets a benchmark is held to (an issue's numbers), each assessed on the finished cells:
met, missed and by how much, or not yet measured while cells of its plan are still to run.

A target names one architecture and the datasets it is planned on (their number is its N). AUCs
are compared at the published precision (`versus.PRECISION`); a count or median target is decided
as soon as the cells still to run can no longer change it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kerasbind.benchmark.published import published_for
from kerasbind.benchmark.versus import at_least_as_good, format_auc, rounded
from kerasbind.html import format_duration

MET, MISSED, PENDING = "met", "missed", "not yet measured"
TOLERANCE = 1e-9  # rounded AUCs compared with a threshold: float noise is not a miss


@dataclass(frozen=True)
class Assessment:
    """Where a target stands: its status, by how much or how far along, what was measured."""

    target: str
    status: str  # MET, MISSED or PENDING
    detail: str
    measured: str

    @property
    def summary(self) -> str:
        return f"{self.status}: {self.detail}" if self.detail else self.status


@dataclass(frozen=True)
class _Target:
    text: str  # the target as the issue states it
    architecture: str
    datasets: tuple[str, ...]  # the planned datasets

    def cells(self, results: pd.DataFrame) -> pd.DataFrame:
        """The finished cells this target is measured on."""
        mine = (results["architecture"] == self.architecture) & results["dataset"].isin(
            self.datasets
        )
        return results[mine]

    def progress(self, done: int) -> str:
        return f"{done} of {len(self.datasets)} experiments done"

    def _assessment(self, status: str, detail: str, measured: str) -> Assessment:
        return Assessment(self.text, status, detail, measured)


@dataclass(frozen=True, kw_only=True)
class MedianTarget(_Target):
    """The architecture's median test AUC over all its planned datasets ≥ ``threshold``."""

    threshold: float

    def assess(self, results: pd.DataFrame, published: pd.DataFrame | None = None) -> Assessment:
        aucs = rounded(self.cells(results)["test_auc_roc"])
        if aucs.empty:
            return self._assessment(PENDING, self.progress(0), "")
        median = float(aucs.median())
        measured = f"median {format_auc(median)} over {len(aucs)}"
        left = len(self.datasets) - len(aucs)
        if not left:
            if median >= self.threshold - TOLERANCE:
                return self._assessment(MET, f"by {format_auc(median - self.threshold)}", measured)
            return self._assessment(MISSED, f"by {format_auc(self.threshold - median)}", measured)
        # the median whatever the cells left score: all 0 at worst, all 1 at best
        lowest = float(pd.concat([aucs, pd.Series([0.0] * left)]).median())
        highest = float(pd.concat([aucs, pd.Series([1.0] * left)]).median())
        whatever = f"{self.progress(len(aucs))}: whatever the {left} left score, the median is"
        so_far = f"so far {measured}"
        if lowest >= self.threshold - TOLERANCE:
            by = format_auc(lowest - self.threshold)
            return self._assessment(
                MET, f"by at least {by} ({whatever} at least {format_auc(lowest)})", so_far
            )
        if highest < self.threshold - TOLERANCE:
            by = format_auc(self.threshold - highest)
            return self._assessment(
                MISSED, f"by at least {by} ({whatever} at most {format_auc(highest)})", so_far
            )
        return self._assessment(PENDING, self.progress(len(aucs)), so_far)


@dataclass(frozen=True, kw_only=True)
class WinsTarget(_Target):
    """The architecture's test AUC ≥ the published ``method``'s (ties count) on at least
    ``at_least`` of its planned datasets."""

    method: str
    at_least: int

    def assess(self, results: pd.DataFrame, published: pd.DataFrame | None = None) -> Assessment:
        if published is None or self.method not in published:
            return self._assessment(PENDING, f"no published {self.method} values", "")
        cells = self.cells(results)
        theirs = published_for(list(cells["dataset"]), published)[self.method].to_numpy()
        count = int(at_least_as_good(cells["test_auc_roc"], theirs).sum())
        done, planned = len(cells), len(self.datasets)
        measured = f"≥ {self.method} on {count} of {done}" if done else ""
        partial = f" ({self.progress(done)})" if done < planned else ""
        if count >= self.at_least:
            return self._assessment(MET, f"on {count}, {self.at_least} needed{partial}", measured)
        short = self.at_least - count - (planned - done)
        if short > 0:
            detail = f"{short} experiment{'s' * (short > 1)} short of {self.at_least}{partial}"
            return self._assessment(MISSED, detail, measured)
        return self._assessment(PENDING, self.progress(done), measured and f"so far {measured}")


@dataclass(frozen=True, kw_only=True)
class TimeTarget(_Target):
    """Every cell of the architecture on its planned datasets takes at most ``seconds`` of wall
    time on a machine it had to itself (mean load average at most its cores + `SHARED_MARGIN`).
    A cell that ran beside other work gives an upper bound: within the target it meets it; over
    it, it misses only if its CPU time per core (a lower bound: the wall time with every core
    busy for it alone) is over too, and is otherwise reported but not judged."""

    seconds: float

    def assess(self, results: pd.DataFrame, published: pd.DataFrame | None = None) -> Assessment:
        cells = self.cells(results)
        if cells.empty:
            return self._assessment(PENDING, self.progress(0), "")
        done, planned = len(cells), len(self.datasets)
        shared = shared_machine(cells)
        within = cells["seconds"] <= self.seconds
        measured = f"{wall_times(cells)}; {machine_load(cells)}"
        if shared.any():
            measured += (
                f"; {int(shared.sum())} cell(s) ran beside other work (upper bounds; their CPU "
                f"time per core: {cpu_per_core(cells[shared])})"
            )
        partial = f" ({self.progress(done)})" if done < planned else ""
        # what each cell took at least on a machine to itself: its wall time when it had one,
        # its CPU time per core when it did not
        at_least = cells["seconds"].where(~shared, cpu_seconds_per_core(cells))
        over = ~within & (at_least > self.seconds)
        if over.any():
            by = format_duration(at_least[over].max() - self.seconds)
            detail = f"{int(over.sum())} of {done} cells over, the longest by {by}"
            bounded = int((over & shared).sum())
            if bounded:
                detail += f" ({bounded} of them beside other work, over on CPU time per core alone)"
            return self._assessment(MISSED, detail + partial, measured)
        undecided = int((shared & ~within).sum())
        if undecided:
            detail = (
                f"{undecided} cell(s) over it ran beside other work (upper bounds, not "
                f"judged){partial}"
            )
            return self._assessment(PENDING, detail, measured)
        if done < planned:
            return self._assessment(PENDING, self.progress(done), f"so far {measured}")
        return self._assessment(MET, f"longest {format_duration(cells['seconds'].max())}", measured)


SHARED_MARGIN = 0.5  # load average above the cores by more than this: other work ran beside


def shared_machine(cells: pd.DataFrame) -> pd.Series:
    """Whether each cell ran beside other work (its mean load average above its cores by more
    than `SHARED_MARGIN`; unknown load or cores: not shared)."""
    if "load" not in cells or "cores" not in cells:
        return pd.Series(False, index=cells.index)
    return (cells["load"] > cells["cores"] + SHARED_MARGIN).fillna(False)


def cpu_seconds_per_core(cells: pd.DataFrame) -> pd.Series:
    """Each cell's CPU seconds divided by its cores: what the wall time would be with every
    core busy for the cell alone (a lower bound when it cannot use them all); NaN where either
    was not recorded."""
    if "cpu_seconds" not in cells or "cores" not in cells:
        return pd.Series(float("nan"), index=cells.index)
    return cells["cpu_seconds"] / cells["cores"]


def cpu_per_core(cells: pd.DataFrame) -> str:
    """Median and longest of `cpu_seconds_per_core`."""
    per_core = cpu_seconds_per_core(cells)
    if per_core.isna().all():
        return "not recorded"
    return f"median {format_duration(per_core.median())}, longest {format_duration(per_core.max())}"


def wall_times(cells: pd.DataFrame) -> str:
    """Median and longest wall time of some cells, e.g. ``median 9 min 30 s, longest 14 min
    02 s over 25 cells``."""
    seconds = cells["seconds"]
    return (
        f"median {format_duration(seconds.median())}, longest {format_duration(seconds.max())} "
        f"over {len(cells)} cell{'s' * (len(cells) > 1)}"
    )


def machine_load(cells: pd.DataFrame) -> str:
    """The load the cells ran under: the range of their mean 1-minute load averages, and the
    machine's cores."""
    load = cells["load"].dropna() if "load" in cells else pd.Series(dtype=float)
    if load.empty:
        return "load not recorded"
    cores = sorted({str(int(c)) for c in cells["cores"].dropna()}) if "cores" in cells else []
    on = f" on {', '.join(cores)} cores" if cores else ""
    low, high = f"{load.min():.1f}", f"{load.max():.1f}"
    spread = low if low == high else f"{low}–{high}"
    return f"load average {spread}{on}"


Target = MedianTarget | WinsTarget | TimeTarget


def assess(
    targets: list[Target], results: pd.DataFrame, published: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per target: the target, its status (with by how much, or how far along) and what
    was measured."""
    rows = [target.assess(results, published) for target in targets]
    return pd.DataFrame(
        {
            "target": [a.target for a in rows],
            "status": [a.summary for a in rows],
            "measured": [a.measured for a in rows],
        }
    )
