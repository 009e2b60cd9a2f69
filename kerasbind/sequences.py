"""Nucleotide alphabets, validation, the fixed-length policy and the in-memory `SequenceSet`.

Sequences are held in canonical form: upper case, DNA letters (``U`` is stored as ``T``), with
IUPAC ambiguity codes kept as they are. ``SequenceSet.alphabet`` remembers whether the user works
in DNA or RNA so that outputs can be written back in the user's letters.

Integer codes (``to_codes``) are the one numeric form every encoder starts from:
``A=0, C=1, G=2, T/U=3`` and ``UNKNOWN_CODE=4`` for ``N``, any other IUPAC code and padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

Alphabet = Literal["DNA", "RNA"]

BASES = "ACGT"
UNKNOWN_CODE = 4
AMBIGUITY_CODES = "NRYSWKMBDHV"
_INVALID = 255

# byte -> code lookup table; 255 marks a character that is not allowed
CODE_TABLE = np.full(256, _INVALID, dtype=np.uint8)
for _code, _letters in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    for _letter in _letters:
        CODE_TABLE[ord(_letter)] = _code
for _letter in AMBIGUITY_CODES + AMBIGUITY_CODES.lower():
    CODE_TABLE[ord(_letter)] = UNKNOWN_CODE

# byte -> canonical byte (upper case, U -> T); 0 marks a character that is not allowed
CANONICAL_TABLE = np.zeros(256, dtype=np.uint8)
for _letter in BASES + AMBIGUITY_CODES:
    CANONICAL_TABLE[ord(_letter)] = ord(_letter)
    CANONICAL_TABLE[ord(_letter.lower())] = ord(_letter)
CANONICAL_TABLE[ord("U")] = CANONICAL_TABLE[ord("u")] = ord("T")


class SequenceError(ValueError):
    """A sequence holds a character outside the nucleotide alphabet."""

    def __init__(self, index: int, position: int, character: str) -> None:
        self.index = index
        self.position = position
        self.character = character
        super().__init__(
            f"invalid character {character!r} at position {position + 1} "
            "(allowed: A C G T U, IUPAC codes N R Y S W K M B D H V, any case)"
        )


def _joined_bytes(sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All sequences as one uint8 buffer, and each sequence's start offset."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    joined = "".join(sequences).encode("ascii", errors="replace")  # one byte per character
    return np.frombuffer(joined, dtype=np.uint8), offsets


def canonicalise(sequences: Sequence[str]) -> list[str]:
    """Upper-case, ``U``→``T``; raise `SequenceError` naming the first bad character."""
    if not sequences:
        return []
    buffer, offsets = _joined_bytes(sequences)
    canonical = CANONICAL_TABLE[buffer]
    bad = np.flatnonzero(canonical == 0)
    if bad.size:
        first = int(bad[0])
        index = int(np.searchsorted(offsets, first, side="right") - 1)
        position = first - int(offsets[index])
        raise SequenceError(index, position, sequences[index][position])
    text = canonical.tobytes().decode("ascii")
    return [text[offsets[i] : offsets[i + 1]] for i in range(len(sequences))]


def detect_alphabet(sequences: Sequence[str]) -> Alphabet:
    """``RNA`` when the raw sequences use ``U`` and never ``T``, else ``DNA``."""
    sample = "".join(sequences[:1000]).upper()
    return "RNA" if "U" in sample and "T" not in sample else "DNA"


def to_user_alphabet(sequences: Sequence[str], alphabet: Alphabet) -> list[str]:
    """Canonical sequences written back in the user's letters (``T``→``U`` for RNA)."""
    if alphabet == "DNA":
        return list(sequences)
    table = str.maketrans("T", "U")
    return [s.translate(table) for s in sequences]


def centre_starts(lengths: np.ndarray, length: int) -> np.ndarray:
    """Where each sequence's window of ``length`` starts: centre-trim when longer, negative
    (left padding) when shorter. The serving graph uses the same rule: ``floor((n - L) / 2)``."""
    return np.floor_divide(lengths - length, 2)


def joined_codes(sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All sequences' integer codes joined in one uint8 array, and each one's start offset
    (``n + 1`` offsets); `SequenceError` names the first character outside the alphabet."""
    buffer, offsets = _joined_bytes(sequences)
    codes = CODE_TABLE[buffer]
    if codes.size and codes.max() == _INVALID:
        first = int(np.flatnonzero(codes == _INVALID)[0])
        index = int(np.searchsorted(offsets, first, side="right") - 1)
        position = first - int(offsets[index])
        raise SequenceError(index, position, sequences[index][position])
    return codes, offsets


def to_codes(sequences: Sequence[str], length: int) -> np.ndarray:
    """Integer codes ``(n, length)`` uint8, centre-trimmed or padded with ``UNKNOWN_CODE``.

    Vectorised: one lookup over the joined bytes, then one gather.
    """
    n = len(sequences)
    if n == 0:
        return np.zeros((0, length), dtype=np.uint8)
    codes, offsets = joined_codes(sequences)
    lengths = np.diff(offsets)
    if np.all(lengths == length):
        return codes.reshape(n, length)
    starts = centre_starts(lengths, length)
    columns = starts[:, None] + np.arange(length)[None, :]
    inside = (columns >= 0) & (columns < lengths[:, None])
    source = np.where(inside, offsets[:-1, None] + columns, 0)
    padded = np.concatenate([codes, np.array([UNKNOWN_CODE], dtype=np.uint8)])
    return np.where(inside, padded[source], UNKNOWN_CODE).astype(np.uint8)


@dataclass
class SequenceSet:
    """Sequences with optional binary labels, as read from one source.

    ``sequences`` are canonical (see module docstring); ``labels`` is ``int8`` 0/1 or ``None``
    for unlabelled input; ``metadata`` has one row per sequence (e.g. chrom, strand, start, end).
    """

    sequences: list[str]
    labels: np.ndarray | None = None
    ids: list[str] = field(default_factory=list)
    alphabet: Alphabet = "DNA"
    source: str = ""
    metadata: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if not self.ids:
            self.ids = [f"seq{i + 1}" for i in range(len(self.sequences))]
        if self.labels is not None:
            self.labels = np.asarray(self.labels, dtype=np.int8)
            if len(self.labels) != len(self.sequences):
                raise ValueError("labels and sequences differ in length")
        if len(self.ids) != len(self.sequences):
            raise ValueError("ids and sequences differ in length")

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def lengths(self) -> np.ndarray:
        return np.fromiter((len(s) for s in self.sequences), dtype=np.int64, count=len(self))

    @property
    def n_positive(self) -> int:
        return int(self.labels.sum()) if self.labels is not None else 0

    def subset(self, index: np.ndarray | Sequence[int]) -> SequenceSet:
        """The records at ``index`` (an integer array), in that order."""
        index = np.asarray(index, dtype=np.int64)
        return replace(
            self,
            sequences=[self.sequences[i] for i in index],
            labels=None if self.labels is None else self.labels[index],
            ids=[self.ids[i] for i in index],
            metadata=None
            if self.metadata is None
            else self.metadata.iloc[index].reset_index(drop=True),
        )

    def concat(self, other: SequenceSet) -> SequenceSet:
        """This set followed by ``other`` (labels must be present in both or neither)."""
        if (self.labels is None) != (other.labels is None):
            raise ValueError("cannot join a labelled and an unlabelled set")
        metadata = None
        if self.metadata is not None and other.metadata is not None:
            metadata = pd.concat([self.metadata, other.metadata], ignore_index=True)
        return replace(
            self,
            sequences=self.sequences + other.sequences,
            labels=None if self.labels is None else np.concatenate([self.labels, other.labels]),
            ids=self.ids + other.ids,
            metadata=metadata,
        )

    def user_sequences(self) -> list[str]:
        """Sequences in the user's alphabet (``U`` for RNA)."""
        return to_user_alphabet(self.sequences, self.alphabet)

    def codes(self, length: int) -> np.ndarray:
        """Integer codes at a fixed length (see `to_codes`)."""
        return to_codes(self.sequences, length)

    def require_both_classes(self) -> None:
        """Refuse a set whose AUC would be undefined."""
        from kerasbind.errors import KerasbindError

        if self.labels is None:
            raise KerasbindError(f"{self.source}: has no labels; evaluation needs labels 0 and 1")
        classes = np.unique(self.labels)
        if classes.size < 2:
            raise KerasbindError(
                f"{self.source}: all {len(self)} sequences have label {int(classes[0])}; "
                "AUC is undefined with a single class"
            )
