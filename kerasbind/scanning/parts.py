"""A long scan's finished parts, kept when it is interrupted, so that a rerun continues it.

While ``OUT`` is scanned, its work lives in ``OUT.partial/``: ``progress.json`` (the scan's
fingerprint and the parts done) and ``parts/NNNNNN/`` (each a run of consecutive regions:
``scores.bedGraph``, ``hits.bed`` and ``scores.npz``, the track values for the BigWig). A part
is written into a hidden folder and renamed into place before ``progress.json`` names it, so
a part is either whole or absent. When every region is done the parts are joined into ``OUT``
(replaced whole) and ``OUT.partial`` is removed. A rerun with the same model, inputs and
options skips the regions already done; anything else is refused (or, with ``overwrite``, the
old parts are dropped and the scan starts afresh).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, write_json
from kerasbind.scanning.genome import Region
from kerasbind.scanning.writers import BigWigWriter

PROGRESS = "progress.json"
PART_BASES = 1_000_000  # a part holds consecutive regions of at least this many bases (or the last)
TRACK_FILES = {"bedgraph": "scores.bedGraph", "hits": "hits.bed", "bigwig": "scores.npz"}
OPEN_HITS = "open_hits.json"  # hits a part leaves open for the next (its region goes on)


def partial_folder(out: Path) -> Path:
    """Where the parts of a scan into ``out`` are kept until it is complete."""
    out = out.resolve()
    return out.with_name(f"{out.name}.partial")


def model_fingerprint(model: Any) -> str:
    """SHA-256 of a model's weights (shapes and values, in order)."""
    digest = hashlib.sha256(b"kerasbind-weights-1")
    for weight in model.weights:
        values = np.ascontiguousarray(np.asarray(weight))
        digest.update(repr(values.shape).encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def regions_fingerprint(regions: Sequence[Region]) -> str:
    """SHA-256 of the regions' chromosomes, starts, ends and names, in order."""
    text = "\n".join(f"{r.chrom}\t{r.start}\t{r.end}\t{r.name}" for r in regions)
    return hashlib.sha256(text.encode()).hexdigest()


def section_groups(sizes: Sequence[int], first: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` indices of the parts from section ``first`` on: consecutive sections
    (of ``sizes`` bases) until they hold `PART_BASES` bases."""
    start, bases = first, 0
    for index in range(first, len(sizes)):
        bases += sizes[index]
        if bases >= PART_BASES or index == len(sizes) - 1:
            yield start, index + 1
            start, bases = index + 1, 0


@dataclass
class TrackValues:
    """A part's track for the BigWig: per region, where its values are drawn and the values."""

    regions: list[int] = field(default_factory=list)  # index of the region in the scan
    first: list[int] = field(default_factory=list)  # the first value's start
    span: list[int] = field(default_factory=list)  # bases under each value
    values: list[np.ndarray] = field(default_factory=list)

    def add(self, region: int, starts: np.ndarray, ends: np.ndarray, values: np.ndarray) -> None:
        if len(starts):
            self.regions.append(region)
            self.first.append(int(starts[0]))
            self.span.append(int(ends[0] - starts[0]))
            self.values.append(np.asarray(values, np.float32))

    def save(self, path: Path) -> None:
        counts = [len(v) for v in self.values]
        np.savez(
            path,
            regions=np.array(self.regions, np.int64),
            first=np.array(self.first, np.int64),
            span=np.array(self.span, np.int64),
            counts=np.array(counts, np.int64),
            values=np.concatenate(self.values) if self.values else np.zeros(0, np.float32),
        )


class ScanParts:
    """The ``OUT.partial`` folder of one scan (see the module docstring)."""

    def __init__(self, out: Path, fingerprint: dict[str, Any], overwrite: bool) -> None:
        self.folder = partial_folder(out)
        self.fingerprint = fingerprint
        self.parts: list[dict[str, int]] = []
        progress = self.folder / PROGRESS
        if self.folder.exists() and overwrite:
            shutil.rmtree(self.folder)
        elif progress.is_file():
            recorded = read_json(progress)
            differs = sorted(
                key
                for key in set(fingerprint) | set(recorded.get("fingerprint", {}))
                if recorded.get("fingerprint", {}).get(key) != fingerprint.get(key)
            )
            if differs:
                raise KerasbindError(
                    f"{self.folder}: holds an interrupted scan with other "
                    f"{', '.join(differs)}; rerun with the same ones to continue it, or add "
                    "--overwrite (overwrite=True) to start afresh"
                )
            for part in recorded.get("parts", []):  # the parts in order, up to a missing one
                if not isinstance(part, dict) or part.get("index") != len(self.parts):
                    break
                if not self._part(len(self.parts)).is_dir():
                    break
                self.parts.append(part)
        elif self.folder.exists() and any(self.folder.iterdir()):
            raise KerasbindError(
                f"{self.folder}: exists but holds no {PROGRESS}; remove it or add --overwrite"
            )
        (self.folder / "parts").mkdir(parents=True, exist_ok=True)
        self._save()

    @property
    def sections_done(self) -> int:
        """How many of the scan's sections (in order) the kept parts hold."""
        return self.parts[-1]["end"] if self.parts else 0

    def open_hits(self) -> dict[str, Any] | None:
        """The hits the last kept part left open (its region goes on), if any."""
        if not self.parts:
            return None
        path = self._part(self.parts[-1]["index"]) / OPEN_HITS
        return read_json(path) if path.is_file() else None

    def total(self, key: str) -> int:
        return sum(part[key] for part in self.parts)

    def _part(self, index: int) -> Path:
        return self.folder / "parts" / f"{index:06d}"

    def _save(self) -> None:
        write_json(
            self.folder / PROGRESS,
            {"format": 1, "fingerprint": self.fingerprint, "parts": self.parts},
        )

    def add(self, start: int, end: int, fill: Callable[[Path], dict[str, int]]) -> None:
        """Write the part of sections ``start … end - 1``: ``fill(folder)`` writes its files and
        returns its counts (``windows``, ``hits``, ``bases``); then the part is recorded."""
        index = len(self.parts)
        temporary = Path(tempfile.mkdtemp(prefix=".part-", dir=self.folder / "parts"))
        try:
            counts = fill(temporary)
            shutil.rmtree(self._part(index), ignore_errors=True)  # from a run cut short here
            temporary.rename(self._part(index))
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        self.parts.append({"index": index, "start": start, "end": end, **counts})
        self._save()

    def join(
        self,
        folder: Path,
        files: dict[str, str],
        chosen: Sequence[str],
        regions: Sequence[Region],
        sizes: list[tuple[str, int]],
    ) -> None:
        """Write the ``chosen`` outputs (``files``: format → file name) into ``folder`` from
        the parts, in order (``regions``: what the parts' track values are indexed by)."""
        for name in ("bedgraph", "hits"):
            if name in chosen:
                with open(folder / files[name], "wb") as joined:
                    for part in self.parts:
                        with open(self._part(part["index"]) / TRACK_FILES[name], "rb") as piece:
                            shutil.copyfileobj(piece, joined)
        if "bigwig" in chosen:
            track = BigWigWriter(folder / files["bigwig"], sizes)
            try:
                for part in self.parts:
                    self._add_track(
                        track, self._part(part["index"]) / TRACK_FILES["bigwig"], regions
                    )
            finally:
                track.close()

    @staticmethod
    def _add_track(track: BigWigWriter, path: Path, regions: Sequence[Region]) -> None:
        with np.load(path, allow_pickle=False) as saved:
            parts = {key: saved[key] for key in ("regions", "first", "span", "counts", "values")}
        ends = np.cumsum(parts["counts"])
        for region, first, span, count, end in zip(
            parts["regions"].tolist(),
            parts["first"].tolist(),
            parts["span"].tolist(),
            parts["counts"].tolist(),
            ends.tolist(),
            strict=True,
        ):
            starts = first + span * np.arange(count, dtype=np.int64)
            values = parts["values"][end - count : end]
            track.add(regions[region].chrom, starts, starts + span, values)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
