"""A genome FASTA and the regions to scan, streamed in overlapping chunks.

Memory does not grow with chromosome length: a region is read ``chunk + L - 1`` letters at a time
(consecutive chunks overlap by ``L - 1`` so that every window lies whole in one chunk), with
``chunk`` a multiple of the stride so that the windows keep one grid across chunks.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kerasbind.errors import InputError, KerasbindError
from kerasbind.sequences import CODE_TABLE, UNKNOWN_CODE

DEFAULT_CHUNK = 1 << 18  # window starts per chunk (≈ 200 MB of working memory for deepbind)
SECTION_STARTS = 1 << 23  # window starts per section of a long region (the unit a rerun keeps)


def letter_codes(letters: str) -> np.ndarray:
    """Integer codes of FASTA letters; anything outside the alphabet counts as unknown."""
    raw = np.frombuffer(letters.encode("ascii", "replace"), np.uint8)
    return np.minimum(CODE_TABLE[raw], UNKNOWN_CODE)


@dataclass(frozen=True)
class Region:
    """A half-open 0-based interval of one chromosome, with a name for outputs."""

    chrom: str
    start: int
    end: int
    name: str = ""

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Section:
    """A stretch of a region scanned as a whole: the windows starting in it, with the letters
    they reach (``letters``, a sub-interval of the region); ``bases`` the region's bases it
    accounts for (its window starts, or the rest of the region for the last section), ``last``
    whether the region ends with it."""

    letters: Region
    bases: int
    last: bool


def sections(regions: list[Region], window: int, stride: int) -> list[Section]:
    """The regions cut into sections of `SECTION_STARTS` window starts (rounded down to a
    multiple of ``stride``, so that the windows keep one grid), consecutive sections
    overlapping by ``window - 1`` letters, so that a long chromosome is resumed where it
    stopped, not from its start. A region shorter than the window is one section."""
    step = max(stride, SECTION_STARTS - SECTION_STARTS % stride)
    cut: list[Section] = []
    for region in regions:
        starts = region.length - window + 1
        offsets = list(range(0, starts, step)) if starts > step else [0]
        for number, offset in enumerate(offsets):
            last = number == len(offsets) - 1
            end = region.end if last else region.start + offset + step + window - 1
            letters = Region(region.chrom, region.start + offset, end, region.name)
            bases = region.length - offset if last else step
            cut.append(Section(letters, bases, last))
    return cut


@dataclass(frozen=True)
class Chunk:
    """Integer codes of ``region.start + offset …`` (``codes`` long)."""

    region: Region
    offset: int
    codes: np.ndarray


class Genome:
    """An indexed genome FASTA (pyfaidx), read a slice at a time."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from pyfaidx import Fasta, FastaIndexingError

        self.path = Path(path)
        if not self.path.is_file():
            raise KerasbindError(f"{self.path}: no such genome FASTA")
        index = Path(f"{self.path}.fai")
        if not index.is_file():
            raise KerasbindError(
                f"{self.path}: the genome FASTA has no index {index.name} "
                f"(make one with 'samtools faidx {self.path}' or 'faidx {self.path}')"
            )
        try:
            self._fasta = Fasta(str(self.path), as_raw=True, rebuild=False)
            self.sizes = {name: len(record) for name, record in self._fasta.items()}
        except (OSError, FastaIndexingError, ValueError, UnicodeDecodeError) as error:
            raise KerasbindError(f"{self.path}: cannot read the genome FASTA ({error})") from None

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """The letters of ``chrom[start:end]`` as the FASTA holds them."""
        try:
            return self._fasta[chrom][start:end]
        except (OSError, ValueError, UnicodeDecodeError) as error:
            where = f"{chrom}:{start}-{end}"
            raise KerasbindError(f"{self.path}: cannot read {where} ({error})") from None

    def codes(self, chrom: str, start: int, end: int) -> np.ndarray:
        """Integer codes of ``chrom[start:end]``; a letter outside the alphabet counts as unknown
        (assemblies hold a few IUPAC and odd letters)."""
        return letter_codes(self.fetch(chrom, start, end))

    def fingerprint(self) -> str:
        """The FASTA as a resumed scan checks it: its path, size, modification time and index."""
        stat = self.path.stat()
        index = Path(f"{self.path}.fai").read_bytes()
        text = f"{self.path.resolve()}\t{stat.st_size}\t{stat.st_mtime_ns}\t"
        return hashlib.sha256(text.encode() + index).hexdigest()

    def whole(self) -> list[Region]:
        """Every chromosome, whole, in the FASTA's order."""
        return [Region(chrom, 0, size, chrom) for chrom, size in self.sizes.items()]


def read_regions(path: str | os.PathLike[str], genome: Genome) -> list[Region]:
    """BED intervals (chrom, start, end, optional name), checked against the genome: sorted
    (each chromosome's intervals together, by start), not overlapping, inside the chromosome."""
    regions: list[Region] = []
    finished: set[str] = set()
    try:
        lines = Path(path).read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KerasbindError(f"{path}: cannot read the BED file ({error})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 3:
            raise InputError(path, number, f"{len(fields)} columns; BED needs chrom, start, end")
        chrom = fields[0]
        try:
            start, end = int(fields[1]), int(fields[2])
        except ValueError:
            raise InputError(path, number, "start and end must be whole numbers") from None
        if not 0 <= start < end:
            raise InputError(path, number, f"bad interval {start}-{end}")
        if chrom not in genome.sizes:
            raise InputError(path, number, f"chromosome {chrom!r} is not in {genome.path.name}")
        if end > genome.sizes[chrom]:
            raise InputError(
                path,
                number,
                f"{chrom}:{start}-{end} runs past the end of {chrom} ({genome.sizes[chrom]} bp)",
            )
        name = fields[3] if len(fields) > 3 and fields[3] not in ("", ".") else ""
        region = Region(chrom, start, end, name or f"{chrom}:{start}-{end}")
        previous = regions[-1] if regions else None
        if previous is not None and previous.chrom != chrom:
            finished.add(previous.chrom)
        if chrom in finished or (previous and previous.chrom == chrom and start < previous.start):
            raise InputError(
                path, number, "the BED file is not sorted (sort it: sort -k1,1 -k2,2n)"
            )
        if previous is not None and previous.chrom == chrom and start < previous.end:
            raise InputError(
                path,
                number,
                f"{chrom}:{start}-{end} overlaps the interval before it (merge them: "
                "bedtools merge)",
            )
        regions.append(region)
    if not regions:
        raise InputError(path, None, "no intervals in the BED file")
    return regions


def chunks(genome: Genome, region: Region, window: int, stride: int, chunk: int) -> Iterator[Chunk]:
    """``region``'s codes in pieces holding the windows that start at ``offset, offset + stride,
    … < offset + chunk`` (``chunk`` rounded down to a multiple of ``stride``)."""
    step = max(stride, chunk - chunk % stride)
    last_start = region.length - window
    for offset in range(0, max(last_start, 0) + 1, step):
        begin = region.start + offset
        end = min(region.end, begin + step + window - 1)
        yield Chunk(region, offset, genome.codes(region.chrom, begin, end))
