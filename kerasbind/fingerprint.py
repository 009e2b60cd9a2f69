"""Fingerprints that say whether two inputs are the same: a set's sequences and labels, a file.

A search resumed in a run folder (``search.json``) and a benchmark cell (``cell.json``) record
the fingerprint of the data they were started with, so other data of the same size or under
the same name is refused instead of silently mixed with it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from kerasbind.sequences import SequenceSet, joined_codes

CHUNK = 1 << 20  # bytes read at a time when hashing a file


def data_fingerprint(seqset: SequenceSet) -> str:
    """SHA-256 of the set as a model sees it: its sequences' integer codes and lengths, in
    order, and its labels.

    One pass of ``hashlib`` over three NumPy buffers; a one-letter change, a reordering or a
    flipped label gives another fingerprint, ids and file names do not count."""
    digest = hashlib.sha256(b"kerasbind-data-1")
    buffer, offsets = joined_codes(seqset.sequences)
    digest.update(np.diff(offsets).astype("<i8").tobytes())
    digest.update(buffer.tobytes())
    if seqset.labels is not None:
        digest.update(b"labels")
        digest.update(np.asarray(seqset.labels, dtype=np.int8).tobytes())
    return digest.hexdigest()


def file_fingerprint(path: Path | str) -> str:
    """SHA-256 of a file's bytes (read in 1 MiB pieces: bounded memory for any size)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while piece := handle.read(CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def short(fingerprint: str | None) -> str:
    """The first 12 hex digits, for messages."""
    return "none recorded" if not fingerprint else fingerprint[:12]
