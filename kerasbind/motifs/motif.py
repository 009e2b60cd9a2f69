"""The `Motif` record shared by filter PFMs and database motifs, and information content."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kerasbind.sequences import Alphabet


def letters(alphabet: Alphabet) -> str:
    """Matrix row letters in the user's alphabet: ``ACGT`` or ``ACGU``."""
    return "ACGU" if alphabet == "RNA" else "ACGT"


def column_frequencies(counts: np.ndarray) -> np.ndarray:
    """Counts ``(4, w)`` → frequencies ``(4, w)``; an empty column becomes uniform."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=0, keepdims=True)
    return np.where(totals > 0, counts / np.where(totals > 0, totals, 1.0), 0.25)


def information_content(frequencies: np.ndarray) -> np.ndarray:
    """Bits per column ``(w,)`` of a ``(4, w)`` frequency matrix against a uniform background."""
    p = np.clip(frequencies, 1e-12, 1.0)
    return 2.0 + (frequencies * np.log2(p)).sum(axis=0)


def trimmed_span(frequencies: np.ndarray, min_ic: float) -> tuple[int, int]:
    """``(start, stop)`` after dropping flank columns under ``min_ic`` bits (the whole matrix
    when no column reaches it)."""
    informative = np.flatnonzero(information_content(frequencies) >= min_ic)
    if informative.size == 0:
        return 0, frequencies.shape[1]
    return int(informative[0]), int(informative[-1]) + 1


@dataclass
class Motif:
    """A position frequency matrix with its identity.

    Attributes
    ----------
    id, name : identifier (``filter_3``, ``MA0093.4``) and readable name (``USF1``)
    frequencies : ``(4, w)`` float64, rows ``A C G T/U``, columns summing to 1
    n_sites : sites counted into the matrix (0 when unknown)
    """

    id: str
    name: str
    frequencies: np.ndarray
    n_sites: int = 0

    def __post_init__(self) -> None:
        self.frequencies = np.asarray(self.frequencies, dtype=np.float64)
        if self.frequencies.ndim != 2 or self.frequencies.shape[0] != 4:
            raise ValueError(f"motif {self.id}: expected a (4, width) matrix")

    @property
    def width(self) -> int:
        return int(self.frequencies.shape[1])

    @property
    def information(self) -> np.ndarray:
        """Bits per column, ``(w,)``."""
        return information_content(self.frequencies)

    @property
    def corrected_information(self) -> float:
        """Total bits less small-sample noise: each column's information minus its expected value
        for ``n_sites`` uniform random letters, ``3 / (2·n·ln 2)`` (Miller–Madow), floored at 0;
        the plain total when ``n_sites`` is unknown (0)."""
        bias = 3.0 / (2.0 * self.n_sites * np.log(2.0)) if self.n_sites > 0 else 0.0
        return float(np.maximum(self.information - bias, 0.0).sum())

    @property
    def label(self) -> str:
        """``id name``, or ``id`` when the name adds nothing."""
        return self.id if self.name in ("", self.id) else f"{self.id} {self.name}"
