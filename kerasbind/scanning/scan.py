"""Scan sequences or genome regions: every window's score along them, streamed chunk by chunk into
``scores.bedGraph``, ``scores.bw`` and ``hits.bed`` (`kerasbind.scanning.writers`)."""

from __future__ import annotations

import hashlib
import json
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
from kerasbind.files import check_new_folder, replace_folder, write_json
from kerasbind.scanning.genome import (
    DEFAULT_CHUNK,
    Chunk,
    Genome,
    Region,
    Section,
    chunks,
    read_regions,
    sections,
)
from kerasbind.scanning.parts import (
    OPEN_HITS,
    TRACK_FILES,
    ScanParts,
    TrackValues,
    model_fingerprint,
    regions_fingerprint,
    section_groups,
)
from kerasbind.scanning.scanner import Scanner
from kerasbind.scanning.strands import both_strands
from kerasbind.scanning.writers import BedGraphWriter, HitWriter, track_bins
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
    resumed_regions: int = 0  # regions kept from an interrupted run of the same scan
    resumed_windows: int = 0

    @property
    def positions_per_second(self) -> float:
        """Window starts scored per second by this call (each on both strands when
        ``strands`` is both)."""
        scored = self.windows - self.resumed_windows
        return scored * self.stride / self.seconds if self.seconds else 0.0


class SequenceSource:
    """Sequences in memory, addressed like a genome (each sequence a "chromosome" named by its
    id)."""

    def __init__(self, sequences: Sequence[str], ids: Sequence[str]) -> None:
        if len(set(ids)) != len(ids):
            raise KerasbindError("scanning needs a distinct id for every sequence")
        self._codes, self._offsets = joined_codes(sequences)
        self.sizes = {name: len(seq) for name, seq in zip(ids, sequences, strict=True)}
        self._index = {name: i for i, name in enumerate(ids)}

    def fingerprint(self) -> str:
        """SHA-256 of the sequences' ids and letters (as codes), in order."""
        digest = hashlib.sha256("\n".join(self.sizes).encode())
        digest.update(self._codes.tobytes())
        return digest.hexdigest()

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
    scan is complete).

    Resumable: finished parts (runs of regions) are kept in ``OUT.partial`` as the scan goes
    (`kerasbind.scanning.parts`); an interrupted scan rerun with the same model, inputs and
    options continues after them, other arguments are refused unless ``overwrite``."""
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
    fingerprint = {
        "model": model_fingerprint(model),
        "encoder": encoder.to_dict(),
        "input": source.fingerprint(),
        "regions": regions_fingerprint(regions),
        "options": {
            "stride": stride,
            "strands": "both" if both else "forward",
            "combine": combine,
            "threshold": threshold,
            "mode": scanner.mode,
            "formats": chosen,
        },
    }
    parts = ScanParts(out, json.loads(json.dumps(fingerprint)), overwrite)
    cut = sections(regions, window, stride)
    kept = cut[: parts.sections_done]
    resumed = {"regions": sum(section.last for section in kept), "windows": parts.total("windows")}
    started = time.perf_counter()
    total = sum(region.length for region in regions)
    bar = tqdm(total=total, unit="bp", unit_scale=True, desc="scan", disable=not progress)
    bar.update(parts.total("bases"))
    try:
        for start, end in section_groups([s.bases for s in cut], parts.sections_done):

            def fill(folder: Path, start: int = start, end: int = end) -> dict[str, int]:
                return _scan_part(
                    scanner,
                    source,
                    cut[start:end],
                    (start, parts.open_hits()),
                    folder,
                    chosen,
                    bar,
                    (window, stride, both, combine, threshold, chunk),
                )

            parts.add(start, end, fill)
    finally:
        bar.close()
    letters = [section.letters for section in cut]
    replace_folder(
        out, lambda folder: parts.join(folder, OUTPUT_FILES, chosen, letters, list(sizes.items()))
    )
    parts.remove()
    return ScanSummary(
        regions=len(regions),
        bases=total,
        windows=parts.total("windows"),
        hits=parts.total("hits"),
        seconds=time.perf_counter() - started,
        mode=scanner.mode,
        strands="both" if both else "forward",
        stride=stride,
        window=window,
        outputs={name: out / OUTPUT_FILES[name] for name in chosen},
        resumed_regions=resumed["regions"],
        resumed_windows=resumed["windows"],
    )


def _scan_part(
    scanner: Scanner,
    source: Genome | SequenceSource,
    part: list[Section],
    origin: tuple[int, dict[str, Any] | None],
    folder: Path,
    chosen: list[str],
    bar: Any,
    settings: tuple[int, int, bool, str, float, int],
) -> dict[str, int]:
    """Scan a part's sections into its files (`kerasbind.scanning.parts`); ``origin``: the
    index of its first section in the scan and the hits the part before left open. Returns
    its counts."""
    window, stride, both, combine, threshold, chunk = settings
    first, open_hits = origin
    handles = {
        name: open(folder / TRACK_FILES[name], "w")  # noqa: SIM115
        for name in ("bedgraph", "hits")
        if name in chosen
    }
    bedgraph = BedGraphWriter(handles["bedgraph"]) if "bedgraph" in handles else None
    track = TrackValues() if "bigwig" in chosen else None
    hits = HitWriter(handles["hits"], threshold) if "hits" in handles else None
    if hits is not None and open_hits is not None:
        hits.restore(open_hits)
    counts = {"windows": 0, "hits": 0, "bases": 0}
    try:
        for index, section in enumerate(part, start=first):
            region = section.letters
            for piece in chunks(source, region, window, stride, chunk):
                scored = _score_piece(scanner, piece, window, stride, both, combine)
                counts["windows"] += len(scored.probability)
                if bedgraph is not None:
                    bedgraph.add(region.chrom, scored.bin_start, scored.bin_end, scored.probability)
                if track is not None:
                    track.add(index, scored.bin_start, scored.bin_end, scored.probability)
                if hits is not None:
                    hits.add(
                        region.chrom, scored.start, scored.end, scored.probability, scored.reverse
                    )
                done = len(scored.probability) * stride
                bar.update(min(section.bases - piece.offset, done))
            counts["bases"] += section.bases
            if hits is not None:
                hits.flush(final=section.last)
        if hits is not None and not part[-1].last:  # the region goes on in the next part
            write_json(folder / OPEN_HITS, hits.state())
    finally:
        for handle in handles.values():
            handle.close()
    if track is not None:
        track.save(folder / TRACK_FILES["bigwig"])
    counts["hits"] = hits.count if hits is not None else 0
    return counts


@dataclass
class ScoredPiece:
    """One chunk's windows in genome coordinates: the window, where its score is drawn on the
    track, its probability (strands combined) and whether its better strand is the reverse."""

    start: np.ndarray
    end: np.ndarray
    bin_start: np.ndarray
    bin_end: np.ndarray
    probability: np.ndarray
    reverse: np.ndarray


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
    reverse = (
        scores.reverse > scores.forward
        if scores.reverse is not None
        else np.zeros(len(start), bool)
    )
    probability = sigmoid(scores.log_odds.astype(np.float64))
    return ScoredPiece(start, end, bin_start, bin_end, probability, reverse)


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
