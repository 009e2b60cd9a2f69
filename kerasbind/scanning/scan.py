"""Scan sequences or genome regions: every window's score along them, streamed chunk by chunk into
``scores.bedGraph``, ``scores.bw`` and ``hits.bed`` (`kerasbind.scanning.writers`)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.explain import sigmoid
from kerasbind.files import check_new_folder, replace_folder
from kerasbind.scanning.genome import (
    DEFAULT_CHUNK,
    Chunk,
    Genome,
    Region,
    chunks,
    read_regions,
)
from kerasbind.scanning.scanner import Scanner
from kerasbind.scanning.strands import both_strands
from kerasbind.scanning.writers import (
    BedGraphWriter,
    BigWigWriter,
    HitWriter,
    track_bins,
)
from kerasbind.sequences import UNKNOWN_CODE, joined_codes

FORMATS = ("bedgraph", "bigwig", "hits")
OUTPUT_FILES = {"bedgraph": "scores.bedGraph", "bigwig": "scores.bw", "hits": "hits.bed"}


@dataclass
class ScanSummary:
    """What a scan did: how much it scored, which path and strands, where the outputs are."""

    regions: int
    bases: int
    windows: int
    hits: int
    seconds: float
    mode: str
    strands: str
    stride: int
    window: int
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def positions_per_second(self) -> float:
        """Window starts scored per second (each on both strands when ``strands`` is both)."""
        return self.windows * self.stride / self.seconds if self.seconds else 0.0


class SequenceSource:
    """Sequences in memory, addressed like a genome (each sequence a "chromosome" named by its
    id)."""

    def __init__(self, sequences: Sequence[str], ids: Sequence[str]) -> None:
        if len(set(ids)) != len(ids):
            raise KerasbindError("scanning needs a distinct id for every sequence")
        self._codes, self._offsets = joined_codes(sequences)
        self.sizes = {name: len(seq) for name, seq in zip(ids, sequences, strict=True)}
        self._index = {name: i for i, name in enumerate(ids)}

    def codes(self, chrom: str, start: int, end: int) -> np.ndarray:
        first = self._offsets[self._index[chrom]]
        return self._codes[first + start : first + end]

    def whole(self) -> list[Region]:
        return [Region(name, 0, size, name) for name, size in self.sizes.items()]


def _padded(codes: np.ndarray, window: int) -> np.ndarray:
    """A sequence shorter than the window, centred between unknown letters (the length rule)."""
    padded = np.full(window, UNKNOWN_CODE, np.uint8)
    left = (window - len(codes)) // 2
    padded[left : left + len(codes)] = codes
    return padded


def scan_source(
    model: Any,
    encoder: EncoderSpec,
    source: Genome | SequenceSource,
    regions: list[Region],
    out: str | os.PathLike[str],
    *,
    stride: int = 1,
    strand: str = "auto",
    combine: str = "max",
    threshold: float = 0.5,
    mode: str = "auto",
    formats: Sequence[str] = FORMATS,
    chunk: int = DEFAULT_CHUNK,
    overwrite: bool = False,
    progress: bool = True,
) -> ScanSummary:
    """Score every window of ``regions`` of ``source`` and write the chosen ``formats`` into
    the folder ``out`` (an existing one only with ``overwrite``, then replaced whole once the
    scan is complete)."""
    from tqdm.auto import tqdm

    if stride < 1:
        raise KerasbindError("stride must be at least 1")
    if not 0.0 <= threshold <= 1.0:
        raise KerasbindError(f"threshold is a probability in [0, 1], not {threshold}")
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise KerasbindError(f"formats: choose from {', '.join(FORMATS)} (got {list(formats)})")
    both = both_strands(encoder, strand)
    scanner = Scanner(model, encoder, mode=mode)
    window = encoder.length
    out = check_new_folder(out, overwrite, "scan output folder")
    chosen = [name for name in FORMATS if name in formats]
    sizes: dict[str, int] = {}
    for region in regions:
        sizes.setdefault(region.chrom, source.sizes[region.chrom])
    counts = {"windows": 0, "hits": 0}
    total = sum(region.length for region in regions)
    started = time.perf_counter()

    def work(folder: Path) -> None:
        files = {name: folder / OUTPUT_FILES[name] for name in chosen}
        handles = {name: open(files[name], "w") for name in ("bedgraph", "hits") if name in files}  # noqa: SIM115
        tracks: list[Any] = [BedGraphWriter(handles["bedgraph"])] if "bedgraph" in handles else []
        if "bigwig" in files:
            tracks.append(BigWigWriter(files["bigwig"], list(sizes.items())))
        hits = HitWriter(handles["hits"], threshold) if "hits" in handles else None
        bar = tqdm(total=total, unit="bp", unit_scale=True, desc="scan", disable=not progress)
        try:
            for region in regions:
                for piece in chunks(source, region, window, stride, chunk):
                    scored = _score_piece(scanner, piece, window, stride, both, combine)
                    counts["windows"] += len(scored.probability)
                    for track in tracks:
                        track.add(
                            region.chrom, scored.bin_start, scored.bin_end, scored.probability
                        )
                    if hits is not None:
                        hits.add(
                            region.chrom,
                            scored.start,
                            scored.end,
                            scored.probability,
                            scored.strand,
                        )
                    bar.update(min(region.length - piece.offset, len(scored.probability) * stride))
                if hits is not None:
                    hits.flush()
        finally:
            bar.close()
            for handle in handles.values():
                handle.close()
            for track in tracks:
                track.close()
        counts["hits"] = hits.count if hits is not None else 0

    replace_folder(out, work)
    return ScanSummary(
        regions=len(regions),
        bases=total,
        windows=counts["windows"],
        hits=counts["hits"],
        seconds=time.perf_counter() - started,
        mode=scanner.mode,
        strands="both" if both else "forward",
        stride=stride,
        window=window,
        outputs={name: out / OUTPUT_FILES[name] for name in chosen},
    )


@dataclass
class ScoredPiece:
    """One chunk's windows in genome coordinates: the window, where its score is drawn on the
    track, its probability (strands combined) and its best strand."""

    start: np.ndarray
    end: np.ndarray
    bin_start: np.ndarray
    bin_end: np.ndarray
    probability: np.ndarray
    strand: np.ndarray


def _score_piece(
    scanner: Scanner, piece: Chunk, window: int, stride: int, both: bool, combine: str
) -> ScoredPiece:
    region = piece.region
    begin = region.start + piece.offset
    if region.length < window:  # one window: the region centred between unknown letters
        scores = scanner.scores(_padded(piece.codes, window), 1, both=both, combine=combine)
        start = np.array([region.start])
        end = np.array([region.end])
        bin_start, bin_end = start, end
    else:
        scores = scanner.scores(piece.codes, stride, both=both, combine=combine)
        start = begin + stride * np.arange(len(scores.log_odds))
        end = start + window
        bin_start = track_bins(start, window, stride)
        bin_end = bin_start + stride
    strand = np.full(len(start), "+", dtype=object)
    if scores.reverse is not None:
        strand[scores.reverse > scores.forward] = "-"
    probability = sigmoid(scores.log_odds.astype(np.float64))
    return ScoredPiece(start, end, bin_start, bin_end, probability, strand)


def scan_genome(
    model: Any,
    encoder: EncoderSpec,
    genome: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    regions: str | os.PathLike[str] | Sequence[Region] | None = None,
    **options: Any,
) -> ScanSummary:
    """Scan whole chromosomes of an indexed genome FASTA, or the intervals of a sorted BED file
    (``regions``); ``options``: `scan_source`'s."""
    fasta = Genome(genome)
    if regions is None:
        chosen = fasta.whole()
    elif isinstance(regions, str | os.PathLike):
        chosen = read_regions(regions, fasta)
    else:
        chosen = list(regions)
    return scan_source(model, encoder, fasta, chosen, out, **options)


def scan_sequences(
    model: Any,
    encoder: EncoderSpec,
    sequences: Sequence[str],
    ids: Sequence[str],
    out: str | os.PathLike[str],
    **options: Any,
) -> ScanSummary:
    """Scan sequences held in memory (each written as a "chromosome" named by its id);
    ``options``: `scan_source`'s."""
    source = SequenceSource(sequences, ids)
    return scan_source(model, encoder, source, source.whole(), out, **options)
