"""Readers for the sequence formats people have, each returning one `SequenceSet`.

- ``tsv``: deepRAM's ``sequence<TAB>label`` with a header line (a one-column file with a header
  is read as unlabelled sequences);
- ``deepbind``: DeepBind's ENCODE ChIP-seq files, ``FoldID EventID seq Bound``;
- ``ionmf``: iONMF CLIP-seq FASTA, headers ``> chr1,+,368294,368394; class:0``;
- ``fasta``: plain FASTA, no labels;
- ``bed``: BED / narrowPeak intervals cut from a genome FASTA (pyfaidx).

Files may be gzip-compressed (detected by their magic bytes) and may start with a UTF-8 BOM.
Lines end at ``\n`` (``\r\n`` too); only spaces, tabs and ``\r`` count as blank around lines
and cells, so any other character (NUL, ``\x0b``, ``\x85``, U+2028, a non-breaking space) is
content and is rejected where it does not belong, never silently stripped. Each whole file is
read at once and split; characters are checked for all sequences in one vectorised pass
(`canonicalise`), and a bad one is mapped back to its line. Every problem with the file is an
`InputError` naming the file, the line and the problem.
"""

from __future__ import annotations

import gzip
import itertools
import os
import re
import sys
import warnings
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from kerasbind.errors import InputError, KerasbindError
from kerasbind.files import write_atomic
from kerasbind.sequences import (
    CANONICAL_TABLE,
    SequenceError,
    SequenceSet,
    canonicalise,
    detect_alphabet,
)

FORMATS = ("tsv", "deepbind", "ionmf", "fasta", "bed")
ID_COLUMN = "id"  # the optional last column of a TSV: each sequence's id
DEEPBIND_HEADER = ["foldid", "eventid", "seq", "bound"]
# the label is whatever follows "class:" and is checked to be 0 or 1, so a typo is named
IONMF_HEADER = re.compile(
    r"^>[ \t]*([^,\s]+),([+-]),([0-9]+),([0-9]+);[ \t]*class:(.*?)[ \t]*$", re.ASCII
)
_IONMF_HEADERS = re.compile(IONMF_HEADER.pattern, re.ASCII | re.MULTILINE)
# what makes a FASTA header look like iONMF's: ``chrom,strand,`` or ``; class:``
_IONMF_LIKE = re.compile(r"^>\s*[^,]*,\s*[+-]\s*,|;\s*class\s*:", re.IGNORECASE)
_BLANK = " \t\r"  # stripped around lines and cells; every other character is content
_BOM = "\ufeff"
_SAMPLE = 1000  # records (FASTA headers, table rows) that format detection looks at
_COMPLEMENT = str.maketrans("ACGTRYKMSWBDHVN", "TGCAYRMKSWVHDBN")
_BED_SKIP = ("#", "track", "browser")

Reader = Callable[[str | os.PathLike[str], str], tuple[SequenceSet, np.ndarray]]


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
    text = text.removeprefix(_BOM)
    if not text.strip(_BLANK + "\n"):
        raise InputError(path, None, "file is empty")
    return text


def detect_format(path: str | os.PathLike[str], text: str) -> str:
    """The format of a file's text, judged from its first line and the records after it.

    FASTA is iONMF when any of its first headers looks like iONMF's (so one malformed header
    is an error at its line, not a silently unlabelled file); a table is TSV when its first
    rows look like ``sequence[<TAB>label]``; anything else is an error saying what line it saw.
    """
    number, first = _first_line(text)
    lines = text.split("\n")[number - 1 :]
    if first.startswith(">"):
        headers = itertools.islice((line for line in lines if line.startswith(">")), _SAMPLE)
        return "ionmf" if any(map(_IONMF_LIKE.search, headers)) else "fasta"
    columns = [column.strip(_BLANK).lower() for column in first.split("\t")]
    if columns == DEEPBIND_HEADER:
        return "deepbind"
    if columns in (["sequence", ID_COLUMN], ["sequence", "label", ID_COLUMN]):
        return "tsv"  # as `write_tsv` writes sequences with ids
    stripped = (line.strip(_BLANK) for line in lines)
    sample = list(itertools.islice((line for line in stripped if line), _SAMPLE))
    data = [line for line in sample if not line.startswith(_BED_SKIP)]
    if data and _looks_like_bed(data[0]):
        return "bed"
    if first.count("\t") <= 1 and (len(sample) == 1 or any(map(_looks_like_row, sample[:2]))):
        return "tsv"
    raise KerasbindError(
        f"cannot tell the format of {path} (line {number} looks like "
        f"{_describe(first)}); use --format {'|'.join(FORMATS)}"
    )


def read_sequences(
    path: str | os.PathLike[str],
    fmt: str = "auto",
    *,
    genome: str | os.PathLike[str] | None = None,
    window: int = 101,
    strict: bool = False,
) -> SequenceSet:
    """Read one sequence file into a `SequenceSet` (``fmt``: ``auto`` or one of `FORMATS`).

    An id that occurs more than once is reported: a warning, or an `InputError` when ``strict``.
    """
    if fmt != "auto" and fmt not in FORMATS:
        raise KerasbindError(f"unknown format {fmt!r}; choose from auto, {', '.join(FORMATS)}")
    text = read_text(path)
    if fmt == "auto":
        fmt = detect_format(path, text)
    if fmt == "bed":
        if genome is None:
            raise KerasbindError(f"{path}: BED input needs a genome FASTA (--genome)")
        seqset, numbers = _read_bed(path, text, genome, window)
    else:
        readers: dict[str, Reader] = {
            "tsv": _read_tsv,
            "deepbind": _read_deepbind,
            "ionmf": _read_ionmf,
            "fasta": _read_fasta,
        }
        seqset, numbers = readers[fmt](path, text)
    _check_ids(path, seqset.ids, numbers, strict)
    return seqset


def write_tsv(seqset: SequenceSet, path: str | os.PathLike[str]) -> None:
    """Write ``sequence<TAB>label`` (or just ``sequence`` when unlabelled) in the user's alphabet,
    then an ``id`` column when the sequences have ids of their own (iONMF coordinates, ChIP-seq
    events, FASTA names; not the ``seq1``, ``seq2``, … given to unnamed ones); gzip when the
    name ends in ``.gz``; atomically (temporary file, then rename)."""
    frame = pd.DataFrame({"sequence": seqset.user_sequences()})
    if seqset.labels is not None:
        frame["label"] = seqset.labels
    if seqset.ids != [f"seq{i}" for i in range(1, len(seqset) + 1)]:
        frame[ID_COLUMN] = seqset.ids
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


def _nonblank(lines: list[str]) -> np.ndarray:
    """1-based numbers of the lines that hold anything but spaces, tabs and ``\\r``."""
    return np.flatnonzero([bool(line.strip(_BLANK)) for line in lines]) + 1


def _first_line(text: str) -> tuple[int, str]:
    """Line number (1-based) and content of the first non-blank line."""
    first = re.search(r"[^ \t\r\n]", text)
    if first is None:
        raise AssertionError("read_text refuses blank files")
    start = text.rfind("\n", 0, first.start()) + 1
    end = text.find("\n", start)
    return text.count("\n", 0, start) + 1, text[start : None if end < 0 else end].strip(_BLANK)


def _looks_like_sequence(cell: str) -> bool:
    """Mostly nucleotide letters and no spaces: a sequence, perhaps with a typo in it."""
    letters = sum(CANONICAL_TABLE[ord(c)] != 0 for c in cell if ord(c) < 256)
    return bool(cell) and " " not in cell and letters >= 0.8 * len(cell)


def _looks_like_row(line: str) -> bool:
    """``sequence`` or ``sequence<TAB>label`` (a TSV data row)."""
    cells = line.split("\t")
    return len(cells) <= 2 and _looks_like_sequence(cells[0].strip(_BLANK))


def _looks_like_bed(line: str) -> bool:
    words = line.split("\t") if "\t" in line else line.split()
    return len(words) >= 3 and words[1].strip().isdigit() and words[2].strip().isdigit()


def _describe(line: str) -> str:
    """What a line that fits no format looks like, with the line itself (shortened)."""
    shown = repr(line if len(line) <= 40 else line[:37] + "...")
    columns = line.count("\t") + 1
    if line.startswith("#"):
        kind = "a comment or a Markdown heading"
    elif columns > 2:
        kind = f"a table of {columns} tab-separated columns"
    elif " " in line.strip():
        kind = "text"
    else:
        kind = "neither a header nor a sequence"
    return f"{kind}: {shown}"


def _check_ids(
    path: str | os.PathLike[str], ids: list[str], numbers: np.ndarray, strict: bool
) -> None:
    """Report ids that occur more than once: a warning, or an `InputError` when ``strict``."""
    first: dict[str, int] = {}
    repeats = [i for i, record_id in enumerate(ids) if first.setdefault(record_id, i) != i]
    if not repeats:
        return
    record_id = ids[repeats[0]]
    error = InputError(
        path,
        int(numbers[repeats[0]]),
        f"duplicate id {record_id!r} (first at line {int(numbers[first[record_id]])}); "
        f"{len(repeats)} record(s) repeat an earlier id",
    )
    if strict:
        raise error
    warnings.warn(str(error), stacklevel=3)


def _canonical(
    path: str | os.PathLike[str], raw: Sequence[str], line_of: Callable[[int, int], int]
) -> list[str]:
    """`canonicalise`, with a bad character reported at its line (``line_of(index, pos)``)."""
    try:
        return canonicalise(raw)
    except SequenceError as error:
        raise InputError(path, line_of(error.index, error.position), str(error)) from None


def _labels(path: str | os.PathLike[str], labels: Sequence[str], numbers: np.ndarray) -> np.ndarray:
    """``"0"``/``"1"`` strings as int8, or an `InputError` at the first other value."""
    values = np.asarray(labels, dtype=object)
    ones, zeros = values == "1", values == "0"
    bad = np.flatnonzero(~(ones | zeros))
    if bad.size:
        raise InputError(path, int(numbers[bad[0]]), f"label {values[bad[0]]!r} is not 0 or 1")
    return ones.astype(np.int8)


def _table(
    path: str | os.PathLike[str],
    text: str,
    columns: int,
    header_problem: Callable[[list[str]], str | None],
) -> tuple[list[list[str]], np.ndarray]:
    """Split tab-separated text with a header line into ``n`` rows of ``columns`` cells and
    their line numbers. Blank lines are skipped; every row must have ``columns`` fields; the
    header is refused when ``header_problem(fields)`` names a problem."""
    lines = text.split("\n")
    numbers = _nonblank(lines)
    header_line = int(numbers[0])
    header = [field.strip(_BLANK) for field in lines[header_line - 1].split("\t")]
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
    cells = [[cell.strip(_BLANK) for cell in row] for row in rows]
    empty = [i for i, row in enumerate(cells) if not row[0]]
    if empty:
        raise InputError(path, int(numbers[empty[0]]), "empty sequence")
    return cells, numbers


def _column_problem(expected: int, found: int) -> str:
    return f"expected {expected} tab-separated column(s), found {found}"


def _tsv_header_problem(fields: list[str]) -> str | None:
    """A problem when the would-be header is a data row (it is missing): its first field looks
    like a sequence (a typo included) or its label is a number."""
    label_like = len(fields) == 2 and _is_number(fields[1])
    sequence_like = _looks_like_sequence(fields[0]) and (len(fields) == 1 or _is_valid(fields[0]))
    if label_like or sequence_like:
        return "missing header: the first line must name the columns, e.g. 'sequence<TAB>label'"
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.lower().lstrip("+-") not in ("nan", "inf", "infinity")


def _is_valid(sequence: str) -> bool:
    try:
        canonicalise([sequence])
    except SequenceError:
        return False
    return True


def _deepbind_header_problem(fields: list[str]) -> str | None:
    if [field.lower() for field in fields] != DEEPBIND_HEADER:
        return "missing header 'FoldID<TAB>EventID<TAB>seq<TAB>Bound'"
    return None


# ---------------------------------------------------------------- formats


def _read_tsv(path: str | os.PathLike[str], text: str) -> tuple[SequenceSet, np.ndarray]:
    header = _first_line(text)[1].split("\t")
    named = header[-1].strip(_BLANK) == ID_COLUMN and len(header) in (2, 3)  # `write_tsv`'s ids
    columns = len(header) if named else (2 if len(header) > 1 else 1)
    cells, numbers = _table(path, text, columns, _tsv_header_problem)
    raw = [row[0] for row in cells]
    labelled = columns - named == 2
    labels = _labels(path, [row[1] for row in cells], numbers) if labelled else None
    seqset = SequenceSet(
        sequences=_canonical(path, raw, lambda i, _: int(numbers[i])),
        labels=labels,
        ids=[row[-1] for row in cells] if named else [],
        alphabet=detect_alphabet(raw),
        source=str(path),
    )
    return seqset, numbers


def _read_deepbind(path: str | os.PathLike[str], text: str) -> tuple[SequenceSet, np.ndarray]:
    cells, numbers = _table(path, text, 4, _deepbind_header_problem)
    folds, events, raw, bound = (list(column) for column in zip(*cells, strict=True))
    labels = _labels(path, bound, numbers)
    seqset = SequenceSet(
        sequences=_canonical(path, raw, lambda i, _: int(numbers[i])),
        labels=labels,
        ids=events,
        alphabet=detect_alphabet(raw),
        source=str(path),
        metadata=pd.DataFrame({"fold": folds, "event": events}),
    )
    return seqset, numbers


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
    headers = [lines[i].strip(_BLANK) for i in starts]
    raw = [
        "".join(line.strip(_BLANK) for line in lines[a + 1 : b])
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
            offset += len(lines[line_index].strip(_BLANK))
            if position < offset:
                return line_index + 1
        return int(ends[index])

    return headers, raw, starts + 1, line_of


def _read_fasta(path: str | os.PathLike[str], text: str) -> tuple[SequenceSet, np.ndarray]:
    headers, raw, numbers, line_of = _fasta_records(path, text)
    ids = [(header[1:].split() or [f"seq{i + 1}"])[0] for i, header in enumerate(headers)]
    seqset = SequenceSet(
        sequences=_canonical(path, raw, line_of),
        ids=ids,
        alphabet=detect_alphabet(raw),
        source=str(path),
    )
    return seqset, numbers


def _read_ionmf(path: str | os.PathLike[str], text: str) -> tuple[SequenceSet, np.ndarray]:
    headers, raw, numbers, line_of = _fasta_records(path, text)
    found = _IONMF_HEADERS.findall("\n".join(headers))  # one pass; each match is one line
    if len(found) != len(headers):
        bad = next(i for i, header in enumerate(headers) if not IONMF_HEADER.match(header))
        raise InputError(
            path,
            int(numbers[bad]),
            f"not an iONMF header: {headers[bad]!r} (expected e.g. "
            "'> chr1,+,368294,368394; class:0'; --format fasta reads it as plain FASTA)",
        )
    fields = pd.DataFrame(found)
    labels = _labels(path, fields[4].tolist(), numbers)
    metadata = pd.DataFrame(
        {
            "chrom": fields[0],
            "strand": fields[1],
            "start": fields[2].astype(np.int64),
            "end": fields[3].astype(np.int64),
        }
    )
    ids = (fields[0] + ":" + fields[2] + "-" + fields[3] + "(" + fields[1] + ")").tolist()
    seqset = SequenceSet(
        sequences=_canonical(path, raw, line_of),
        labels=labels,
        ids=ids,
        alphabet="RNA",  # CLIP-seq: transcripts (iONMF writes them with T), one strand
        source=str(path),
        metadata=metadata,
    )
    return seqset, numbers


def _read_bed(
    path: str | os.PathLike[str], text: str, genome: str | os.PathLike[str], window: int
) -> tuple[SequenceSet, np.ndarray]:
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
        if not line.strip(_BLANK) or line.startswith(_BED_SKIP):
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
    seqset = SequenceSet(
        sequences=sequences,
        ids=names,
        alphabet="DNA",
        source=str(path),
        metadata=pd.DataFrame({"chrom": chroms, "start": starts, "end": ends, "strand": strands}),
    )
    return seqset, np.array(numbers)


def _bed_window(
    path: str | os.PathLike[str], number: int, line: str, window: int, sizes: dict[str, int]
) -> tuple[str, int, int, str, str]:
    """``(chrom, start, end, strand, name)`` of one BED line's window, checked against the
    chromosome ``sizes`` of the genome."""
    line = line.strip(_BLANK)
    fields = line.split("\t") if "\t" in line else [field for field in line.split(" ") if field]
    if len(fields) < 3:
        raise InputError(path, number, _column_problem(3, len(fields)) + " (chrom, start, end)")
    chrom = fields[0]
    try:
        start, end = _whole(fields[1]), _whole(fields[2])
        summit = _whole(fields[9]) if len(fields) >= 10 else -1
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


def _whole(text: str) -> int:
    """An ASCII whole number (``int`` alone would also take other scripts' digits)."""
    if not text.isascii():
        raise ValueError(text)
    return int(text)
