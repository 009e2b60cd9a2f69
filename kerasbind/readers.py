"""Readers for the sequence formats people have, each returning one `SequenceSet`.

- ``tsv``: deepRAM's ``sequence<TAB>label`` with a header line (a one-column file with a header
  is read as unlabelled sequences);
- ``deepbind``: DeepBind's ENCODE ChIP-seq files, ``FoldID EventID seq Bound``;
- ``ionmf``: iONMF CLIP-seq FASTA, headers ``> chr1,+,368294,368394; class:0``;
- ``fasta``: plain FASTA, no labels;
- ``bed``: BED / narrowPeak intervals cut from a genome FASTA (pyfaidx).

Files may be gzip-compressed (detected by their magic bytes). Each whole file is read at once and
split; characters are checked for all sequences in one vectorised pass (`canonicalise`), and a
bad one is mapped back to its line. Every problem with the file is an `InputError` naming the
file, the line and the problem.
"""

from __future__ import annotations

import gzip
import os
import re
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from kerasbind.errors import InputError, KerasbindError
from kerasbind.files import write_atomic
from kerasbind.sequences import SequenceError, SequenceSet, canonicalise, detect_alphabet

FORMATS = ("tsv", "deepbind", "ionmf", "fasta", "bed")
DEEPBIND_HEADER = ["foldid", "eventid", "seq", "bound"]
IONMF_HEADER = re.compile(r"^>\s*([^,\s]+),([+-]),(\d+),(\d+);\s*class:(\S*)\s*$")
_IONMF_HEADERS = re.compile(IONMF_HEADER.pattern.replace(r"\s*", r"[ \t]*"), re.MULTILINE)
_COMPLEMENT = str.maketrans("ACGTRYKMSWBDHVN", "TGCAYRMKSWVHDBN")
_BED_SKIP = ("#", "track", "browser")


def read_text(path: str | os.PathLike[str]) -> str:
    """A whole file as text, gunzipped when it starts with gzip's magic bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise KerasbindError(f"{path}: cannot read: {error.strerror or error}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(path, None, f"not a valid gzip file ({error})") from None
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if not text.strip():
        raise InputError(path, None, "file is empty")
    return text


def detect_format(path: str | os.PathLike[str], text: str) -> str:
    """The format of a file's text, judged from its first non-blank line."""
    number, line = _first_line(text)
    columns = line.split("\t")
    words = line.split()
    if line.startswith(">"):
        return "ionmf" if IONMF_HEADER.match(line) else "fasta"
    if [column.strip().lower() for column in columns] == DEEPBIND_HEADER:
        return "deepbind"
    if line.startswith(_BED_SKIP) or (
        len(words) >= 3 and words[1].isdigit() and words[2].isdigit()
    ):
        return "bed"
    if len(columns) <= 2:
        return "tsv"
    raise InputError(path, number, f"cannot tell the file's format; give --format ({FORMATS})")


def read_sequences(
    path: str | os.PathLike[str],
    fmt: str = "auto",
    *,
    genome: str | os.PathLike[str] | None = None,
    window: int = 101,
) -> SequenceSet:
    """Read one sequence file into a `SequenceSet` (``fmt``: ``auto`` or one of `FORMATS`)."""
    text = read_text(path)
    if fmt == "auto":
        fmt = detect_format(path, text)
    if fmt == "bed":
        if genome is None:
            raise KerasbindError(f"{path}: BED input needs a genome FASTA (--genome)")
        return _read_bed(path, text, genome, window)
    readers: dict[str, Callable[[str | os.PathLike[str], str], SequenceSet]] = {
        "tsv": _read_tsv,
        "deepbind": _read_deepbind,
        "ionmf": _read_ionmf,
        "fasta": _read_fasta,
    }
    if fmt not in readers:
        raise KerasbindError(f"unknown format {fmt!r}; choose from auto, {', '.join(FORMATS)}")
    return readers[fmt](path, text)


def write_tsv(seqset: SequenceSet, path: str | os.PathLike[str]) -> None:
    """Write ``sequence<TAB>label`` (or just ``sequence`` when unlabelled) in the user's alphabet,
    gzip when the name ends in ``.gz``; atomically (temporary file, then rename)."""
    frame = pd.DataFrame({"sequence": seqset.user_sequences()})
    if seqset.labels is not None:
        frame["label"] = seqset.labels
    path = Path(path)
    gzipped = path.suffix == ".gz"
    compression = {"method": "gzip", "compresslevel": 6, "mtime": 0} if gzipped else None
    try:
        write_atomic(
            path, lambda tmp: frame.to_csv(tmp, sep="\t", index=False, compression=compression)
        )
    except OSError as error:
        raise KerasbindError(f"{path}: cannot write: {error.strerror or error}") from None


# ---------------------------------------------------------------- helpers


def _first_line(text: str) -> tuple[int, str]:
    """Line number (1-based) and content of the first non-blank line."""
    first = re.search(r"\S", text)
    if first is None:
        raise AssertionError("read_text refuses blank files")
    start = text.rfind("\n", 0, first.start()) + 1
    end = text.find("\n", start)
    return text.count("\n", 0, start) + 1, text[start : None if end < 0 else end].strip()


def _canonical(
    path: str | os.PathLike[str], raw: Sequence[str], line_of: Callable[[int, int], int]
) -> list[str]:
    """`canonicalise`, with a bad character reported at its line (``line_of(index, pos)``)."""
    try:
        return canonicalise(raw)
    except SequenceError as error:
        raise InputError(path, line_of(error.index, error.position), str(error)) from None


def _check_labels(path: str | os.PathLike[str], labels: np.ndarray, numbers: np.ndarray) -> None:
    bad = np.flatnonzero(~np.isin(labels, ["0", "1"]))
    if bad.size:
        label = str(labels[bad[0]])
        raise InputError(path, int(numbers[bad[0]]), f"label {label!r} is not 0 or 1")


def _table(
    path: str | os.PathLike[str],
    text: str,
    columns: int,
    header_problem: Callable[[list[str]], str | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Split tab-separated text with a header line into ``(n, columns)`` cells and their line
    numbers. Blank lines are skipped; every row must have ``columns`` fields; the header is
    refused when ``header_problem(fields)`` names a problem."""
    lines = text.split("\n")
    numbers = np.flatnonzero([bool(line.strip()) for line in lines]) + 1
    header_line = int(numbers[0])
    header = lines[header_line - 1].split("\t")
    if len(header) != columns:
        raise InputError(path, header_line, _column_problem(columns, len(header)))
    if problem := header_problem(header):
        raise InputError(path, header_line, problem)
    numbers = numbers[1:]
    if numbers.size == 0:
        raise InputError(path, header_line, "no sequences after the header line")
    rows = [lines[i - 1].split("\t") for i in numbers]
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    wrong = np.flatnonzero(widths != columns)
    if wrong.size:
        raise InputError(path, int(numbers[wrong[0]]), _column_problem(columns, widths[wrong[0]]))
    cells = np.char.strip(np.array(rows, dtype=str).reshape(len(rows), columns))
    empty = np.flatnonzero(np.char.str_len(cells[:, 0]) == 0)
    if empty.size:
        raise InputError(path, int(numbers[empty[0]]), "empty sequence")
    return cells, numbers


def _column_problem(expected: int, found: int) -> str:
    return f"expected {expected} tab-separated column(s), found {found}"


def _tsv_header_problem(fields: list[str]) -> str | None:
    """A problem when the would-be header is a valid sequence (and label): it is missing."""
    try:
        canonicalise([fields[0].strip()])
    except SequenceError:
        return None
    if len(fields) == 1 or fields[-1].strip() in ("0", "1"):
        return "missing header: the first line must name the columns, e.g. 'sequence<TAB>label'"
    return None


def _deepbind_header_problem(fields: list[str]) -> str | None:
    if [field.strip().lower() for field in fields] != DEEPBIND_HEADER:
        return "missing header 'FoldID<TAB>EventID<TAB>seq<TAB>Bound'"
    return None


# ---------------------------------------------------------------- formats


def _read_tsv(path: str | os.PathLike[str], text: str) -> SequenceSet:
    columns = 2 if "\t" in _first_line(text)[1] else 1
    cells, numbers = _table(path, text, columns, _tsv_header_problem)
    labels = None
    if columns == 2:
        _check_labels(path, cells[:, 1], numbers)
        labels = cells[:, 1].astype(np.int8)
    raw = cells[:, 0].tolist()
    return SequenceSet(
        sequences=_canonical(path, raw, lambda i, _: int(numbers[i])),
        labels=labels,
        alphabet=detect_alphabet(raw),
        source=str(path),
    )


def _read_deepbind(path: str | os.PathLike[str], text: str) -> SequenceSet:
    cells, numbers = _table(path, text, 4, _deepbind_header_problem)
    _check_labels(path, cells[:, 3], numbers)
    raw = cells[:, 2].tolist()
    return SequenceSet(
        sequences=_canonical(path, raw, lambda i, _: int(numbers[i])),
        labels=cells[:, 3].astype(np.int8),
        ids=cells[:, 1].tolist(),
        alphabet=detect_alphabet(raw),
        source=str(path),
        metadata=pd.DataFrame({"fold": cells[:, 0], "event": cells[:, 1]}),
    )


def _fasta_records(
    path: str | os.PathLike[str], text: str
) -> tuple[list[str], list[str], np.ndarray, Callable[[int, int], int]]:
    """Headers, raw (unwrapped) sequences, header line numbers, and a ``line_of(index, pos)``."""
    lines = text.split("\n")
    starts = np.flatnonzero([line.startswith(">") for line in lines])
    number, _ = _first_line(text)
    if starts.size == 0 or starts[0] != number - 1:
        raise InputError(path, number, "expected a FASTA header line starting with '>'")
    ends = np.append(starts[1:], len(lines))
    headers = [lines[i].strip() for i in starts]
    raw = [
        "".join(line.strip() for line in lines[a + 1 : b])
        for a, b in zip(starts, ends, strict=True)
    ]
    empty = [i for i, seq in enumerate(raw) if not seq]
    if empty:
        raise InputError(
            path, int(starts[empty[0]]) + 1, f"FASTA record '{headers[empty[0]]}' has no sequence"
        )

    def line_of(index: int, position: int) -> int:
        offset = 0
        for line_index in range(starts[index] + 1, ends[index]):
            offset += len(lines[line_index].strip())
            if position < offset:
                return line_index + 1
        return int(ends[index])

    return headers, raw, starts + 1, line_of


def _read_fasta(path: str | os.PathLike[str], text: str) -> SequenceSet:
    headers, raw, _, line_of = _fasta_records(path, text)
    ids = [(header[1:].split() or [f"seq{i + 1}"])[0] for i, header in enumerate(headers)]
    return SequenceSet(
        sequences=_canonical(path, raw, line_of),
        ids=ids,
        alphabet=detect_alphabet(raw),
        source=str(path),
    )


def _read_ionmf(path: str | os.PathLike[str], text: str) -> SequenceSet:
    headers, raw, numbers, line_of = _fasta_records(path, text)
    found = _IONMF_HEADERS.findall("\n".join(headers))
    if len(found) != len(headers):
        bad = next(i for i, header in enumerate(headers) if not IONMF_HEADER.match(header))
        raise InputError(
            path,
            int(numbers[bad]),
            "not an iONMF header (expected e.g. '> chr1,+,368294,368394; class:0')",
        )
    fields = pd.DataFrame(found)
    labels = fields[4].to_numpy(dtype=str)
    _check_labels(path, labels, numbers)
    metadata = pd.DataFrame(
        {
            "chrom": fields[0],
            "strand": fields[1],
            "start": fields[2].astype(np.int64),
            "end": fields[3].astype(np.int64),
        }
    )
    ids = (fields[0] + ":" + fields[2] + "-" + fields[3] + "(" + fields[1] + ")").tolist()
    return SequenceSet(
        sequences=_canonical(path, raw, line_of),
        labels=labels.astype(np.int8),
        ids=ids,
        alphabet=detect_alphabet(raw),
        source=str(path),
        metadata=metadata,
    )


def _read_bed(
    path: str | os.PathLike[str], text: str, genome: str | os.PathLike[str], window: int
) -> SequenceSet:
    """Windows of ``window`` bp centred on each narrowPeak summit (column 10) or interval centre,
    reverse-complemented on the ``-`` strand."""
    from pyfaidx import Fasta, FastaIndexingError

    if window < 1:
        raise KerasbindError("--window must be a positive number of bases")
    try:
        fasta = Fasta(str(genome), as_raw=True)
    except (OSError, FastaIndexingError, ValueError) as error:
        raise KerasbindError(f"{genome}: cannot open the genome FASTA ({error})") from None
    sizes = {name: len(fasta[name]) for name in fasta.keys()}  # noqa: SIM118 (not a dict)
    records: list[tuple[str, int, int, str, str]] = []
    numbers: list[int] = []
    lines = text.split("\n")
    for number, line in enumerate(
        tqdm(
            lines,
            desc="BED",
            unit=" lines",
            file=sys.stderr,
            disable=len(lines) < 100_000,
            leave=False,
        ),
        start=1,
    ):
        if not line.strip() or line.startswith(_BED_SKIP):
            continue
        records.append(_bed_window(path, number, line, window, sizes))
        numbers.append(number)
    if not records:
        raise InputError(path, None, "no intervals in the BED file")
    chroms, starts, ends, strands, names = (list(column) for column in zip(*records, strict=True))
    raw = [fasta[c][s:e] for c, s, e in zip(chroms, starts, ends, strict=True)]
    sequences = _canonical(path, raw, lambda i, _: numbers[i])
    sequences = [
        seq.translate(_COMPLEMENT)[::-1] if strand == "-" else seq
        for seq, strand in zip(sequences, strands, strict=True)
    ]
    return SequenceSet(
        sequences=sequences,
        ids=names,
        alphabet="DNA",
        source=str(path),
        metadata=pd.DataFrame({"chrom": chroms, "start": starts, "end": ends, "strand": strands}),
    )


def _bed_window(
    path: str | os.PathLike[str], number: int, line: str, window: int, sizes: dict[str, int]
) -> tuple[str, int, int, str, str]:
    """``(chrom, start, end, strand, name)`` of one BED line's window, checked against the
    chromosome ``sizes`` of the genome."""
    fields = line.rstrip().split("\t") if "\t" in line else line.split()
    if len(fields) < 3:
        raise InputError(path, number, _column_problem(3, len(fields)) + " (chrom, start, end)")
    chrom = fields[0]
    try:
        start, end = int(fields[1]), int(fields[2])
        summit = int(fields[9]) if len(fields) >= 10 else -1
    except ValueError:
        raise InputError(path, number, "start, end and summit must be whole numbers") from None
    if not 0 <= start < end:
        raise InputError(path, number, f"bad interval {start}-{end}")
    centre = start + summit if summit >= 0 else (start + end) // 2
    left = centre - window // 2
    strand = fields[5] if len(fields) >= 6 and fields[5] in "+-" else "+"
    name = (
        fields[3]
        if len(fields) >= 4 and fields[3] not in ("", ".")
        else (f"{chrom}:{left}-{left + window}({strand})")
    )
    if chrom not in sizes:
        raise InputError(path, number, f"chromosome {chrom!r} is not in the genome FASTA")
    size = sizes[chrom]
    if left < 0 or left + window > size:
        raise InputError(
            path,
            number,
            f"window {chrom}:{left}-{left + window} lies outside the genome "
            f"({chrom} has {size} bp)",
        )
    return chrom, left, left + window, strand, name
