"""One pass over a long sequence for convolution-only models, with the windows' scores exactly
as the window-by-window path gives them.

A window of the model's length ``L`` is scored as: its one-hot columns, ``w - 1`` unknown
columns (0.25) on each side (a layer of the model), ``conv_1`` (width ``w``, ReLU), the maximum
over all ``L + w - 1`` positions, the head. In a long sequence the positions whose filter lies
wholly inside the window are shared by all windows that contain them; the ``w - 1`` positions at
each window edge see padding instead of the neighbouring letters. So for every start ``s`` this
module computes, in one pass (numba, vectorised over filters):

- ``full[s]``: the convolution at ``s`` (no padding);
- ``left[s]``: the best of the ``w - 1`` left-edge outputs of a window starting at ``s``
  (filter columns ``0 … m-1`` on padding, ``m … w-1`` on letters ``s …``), each a suffix sum
  of the filter, obtained by the recurrence ``S_m[s] = K[m, x_s] + S_{m+1}[s+1]``;
- ``right[q]``: the same for a window whose last letter is ``q`` (prefix sums);

and a window's pooled feature is ``max(left[s], max(full[s … s+L-w]), right[s+L-1])`` plus the
bias — the same numbers as the model's global maximum, summed in another order.

k-mer models (``deepbind_e_star``) have no padding layer: their convolution stage runs once over
the long sequence's k-mer ids, and a window's feature is the maximum over its positions.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from kerasbind.encoding import EncoderSpec, kmer_ids_from_codes
from kerasbind.models.blocks import UNKNOWN_VALUE
from kerasbind.runtime import use_numba_cache

_CACHE = use_numba_cache()
_BLOCK = 2048  # starts per block of `_edge_sums` (its buffers stay in the L2 cache)


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy")
def _block_sums(
    extended: np.ndarray,
    first: int,
    size: int,
    table: np.ndarray,
    pad_left: np.ndarray,
    pad_right: np.ndarray,
    full: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
) -> None:
    """`_edge_sums` for the starts ``first … first + size - 1`` (one block)."""
    width, _, filters = table.shape
    current = np.zeros((size + width, filters), np.float32)
    previous = np.zeros((size + width, filters), np.float32)
    best = np.full((size, filters), -np.inf, np.float32)
    # left edges: S_m[i] = table[m, x(first + i)] + S_{m+1}[i + 1], for i < size + m
    for m in range(width - 1, -1, -1):
        for i in range(size + m):
            row = table[m, extended[width + first + i]]
            out = current[i]
            below = previous[i + 1]
            for f in range(filters):
                out[f] = row[f] + below[f]
        if m >= 1:
            pad = pad_left[m]
            for i in range(size):
                out = best[i]
                value = current[i]
                for f in range(filters):
                    out[f] = max(out[f], value[f] + pad[f])
        current, previous = previous, current
    full[first : first + size] = previous[:size]
    left[first : first + size] = best
    # right edges: H_m[j] = H_{m-1}[j - 1] + table[m - 1, x(q)], q = first + j - (width - 1)
    previous[:] = 0.0
    best[:] = -np.inf
    for m in range(1, width):
        for j in range(m, size + width - 1):
            row = table[m - 1, extended[first + j + 1]]
            out = current[j]
            below = previous[j - 1]
            for f in range(filters):
                out[f] = below[f] + row[f]
        pad = pad_right[m]
        for i in range(size):
            out = best[i]
            value = current[i + width - 1]
            for f in range(filters):
                out[f] = max(out[f], value[f] + pad[f])
        current, previous = previous, current
    right[first : first + size] = best


@numba.njit(cache=_CACHE, parallel=True)
def _edge_sums(
    codes: np.ndarray, table: np.ndarray, pad_left: np.ndarray, pad_right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``full``, ``left`` and ``right`` (see the module docstring), each ``(T, F)`` float32;
    ``table[c, code]`` is filter column ``c``'s response to a letter code (4: unknown).

    Blocks of `_BLOCK` starts, in parallel, so that the partial sums stay in the CPU cache;
    each step of a recurrence is one pass over a block, vectorised over filters.
    """
    n = codes.shape[0]
    width, _, filters = table.shape
    extended = np.full(n + 2 * width, 4, np.uint8)  # letters beyond either end: unknown
    extended[width : width + n] = codes
    full = np.empty((n, filters), np.float32)
    left = np.empty((n, filters), np.float32)
    right = np.empty((n, filters), np.float32)
    blocks = (n + _BLOCK - 1) // _BLOCK
    for block in numba.prange(blocks):
        first = block * _BLOCK
        size = min(_BLOCK, n - first)
        _block_sums(extended, first, size, table, pad_left, pad_right, full, left, right)
    return full, left, right


@numba.njit(cache=_CACHE, parallel=True, fastmath=True)
def _block_extremes(values: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Running maxima from the start (prefix) and from the end (suffix) of each block of
    ``width`` rows (van Herk / Gil-Werman), blocks in parallel."""
    n, filters = values.shape
    prefix = np.empty_like(values)
    suffix = np.empty_like(values)
    for block in numba.prange((n + width - 1) // width):
        first = block * width
        last = min(first + width, n) - 1
        prefix[first] = values[first]
        for i in range(first + 1, last + 1):
            for f in range(filters):
                prefix[i, f] = max(prefix[i - 1, f], values[i, f])
        suffix[last] = values[last]
        for i in range(last - 1, first - 1, -1):
            for f in range(filters):
                suffix[i, f] = max(suffix[i + 1, f], values[i, f])
    return prefix, suffix


@numba.njit(cache=_CACHE, parallel=True, fastmath=True)
def sliding_max(values: np.ndarray, width: int) -> np.ndarray:
    """``out[s] = max(values[s : s + width])`` along axis 0, ``(T - width + 1, F)``, in O(T·F)."""
    n, filters = values.shape
    prefix, suffix = _block_extremes(values, width)
    out = np.empty((max(n - width + 1, 0), filters), values.dtype)
    for s in numba.prange(n - width + 1):
        for f in range(filters):
            out[s, f] = max(suffix[s, f], prefix[s + width - 1, f])
    return out


@numba.njit(cache=_CACHE, parallel=True, fastmath=True)
def _pooled(
    full: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    bias: np.ndarray,
    window: int,
    width: int,
) -> np.ndarray:
    """``relu(max(left[s], max(full[s … s+L-w]), right[s+L-1]) + bias)`` for every start ``s``
    (ReLU after the maximum: it is monotone)."""
    n, filters = full.shape
    inner = window - width + 1
    prefix, suffix = _block_extremes(full[: n - width + 1], inner)
    out = np.empty((n - window + 1, filters), np.float32)
    for s in numba.prange(n - window + 1):
        for f in range(filters):
            best = max(left[s, f], right[s + window - 1, f])
            best = max(best, max(suffix[s, f], prefix[s + inner - 1, f]))
            out[s, f] = max(best + bias[f], 0.0)
    return out


class OneHotConvolution:
    """Pooled ``conv_1`` features of every window of a long sequence, for one-hot models with one
    convolution layer (deepbind).

    With ``both`` the reverse-complement strand's features come from the same pass: a filter
    scanning a window's reverse complement meets what the reversed and complemented filter meets
    on the window itself, at mirrored positions of the same padded window; the maximum over all
    positions does not depend on their order. So the table holds ``2F`` filters: ``F`` forward,
    ``F`` reverse-complemented.
    """

    def __init__(self, kernel: np.ndarray, bias: np.ndarray, window: int, both: bool) -> None:
        kernel = np.asarray(kernel, dtype=np.float32)  # (w, 4, F)
        if both:
            kernel = np.concatenate([kernel, kernel[::-1, ::-1, :]], axis=2)
            bias = np.concatenate([bias, bias])
        self.width = kernel.shape[0]
        self.window = window
        self.bias = np.asarray(bias, dtype=np.float32)
        unknown = UNKNOWN_VALUE * kernel.sum(axis=1, keepdims=True)  # response to an N column
        self.table = np.ascontiguousarray(np.concatenate([kernel, unknown], axis=1))
        columns = np.cumsum(unknown[:, 0], axis=0)  # padding under columns 0 … c
        zero = np.zeros((1, kernel.shape[2]), np.float32)
        self.pad_left = np.concatenate([zero, columns[:-1]]).astype(np.float32)  # columns < m
        self.pad_right = (columns[-1] - self.pad_left).astype(np.float32)  # columns ≥ m

    def features(self, codes: np.ndarray) -> np.ndarray:
        """``(T - L + 1, F or 2F)`` pooled features of the windows starting at ``0 … T - L``."""
        full, left, right = _edge_sums(
            np.ascontiguousarray(codes, dtype=np.uint8), self.table, self.pad_left, self.pad_right
        )
        return _pooled(full, left, right, self.bias, self.window, self.width)


class KmerConvolution:
    """Pooled last-convolution features of every window, for k-mer models without a recurrent
    stage (deepbind_e_star, k-mer stride 1): the stage runs once over the sequence's ids."""

    def __init__(self, stage: Any, encoder: EncoderSpec, positions: int) -> None:
        self.stage = stage  # a function: (1, n_ids) int32 ids → (1, n_out, F)
        self.encoder = encoder
        self.positions = positions  # a window's positions after the convolution stage

    def features(self, codes: np.ndarray) -> np.ndarray:
        """``(T - L + 1, F)`` pooled features of the windows starting at ``0 … T - L``."""
        ids = kmer_ids_from_codes(codes[None, :], self.encoder.k, 1)
        maps = np.asarray(self.stage(ids))[0]
        return sliding_max(np.ascontiguousarray(maps), self.positions)
