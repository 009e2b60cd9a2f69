"""MEME minimal text format (version 4): write filter motifs, read motif databases.

Only what motif databases use is read: the ``ALPHABET=`` line, ``MOTIF id [name]`` lines and
each motif's ``letter-probability matrix`` block (``w=`` rows of four numbers). Matrices are
returned as ``(4, w)`` frequencies; RNA files (``ALPHABET= ACGU``) read the same as DNA.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kerasbind.errors import InputError
from kerasbind.motifs.motif import Motif, column_frequencies, letters
from kerasbind.sequences import Alphabet

_WIDTH = re.compile(r"\bw=\s*(\d+)")
_NSITES = re.compile(r"\bnsites=\s*([0-9.eE+]+)")


def format_meme(motifs: Iterable[Motif], alphabet: Alphabet = "DNA") -> str:
    """The MEME text of ``motifs`` (alphabet ``ACGT`` for DNA, ``ACGU`` for RNA)."""
    row = letters(alphabet)
    parts = [
        "MEME version 4\n\n",
        f"ALPHABET= {row}\n\n",
        "strands: + -\n\n" if alphabet == "DNA" else "",
        "Background letter frequencies\n",
        " ".join(f"{letter} 0.25" for letter in row) + "\n\n",
    ]
    for motif in motifs:
        parts.append(f"MOTIF {motif.id} {motif.name}\n".replace(" \n", "\n"))
        parts.append(
            f"letter-probability matrix: alength= 4 w= {motif.width} nsites= {motif.n_sites} E= 0\n"
        )
        parts.extend(" ".join(f"{p:.6f}" for p in column) + "\n" for column in motif.frequencies.T)
        parts.append("\n")
    return "".join(parts)


def write_meme(
    path: str | os.PathLike[str], motifs: Iterable[Motif], alphabet: Alphabet = "DNA"
) -> None:
    """Write ``motifs`` to ``path`` atomically."""
    from kerasbind.files import write_atomic

    text = format_meme(motifs, alphabet)
    write_atomic(Path(path), lambda tmp: tmp.write_text(text))


def read_meme(path: str | os.PathLike[str]) -> list[Motif]:
    """All motifs of a MEME file, in file order."""
    try:
        lines = Path(path).read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, None, f"cannot read MEME file ({error})") from error
    motifs: list[Motif] = []
    header: tuple[str, str] | None = None
    number = 0
    while number < len(lines):
        line = lines[number].strip()
        number += 1
        if line.startswith("ALPHABET") and line.split("=")[-1].strip() not in ("ACGT", "ACGU"):
            raise InputError(path, number, "only the ACGT and ACGU alphabets are supported")
        if line.startswith("MOTIF"):
            fields = line.split()
            if len(fields) < 2:
                raise InputError(path, number, "MOTIF line without an identifier")
            header = (fields[1], " ".join(fields[2:]))
        elif line.startswith("letter-probability"):
            if header is None:
                raise InputError(path, number, "matrix before any MOTIF line")
            width = _WIDTH.search(line)
            if width is None:
                raise InputError(path, number, "letter-probability line without 'w='")
            rows = _matrix_rows(path, lines, number, int(width.group(1)))
            sites = _NSITES.search(line)
            n_sites = int(float(sites.group(1))) if sites else 0
            motifs.append(Motif(*header, column_frequencies(rows.T), n_sites))
            number += rows.shape[0]
            header = None
    if not motifs:
        raise InputError(path, None, "no motifs found (expected MEME format with MOTIF lines)")
    return motifs


def meme_alphabet(path: str | os.PathLike[str]) -> Alphabet:
    """``RNA`` when the file declares ``ALPHABET= ACGU``, else ``DNA``."""
    with open(path) as handle:
        for line in handle:
            if line.startswith("ALPHABET"):
                return "RNA" if line.split("=")[-1].strip() == "ACGU" else "DNA"
    return "DNA"


def _matrix_rows(
    path: str | os.PathLike[str], lines: list[str], start: int, width: int
) -> np.ndarray:
    """The ``width`` rows of four probabilities from line index ``start``; ``(width, 4)``."""
    rows = np.empty((width, 4))
    for offset in range(width):
        fields = lines[start + offset].split() if start + offset < len(lines) else []
        try:
            rows[offset] = [float(value) for value in fields]
        except ValueError:
            fields = []
        if len(fields) != 4:
            raise InputError(path, start + offset + 1, f"expected {width} rows of 4 probabilities")
    return rows
