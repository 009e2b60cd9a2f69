"""TOMTOM (Gupta et al. 2007) in NumPy, with a choice of column score.

memelite's `tomtom` scores columns only by negative Euclidean distance; deepRAM runs MEME's
``tomtom -dist pearson``. This module is the same algorithm as memelite's (the *complete* score,
TOMTOM's per-column null distributions built from every target column, the distribution of the
best offset's score, both strands merged as ``1 − (1 − p)²``) with the column score a parameter:

- ``"pearson"``: Pearson correlation of the two columns' four frequencies (0 when either column
  is uniform, where the correlation is undefined);
- ``"ed"``: negative Euclidean distance, memelite's score (``tests/test_motifs.py`` checks that
  the p-values here agree with memelite's).

For one query of width ``m`` against ``N`` target columns (both strands): the ``(m, N)`` column
scores minus each query column's median (so a query column outside the overlap scores 0: the
complete score) are rounded onto an integer grid (memelite's: ``floor(100 / range)`` steps per
unit); each query column's null is the histogram of its row. The null of an alignment that
covers query columns ``a … b − 1`` is the convolution of their nulls, and a target of width
``t`` is scored by its best alignment, whose p-value is ``1 − ∏ₒ P(Sₒ < s)`` over all ``m + t − 1``
alignments ``o`` (scores of different offsets taken as independent, as TOMTOM does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Distance = Literal["pearson", "ed"]
DISTANCES: tuple[Distance, ...] = ("pearson", "ed")
SCORE_BINS = 100


def column_scores(query: np.ndarray, targets: np.ndarray, dist: Distance) -> np.ndarray:
    """Scores ``(m, N)`` of query columns ``(4, m)`` against target columns ``(4, N)``."""
    if dist == "ed":
        squared = (
            (query**2).sum(axis=0)[:, None]
            + (targets**2).sum(axis=0)[None, :]
            - 2.0 * query.T @ targets
        )
        return -np.sqrt(np.maximum(squared, 0.0))
    if dist == "pearson":
        x = query - query.mean(axis=0)
        y = targets - targets.mean(axis=0)
        norm = np.sqrt((x**2).sum(axis=0))[:, None] * np.sqrt((y**2).sum(axis=0))[None, :]
        covariance = x.T @ y
        return np.divide(covariance, norm, out=np.zeros_like(covariance), where=norm > 1e-12)
    raise ValueError(f"unknown distance {dist!r} (one of {', '.join(DISTANCES)})")


@dataclass(frozen=True)
class _Targets:
    """All target columns side by side, and where each target's columns are."""

    columns: np.ndarray  # (4, N)
    starts: np.ndarray  # (n_targets,)
    widths: np.ndarray  # (n_targets,)

    @classmethod
    def of(cls, matrices: Sequence[np.ndarray]) -> _Targets:
        widths = np.array([m.shape[1] for m in matrices], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        return cls(np.concatenate(matrices, axis=1), starts, widths)


def _survival_table(nulls: np.ndarray) -> np.ndarray:
    """``table[a, b, s] = P(sum of columns a … b − 1 ≥ s)`` on the shifted integer grid, zero
    past each sum's largest value; ``nulls`` is ``(m, bins + 1)``."""
    m, width = nulls.shape
    size = m * (width - 1) + 2
    table = np.zeros((m, m + 1, size))
    for a in range(m):
        pmf = np.ones(1)
        for b in range(a + 1, m + 1):
            pmf = np.convolve(pmf, nulls[b - 1])
            survival = np.cumsum(pmf[::-1])[::-1]
            table[a, b, : len(survival)] = np.minimum(survival, 1.0)
    return table


def _query_against(
    query: np.ndarray, targets: _Targets, dist: Distance
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """p-value, score, offset and overlap ``(n_targets,)`` of one query's best alignment with
    each target; the offset is the target column the query's first column aligns with."""
    m = query.shape[1]
    scores = column_scores(query, targets.columns, dist)
    scores = scores - np.median(scores, axis=1, keepdims=True)
    low = int(np.floor(scores.min()))
    scale = int(np.floor(SCORE_BINS / max(scores.max() - low, 1.0)))
    grid = np.floor((scores - low) * scale + 0.5).astype(np.int64)  # 0 … SCORE_BINS
    shift = -low * scale  # a column's integer score is grid − shift
    nulls = np.stack([np.bincount(row, minlength=SCORE_BINS + 1) for row in grid]) / grid.shape[1]
    table = _survival_table(nulls)
    integer = grid - shift

    n = len(targets.widths)
    p, best, offsets, overlaps = (np.empty(n) for _ in range(4))
    rows = np.arange(m)[:, None]
    for width in np.unique(targets.widths):
        members = np.flatnonzero(targets.widths == width)
        columns = targets.starts[members][:, None] + np.arange(width)  # (G, t)
        padded = np.zeros((m, len(members), width + 2 * (m - 1)), dtype=np.int64)
        padded[:, :, m - 1 : m - 1 + width] = integer[:, columns]
        # alignment v places query column i on padded column i + v: target column i + v − m + 1
        n_align = m + width - 1
        sums = padded[rows, :, rows + np.arange(n_align)].sum(axis=0)  # (n_align, G)
        choice = sums.argmax(axis=0)
        top = sums[choice, np.arange(len(members))]
        # query columns a … b − 1 overlap the target in alignment v
        first = np.arange(n_align) - m + 1  # target column under query column 0
        a = np.maximum(0, -first)
        b = np.minimum(m, width - first)
        index = np.clip(top[None, :] + ((b - a) * shift)[:, None], 0, table.shape[2] - 1)
        survival = table[a[:, None], b[:, None], index]
        with np.errstate(divide="ignore"):
            p[members] = -np.expm1(np.log1p(-survival).sum(axis=0))
        best[members] = top / scale
        offsets[members] = first[choice]
        overlaps[members] = (b - a)[choice]
    return p, best, offsets, overlaps


def tomtom(
    queries: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    *,
    dist: Distance = "pearson",
    reverse_complement: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(p_values, scores, offsets, overlaps, strands)``, each ``(n_queries, n_targets)``, for
    ``(4, w)`` frequency matrices; memelite's `tomtom` return order and conventions (strand 1:
    the reverse-complemented target, whose columns the offset then counts)."""
    if dist not in DISTANCES:
        raise ValueError(f"unknown distance {dist!r} (one of {', '.join(DISTANCES)})")
    matrices = [np.asarray(t, dtype=np.float64) for t in targets]
    if reverse_complement:
        matrices = matrices + [t[::-1, ::-1] for t in matrices]
    both = _Targets.of(matrices)
    n = len(targets)
    out = np.zeros((5, len(queries), n))
    for i, query in enumerate(queries):
        p, score, offset, overlap = _query_against(np.asarray(query, np.float64), both, dist)
        if reverse_complement:
            strand = (score[n:] >= score[:n]).astype(np.int64)
            pick = np.arange(n) + n * strand
            lowest = np.minimum(p[:n], p[n:])
            out[:, i] = lowest * (2 - lowest), score[pick], offset[pick], overlap[pick], strand
        else:
            out[:4, i] = p, score, offset, overlap
    return out[0], out[1], out[2], out[3], out[4]
