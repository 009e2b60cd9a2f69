"""Seeded fuzzing of `read_sequences`: random mutations of a valid file of each format.

Whatever a mutation does, the reader either returns exactly what the file holds (checked against
`reference`, a plain line-by-line reading of each format's definition, written independently of
the reader) or raises a `KerasbindError` naming the line; never another exception, never a
silently changed sequence, label or id. When an edit turns the file into another valid format
(a FASTA file whose first ``>`` is gone is a one-column TSV), it must be read exactly as that
format, and a labelled file must not become an unlabelled one.
``python tests/test_fuzz_readers.py N`` runs N mutations per format and prints the figures.
"""

from __future__ import annotations

import gzip
import random
import re
import shutil
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest

from kerasbind.errors import InputError, KerasbindError
from kerasbind.readers import detect_format, read_sequences, read_text

FILES = Path(__file__).parent / "files"
LABELLED = ("tsv", "deepbind", "ionmf")
LETTERS = set("ACGTUNRYSWKMBDHVacgtunryswkmbdhv")
BLANK = " \t\r"
ASCII_SPACE = set(" \t\n\r\f\v")
# characters a careless editor, a Windows tool or a bad copy-paste puts into files
POOL = [
    *"\x00\x0b\x0c\x1c\x85\u2028\u2029\xa0\ufeff\ufffd \t\r\n>;:,#XNua012-é",
    "class:",
    "class: ",
]
BASES = {
    "tsv": "sequence\tlabel\nACGTACGTAA\t1\nacgunnacgg\t0\nTTTTGGGGCC\t1\nGATTACA\t0\n",
    "deepbind": (
        "FoldID\tEventID\tseq\tBound\nA\tpeak1\tACGTACGTAC\t1\nA\tpeak2\tTTGACCANNA\t0\n"
        "B\tpeak3\tggcatgca\t1\nB\tpeak4\tCCCGGGTTTA\t0\n"
    ),
    "ionmf": (
        "> chr1,+,368294,368394; class:1\nACGTACGT\nACGU\n> chr2,-,100,110; class:0\nacgtnacgta\n"
        "> chrX,+,5,15; class:1\nGGGCCCAAAT\n> chr3,-,7,17; class:0\nTTTTCCCCGG\n"
    ),
    "fasta": ">first one\nACGTACGT\nACGT\n>second\nttggaaccnn\n>third\nGGGCCCUUUA\n>4\nCAT\n",
    "bed": "track name=fuzz\nchr1\t100\t111\tp1\t0\t+\nchr1\t150\t161\tp2\t0\t-\nchr2\t60\t80\n",
}


# ---------------------------------------------------------------- the reference reading


def _decoded(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except Exception:  # any failure: not valid gzip
            return None
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").removeprefix("\ufeff")


def _canonical(sequence: str) -> str | None:
    if not sequence or not set(sequence) <= LETTERS:
        return None
    return sequence.upper().replace("U", "T")


def _fasta(text: str, ionmf: bool) -> tuple | None:
    records: list[list[str]] = []
    for line in text.split("\n"):
        if line.startswith(">"):
            records.append([line.strip(BLANK), ""])
        elif records:
            records[-1][1] += line.strip(BLANK)
        elif line.strip(BLANK):
            return None
    if not records:
        return None
    sequences, labels, ids = [], [], []
    for number, (header, raw) in enumerate(records, start=1):
        sequence = _canonical(raw)
        if sequence is None:
            return None
        sequences.append(sequence)
        if not ionmf:
            ids.append((header[1:].split() or [f"seq{number}"])[0])
            continue
        fields = _ionmf_fields(header)
        if fields is None:
            return None
        chrom, strand, start, end, label = fields
        labels.append(int(label))
        ids.append(f"{chrom}:{start}-{end}({strand})")
    return sequences, labels or None, ids


def _ionmf_fields(header: str) -> tuple[str, ...] | None:
    """``> chrom,strand,start,end; class:label`` taken apart with string operations."""
    main, semicolon, rest = header[1:].lstrip(" \t").rpartition(";")
    parts = main.split(",")
    rest = rest.strip(" \t")
    if not semicolon or len(parts) != 4 or not rest.startswith("class:"):
        return None
    chrom, strand, start, end = parts
    label = rest[len("class:") :].rstrip(" \t")
    digits = set("0123456789")
    if (
        not chrom
        or set(chrom) & ASCII_SPACE
        or strand not in ("+", "-")
        or not (start and set(start) <= digits and end and set(end) <= digits)
        or label not in ("0", "1")
    ):
        return None
    return chrom, strand, start, end, label


def _table(text: str, deepbind: bool) -> tuple | None:
    rows = [line.split("\t") for line in text.split("\n") if line.strip(BLANK)]
    if len(rows) < 2:
        return None
    header = [cell.strip(BLANK) for cell in rows[0]]
    if deepbind:
        width = 4
        if [cell.lower() for cell in header] != ["foldid", "eventid", "seq", "bound"]:
            return None
    else:
        width = 2 if "\t" in "\t".join(rows[0]).strip(BLANK) else 1
    if len(header) != width or any(len(row) != width for row in rows[1:]):
        return None
    sequences, labels, ids = [], [], []
    for number, row in enumerate(rows[1:], start=1):
        cells = [cell.strip(BLANK) for cell in row]
        sequence = _canonical(cells[2 if deepbind else 0])
        if sequence is None:
            return None
        sequences.append(sequence)
        ids.append(cells[1] if deepbind else f"seq{number}")
        if width > 1:
            if cells[-1] not in ("0", "1"):
                return None
            labels.append(int(cells[-1]))
    return sequences, labels or None, ids


def reference(data: bytes, fmt: str) -> tuple | None:
    """``(sequences, labels, ids)`` that a valid file holds, or ``None`` when it is not valid."""
    text = _decoded(data)
    if text is None:
        return None
    if fmt in ("fasta", "ionmf"):
        return _fasta(text, fmt == "ionmf")
    return _table(text, fmt == "deepbind")


def bed_records(data: bytes) -> int | None:
    """How many intervals a BED file lists (its windows are checked by the BED tests)."""
    text = _decoded(data)
    if text is None:
        return None
    lines = [line for line in text.split("\n") if line.strip(BLANK)]
    return sum(not line.startswith(("#", "track", "browser")) for line in lines)


# ---------------------------------------------------------------- mutations


def mutate(text: str, rng: random.Random) -> bytes:
    """One to three random edits of ``text``, sometimes a bad byte, sometimes gzip."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        at = rng.randrange(len(text) + 1)
        row = rng.randrange(len(lines))
        choice = rng.randrange(9)
        if choice == 0:
            text = text[:at] + rng.choice(POOL) + text[at + 1 :]
        elif choice == 1:
            text = text[:at] + rng.choice(POOL) + text[at:]
        elif choice == 2:
            text = text[:at] + text[at + 1 :]
        elif choice == 3:
            text = "\n".join(lines[:row] + lines[row + 1 :])
        elif choice == 4:
            text = "\n".join(lines[: row + 1] + lines[row:])
        elif choice == 5 and row + 1 < len(lines):
            lines[row], lines[row + 1] = lines[row + 1], lines[row]
            text = "\n".join(lines)
        elif choice == 6:
            text = text[:at]
        elif choice == 7:
            text = "\ufeff" + text
        else:
            text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if rng.random() < 0.05:
        at = rng.randrange(len(data) + 1)
        data = data[:at] + b"\xff" + data[at:]
    if rng.random() < 0.1:
        data = gzip.compress(data, mtime=0)
    return data


def names_a_line(error: KerasbindError) -> bool:
    """A rejection says where: ``FILE:LINE: …``, ``line N`` or a problem of the whole file."""
    if isinstance(error, InputError) and error.line is not None:
        return True
    message = str(error)
    whole_file = ("file is empty", "not a valid gzip file", "no intervals in the BED file")
    return bool(re.search(r"\bline \d+\b", message)) or any(p in message for p in whole_file)


def fuzz(fmt: str, count: int, seed: int, folder: Path) -> Counter:
    """Run ``count`` mutations of the ``fmt`` base file; assert the contract; count outcomes."""
    rng = random.Random(seed)
    genome = Path(shutil.copy(FILES / "genome.fa", folder / "genome.fa")) if fmt == "bed" else None
    outcomes: Counter = Counter()
    for case in range(count):
        data = mutate(BASES[fmt], rng)
        path = folder / f"{fmt}_{case}"
        path.write_bytes(data)
        for given in (fmt, "auto"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    seqset = read_sequences(path, given, genome=genome, window=11)
                except KerasbindError as error:
                    assert names_a_line(error), f"{path} ({given}): {error}"
                    outcomes[f"{given}: rejected"] += 1
                    continue
            outcomes[f"{given}: read"] += 1
            read_as = fmt if given == fmt else detect_format(path, read_text(path))
            if read_as != fmt:  # the edit made it another format: labels must not be lost
                assert fmt not in LABELLED or seqset.labels is not None, (path, read_as, data)
                outcomes[f"auto: read as {read_as}"] += 1
            if read_as == "bed":
                assert len(seqset) == bed_records(data), (path, given)
                continue
            expected = reference(data, read_as)
            assert expected is not None, f"{path} ({given}): accepted an invalid file {data!r}"
            labels = None if seqset.labels is None else seqset.labels.tolist()
            assert (seqset.sequences, labels, seqset.ids) == expected, (path, given, data)
            duplicates = len(set(seqset.ids)) < len(seqset.ids)
            assert duplicates == any("duplicate id" in str(w.message) for w in caught), path
        path.unlink()
    return outcomes


@pytest.mark.parametrize("fmt", list(BASES))
def test_fuzzed_files_are_read_exactly_or_rejected_at_a_line(fmt: str, tmp_path: Path) -> None:
    outcomes = fuzz(fmt, 300, seed=list(BASES).index(fmt), folder=tmp_path)
    # the mutations reach both outcomes, so both branches of the contract were exercised
    assert outcomes[f"{fmt}: read"] > 0 and outcomes[f"{fmt}: rejected"] > 0, outcomes


if __name__ == "__main__":
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        for index, fmt in enumerate(BASES):
            print(fmt, dict(fuzz(fmt, count, seed=1000 + index, folder=Path(folder))))
