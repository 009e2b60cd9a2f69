"""The length rule: which windows of the model's length ``L`` score a sequence of length ``n``.

- ``n == L``: the sequence itself (rule ``exact``);
- ``n < L``: one window starting at ``floor((n - L) / 2)``, i.e. the sequence centred between
  ``N`` columns (rule ``padded``; the same padding training used);
- ``n > L``: windows starting at ``0, stride, 2·stride, …`` and always at ``n - L``, so every
  letter is scored (rule ``windows``); the sequence's score is the best window's, or every
  window's on request. Nothing is trimmed.

Everything here is vectorised over all sequences at once (no loop per window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kerasbind.sequences import UNKNOWN_CODE

# code → complementary code (A↔T, C↔G; unknown stays unknown)
COMPLEMENT = np.array([3, 2, 1, 0, UNKNOWN_CODE], dtype=np.uint8)


def rule_names(lengths: np.ndarray, window: int) -> np.ndarray:
    """``exact`` / ``padded`` / ``windows`` for each length (see the module docstring)."""
    return np.where(lengths == window, "exact", np.where(lengths < window, "padded", "windows"))


def window_counts(lengths: np.ndarray, window: int, stride: int) -> np.ndarray:
    """How many windows score each sequence under the length rule."""
    excess = np.maximum(np.asarray(lengths, dtype=np.int64) - window, 0)
    return excess // stride + 1 + (excess % stride > 0)


@dataclass(frozen=True)
class WindowTable:
    """Every window of a set of sequences: which sequence owns it and where it starts (negative:
    left ``N`` padding)."""

    owner: np.ndarray  # (m,) int64 index of the sequence
    start: np.ndarray  # (m,) int64 0-based start in that sequence
    counts: np.ndarray  # (n,) windows per sequence

    def __len__(self) -> int:
        return len(self.owner)


def window_table(lengths: np.ndarray, window: int, stride: int = 1) -> WindowTable:
    """The windows of the length rule for sequences of ``lengths``."""
    if stride < 1:
        raise ValueError("stride must be at least 1")
    lengths = np.asarray(lengths, dtype=np.int64)
    counts = window_counts(lengths, window, stride)
    owner = np.repeat(np.arange(len(lengths)), counts)
    first = np.cumsum(counts) - counts
    rank = np.arange(len(owner)) - np.repeat(first, counts)
    excess = lengths[owner] - window
    start = np.where(excess > 0, np.minimum(rank * stride, excess), np.floor_divide(excess, 2))
    return WindowTable(owner, start, counts)


def gather_windows(
    codes: np.ndarray,
    offsets: np.ndarray,
    lengths: np.ndarray,
    owner: np.ndarray,
    start: np.ndarray,
    window: int,
) -> np.ndarray:
    """``(m, window)`` uint8 codes of the windows ``(owner, start)`` from all sequences' codes
    joined in ``codes`` (sequence ``i`` at ``offsets[i]``); columns outside a sequence are
    ``UNKNOWN_CODE``."""
    columns = start[:, None] + np.arange(window)[None, :]
    inside = (columns >= 0) & (columns < lengths[owner][:, None])
    source = np.where(inside, offsets[owner][:, None] + columns, 0)
    return np.where(inside, codes[source], UNKNOWN_CODE).astype(np.uint8)


def sliding_windows(codes: np.ndarray, window: int, stride: int = 1) -> np.ndarray:
    """``(m, window)`` read-only view of the windows of one code array at ``0, stride, …``
    (NumPy stride tricks: no copy)."""
    view = np.lib.stride_tricks.sliding_window_view(codes, window)
    return view[::stride]


def reverse_complement(codes: np.ndarray) -> np.ndarray:
    """Reverse complement of code arrays along their last axis."""
    return COMPLEMENT[codes[..., ::-1]]
