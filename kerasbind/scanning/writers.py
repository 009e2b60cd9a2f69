"""Scan outputs, written as the chunks arrive: ``scores.bedGraph``, ``scores.bw`` (pyBigWig) and
``hits.bed`` (windows above a threshold, overlapping or touching ones on the same strand merged).

A window ``[s, s + L)`` is written at the ``stride`` bases at its centre,
``[s + (L - stride) // 2, … + stride)``, so consecutive windows tile the track without overlap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from kerasbind.errors import KerasbindError


def track_bins(starts: np.ndarray, window: int, stride: int) -> np.ndarray:
    """Where each window's score is written: the ``stride`` bases at its centre."""
    return starts + (window - stride) // 2


class BedGraphWriter:
    """``chrom start end probability`` lines (six significant digits)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def add(self, chrom: str, starts: np.ndarray, ends: np.ndarray, values: np.ndarray) -> None:
        lines = [
            f"{chrom}\t{start}\t{end}\t{value:.6g}\n"
            for start, end, value in zip(
                starts.tolist(), ends.tolist(), values.tolist(), strict=True
            )
        ]
        self.handle.write("".join(lines))

    def close(self) -> None:
        """Nothing to do: the caller closes the handle."""


class BigWigWriter:
    """A BigWig track (pyBigWig): fixed-step entries, one call per chunk."""

    def __init__(self, path: Path, sizes: list[tuple[str, int]]) -> None:
        import pyBigWig

        self.file = pyBigWig.open(str(path), "w")
        self.file.addHeader(sizes, maxZooms=10)

    def add(self, chrom: str, starts: np.ndarray, ends: np.ndarray, values: np.ndarray) -> None:
        if not len(starts):
            return
        span = int(ends[0] - starts[0])
        values = np.ascontiguousarray(values, dtype=np.float64)
        if np.all(ends - starts == span) and np.all(np.diff(starts) == span):
            self.file.addEntries(chrom, int(starts[0]), values=values, span=span, step=span)
        else:
            self.file.addEntries(
                [chrom] * len(starts), starts.tolist(), ends=ends.tolist(), values=values.tolist()
            )

    def close(self) -> None:
        self.file.close()


@dataclass
class _OpenHit:
    chrom: str
    strand: str
    start: int  # first window's start
    end: int  # last window's end
    core_start: int  # the stretch all merged windows share
    core_end: int
    best: float


@dataclass
class HitWriter:
    """Windows whose probability reaches ``threshold``, merged per strand while they overlap or
    touch; each hit is ``chrom start end name score strand thickStart thickEnd`` where the name is
    the best probability, the score that times 1000 and the thick part the stretch every merged
    window contains (where the site lies when the hit is one site)."""

    handle: IO[str]
    threshold: float
    count: int = 0
    _open: dict[str, _OpenHit] = field(default_factory=dict)
    _done: list[_OpenHit] = field(default_factory=list)

    def add(
        self,
        chrom: str,
        starts: np.ndarray,
        ends: np.ndarray,
        values: np.ndarray,
        reverse: np.ndarray,
    ) -> None:
        """Windows in increasing start order (``reverse``: whether each window's better strand
        is the reverse one).
        Vectorised per strand: a run of windows each starting at or before the previous one's
        end is one hit; the first run continues the hit left open by the last chunk."""
        above = values >= self.threshold
        for strand, on_reverse in (("+", False), ("-", True)):
            chosen = np.flatnonzero(above & (reverse == on_reverse))
            if not len(chosen):
                continue
            first, second = starts[chosen], ends[chosen]
            begins = np.concatenate(([0], np.flatnonzero(first[1:] > second[:-1]) + 1))
            runs = zip(
                first[begins].tolist(),
                np.maximum.reduceat(second, begins).tolist(),
                np.maximum.reduceat(first, begins).tolist(),
                np.minimum.reduceat(second, begins).tolist(),
                np.maximum.reduceat(values[chosen], begins).tolist(),
                strict=True,
            )
            hit = self._open.pop(strand, None)
            for start, end, core_start, core_end, best in runs:
                if hit is not None and hit.chrom == chrom and start <= hit.end:
                    hit.end, hit.core_start = end, core_start
                    hit.core_end = min(hit.core_end, core_end)
                    hit.best = max(hit.best, best)
                    continue
                if hit is not None:
                    self._done.append(hit)
                hit = _OpenHit(chrom, strand, start, end, core_start, core_end, best)
            self._open[strand] = hit

    def flush(self, final: bool = True) -> None:
        """Write the hits of the region that ended (``final``), sorted by start; or, while the
        region goes on, those that start before every hit still open (the rest wait, so that
        the file stays sorted)."""
        if final:
            self._done.extend(self._open.values())
            self._open.clear()
        waiting = min((hit.start for hit in self._open.values()), default=None)
        ready = [hit for hit in self._done if waiting is None or hit.start < waiting]
        self._done = [hit for hit in self._done if waiting is not None and hit.start >= waiting]
        for hit in sorted(ready, key=lambda h: (h.start, h.strand)):
            core_start, core_end = hit.core_start, hit.core_end
            if core_start >= core_end:  # no stretch common to all the merged windows
                core_start = core_end = hit.start
            self.handle.write(
                f"{hit.chrom}\t{hit.start}\t{hit.end}\t{hit.best:.4f}\t{round(1000 * hit.best)}\t"
                f"{hit.strand}\t{core_start}\t{core_end}\n"
            )
        self.count += len(ready)

    def state(self) -> dict[str, list[dict[str, Any]]]:
        """The hits not yet written (after ``flush(final=False)``), for the next part."""
        return {
            "open": [{"key": key, **asdict(hit)} for key, hit in self._open.items()],
            "done": [asdict(hit) for hit in self._done],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from a `state` of the part before (a region that goes on)."""
        fields = {"chrom", "strand", "start", "end", "core_start", "core_end", "best"}
        try:
            self._open = {
                item["key"]: _OpenHit(**{k: item[k] for k in fields}) for item in state["open"]
            }
            self._done = [_OpenHit(**{k: item[k] for k in fields}) for item in state["done"]]
        except (KeyError, TypeError) as error:
            raise KerasbindError(f"a scan part's open hits are damaged ({error})") from None
