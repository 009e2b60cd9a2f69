"""The encoder spec stored with every model, and its vectorised NumPy implementation.

One spec, two implementations: this module encodes for training and prediction; the exported
SavedModel encodes raw strings in-graph (`kerasbind.export.tf_encoding`) from the same spec, and a
test holds the two equal.

- ``onehot``: float32 ``(n, length, 4)``, rows ``A C G T``; unknown letters and padding are
  ``0.25`` in every column.
- ``kmer``: int32 ``(n, n_kmers)`` ids of overlapping k-mers (stride ``stride``), in the fixed
  vocabulary of all ``4**k`` k-mers in lexicographic ``ACGT`` order, plus id ``4**k`` for any
  k-mer that contains an unknown letter.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from kerasbind.sequences import BASES, UNKNOWN_CODE, Alphabet, to_codes

EncodingKind = Literal["onehot", "kmer"]
# word2vec vector size of k-mer embeddings (paper Table 2: 50, fixed)
EMBEDDING_DIM = 50

_ONEHOT_TABLE = np.vstack([np.eye(4, dtype=np.float32), np.full((1, 4), 0.25, np.float32)])


@dataclass(frozen=True)
class EncoderSpec:
    """How raw sequences become the model's input tensor."""

    kind: EncodingKind
    length: int
    k: int = 3
    stride: int = 1
    alphabet: Alphabet = "DNA"

    def __post_init__(self) -> None:
        if self.kind not in ("onehot", "kmer"):
            raise ValueError(f"unknown encoding kind {self.kind!r}")
        if self.length < 1:
            raise ValueError("length must be positive")
        if self.kind == "kmer" and not (1 <= self.k <= self.length and self.stride >= 1):
            raise ValueError("k-mer encoding needs 1 <= k <= length and stride >= 1")

    @property
    def n_kmers(self) -> int:
        return (self.length - self.k) // self.stride + 1

    @property
    def vocabulary_size(self) -> int:
        """k-mer vocabulary including the "contains N" token."""
        return 4**self.k + 1

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.length, 4) if self.kind == "onehot" else (self.n_kmers,)

    @property
    def input_dtype(self) -> str:
        return "float32" if self.kind == "onehot" else "int32"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EncoderSpec:
        return cls(**{key: data[key] for key in ("kind", "length", "k", "stride", "alphabet")})


def kmer_vocabulary(k: int) -> list[str]:
    """All k-mers in id order, then ``"<N>"`` for the unknown token."""
    return ["".join(p) for p in itertools.product(BASES, repeat=k)] + ["<N>"]


def onehot_from_codes(codes: np.ndarray) -> np.ndarray:
    """``(n, L)`` codes → ``(n, L, 4)`` float32."""
    return np.take(_ONEHOT_TABLE, codes, axis=0)  # np.take: 5x faster than fancy indexing


def kmer_ids_from_codes(codes: np.ndarray, k: int, stride: int) -> np.ndarray:
    """``(n, L)`` codes → ``(n, n_kmers)`` int32 k-mer ids.

    Built column-shift by column-shift (``k`` whole-array passes), not window by window.
    """
    n_windows = codes.shape[1] - k + 1
    ids = np.zeros((codes.shape[0], n_windows), dtype=np.int32)
    unknown = np.zeros(ids.shape, dtype=bool)
    for offset in range(k):
        letters = codes[:, offset : offset + n_windows]
        ids <<= 2
        ids += letters
        unknown |= letters == UNKNOWN_CODE
    ids[unknown] = 4**k
    return np.ascontiguousarray(ids[:, ::stride]) if stride > 1 else ids


def encode_codes(codes: np.ndarray, spec: EncoderSpec) -> np.ndarray:
    """Encode ``(n, spec.length)`` integer codes (see `to_codes`) as the spec says."""
    if spec.kind == "onehot":
        return onehot_from_codes(codes)
    return kmer_ids_from_codes(codes, spec.k, spec.stride)


def encode(sequences: Sequence[str], spec: EncoderSpec) -> np.ndarray:
    """Encode canonical or raw sequences (any case, ``U`` or ``T``) as the spec says."""
    return encode_codes(to_codes(sequences, spec.length), spec)
