"""One pass over a long sequence for one-hot models with positional pooling (``pooling=
"positional"``, unlike deepRAM), with the windows' scores exactly as the window path gives them.

Such a model pools each filter's ReLU outputs over a window's ``P = L + w - 1`` convolution
positions into the maximum over all of them and the maxima over the bins of ``bin_max``. The bins
cover every position once, so the overall maximum is the maximum of the bins'. Position ``j`` of
the window starting at ``s`` is, in the terms of `kerasbind.scanning.convolution`:

- ``j < w - 1``: a left-edge output, row ``w - 1 - j`` of the left recurrence at ``s``;
- ``w - 1 ≤ j < L``: the full convolution at ``s + j - (w - 1)``;
- ``j ≥ L``: a right-edge output, row ``L + w - 1 - j`` of the right recurrence at ``s + L - 1``.

So a bin's maximum is the maximum of some edge rows and a sliding maximum over the full
convolution (van Herk / Gil-Werman, once per distinct width, shared by the bins of that width).
The reverse strand's bins are the forward bins mirrored: bin ``b`` of a window's reverse
complement holds what the reverse-complemented filter gives at positions ``P - e … P - a - 1``
of the window itself. The features leave the kernel block by block; the head (a dense layer or
none, then the logit) runs on them as one matrix product per strand.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from kerasbind.runtime import use_numba_cache
from kerasbind.scanning.convolution import EdgeTables, left_step, right_step

_CACHE = use_numba_cache()
_BLOCK = 256  # window starts per block of `_block_features`
CALL_STARTS = 1 << 13  # window starts per kernel call (the features of 8,192 windows: ≤ 100 MB)


def bin_ranges(pool: Any, positions: int) -> np.ndarray:
    """``(bins, 2)`` first and end position of each bin of a ``bin_max`` pooling layer over
    ``positions`` positions, read from the layer itself: pooling an identity matrix shows which
    positions each bin holds (so the layer's padding rule is not restated here)."""
    held = np.asarray(pool(np.eye(positions, dtype=np.float32)[None]))[0] > 0.5  # (bins, P)
    ranges = []
    for row in held:
        inside = np.flatnonzero(row)
        if not len(inside) or inside[-1] - inside[0] + 1 != len(inside):
            raise ValueError("bin_max: a bin that is empty or not contiguous")
        ranges.append((int(inside[0]), int(inside[-1]) + 1))
    return np.array(ranges, np.int64)


def _parts(
    ranges: np.ndarray, window: int, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each bin split into its left-edge rows, its run of full convolutions and its right-edge
    rows: ``left`` and ``right`` ``(bins, 2)`` first and last row (first > last: none),
    ``offset`` and ``length`` of the full run (relative to the window start; length 0: none)."""
    bins = len(ranges)
    left = np.zeros((bins, 2), np.int64)
    right = np.zeros((bins, 2), np.int64)
    offset = np.zeros(bins, np.int64)
    length = np.zeros(bins, np.int64)
    for b, (a, e) in enumerate(ranges.tolist()):
        lo, hi = a, min(e, width - 1)  # j in [lo, hi): rows w - 1 - j
        left[b] = (width - hi, width - 1 - lo) if lo < hi else (1, 0)
        lo, hi = max(a, width - 1), min(e, window)
        offset[b], length[b] = (lo - (width - 1), hi - lo) if lo < hi else (0, 0)
        lo, hi = max(a, window), e  # j in [lo, hi): rows L + w - 1 - j
        right[b] = (window + width - hi, window + width - 1 - lo) if lo < hi else (1, 0)
    return left, right, offset, length


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy", boundscheck=False)
def _rows_max(state: np.ndarray, first: int, last: int, columns: int, filters: int, out) -> None:
    """``out[f] = max(out[f], state[m·filters + columns + f])`` for rows ``first … last``."""
    for m in range(first, last + 1):
        base = m * filters + columns
        for f in range(out.shape[0]):
            out[f] = max(out[f], state[base + f])


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy", boundscheck=False)
def _block_features(
    codes: np.ndarray,
    first: int,
    size: int,
    call_first: int,
    tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    window: int,
    stride: int,
    parts: tuple[np.ndarray, ...],
    out: np.ndarray,
) -> None:
    """Pooled features of the windows starting at ``first … first + size - 1`` on the stride's
    grid, into ``out[group, (s - call_first) // stride, 1 + bin, filter]`` (bin-major; index 0:
    the overall maximum), ReLU and bias applied."""
    left_table, right_table, right_start, bias = tables
    left_parts, right_parts, offsets, lengths, run_index, runs, left_slot = parts
    letters, width, filters = left_table.shape
    groups, bins = left_parts.shape[0], left_parts.shape[1]
    per_group = filters // groups
    left_rows = left_table.reshape(letters, width * filters)
    right_rows = right_table.reshape(letters, width * filters)
    cells = width * filters
    span = size + window - width  # full-convolution positions the block's windows need
    full = np.empty((span, filters), np.float32)
    left_best = np.empty((size, max(left_slot.max() + 1, 1), per_group), np.float32)
    even = np.zeros(cells, np.float32)
    odd = np.zeros(cells, np.float32)
    # left edges and the full convolution, from the end: S'_m[p] = K'[m, x_p] + S'_{m+1}[p + 1]
    for step in range(span + width - 1):
        p = first + span + width - 2 - step
        row = left_rows[codes[p]]
        state, previous = (even, odd) if step % 2 == 0 else (odd, even)
        left_step(row, previous, state, filters)
        i = p - first
        if i < span:
            for f in range(filters):
                full[i, f] = state[f]
        if i < size and p % stride == 0:
            for g in range(groups):
                for b in range(bins):
                    slot = left_slot[g, b]
                    if slot >= 0:
                        target = left_best[i, slot]
                        target[:] = -np.inf
                        lo, hi = left_parts[g, b, 0], left_parts[g, b, 1]
                        _rows_max(state, lo, hi, g * per_group, filters, target)
    # the full runs: van Herk prefix and suffix maxima per distinct run length
    prefix = np.empty((len(runs), span, filters), np.float32)
    suffix = np.empty((len(runs), span, filters), np.float32)
    for w in range(len(runs)):
        run = runs[w]
        for x in range(span):
            if x % run == 0:
                prefix[w, x] = full[x]
            else:
                for f in range(filters):
                    prefix[w, x, f] = max(full[x, f], prefix[w, x - 1, f])
        for x in range(span - 1, -1, -1):
            if x == span - 1 or (x + 1) % run == 0:
                suffix[w, x] = full[x]
            else:
                for f in range(filters):
                    suffix[w, x, f] = max(full[x, f], suffix[w, x + 1, f])
    # right edges, from the start: H'_m[q] = H'_{m-1}[q - 1] + K''[m - 1, x_q]; each window's
    # bins are put together here, in its rows of ``out``
    even[:] = 0.0
    odd[:] = 0.0
    for step in range(size + width - 1):
        q = first + window - width + step
        row = right_rows[codes[q]]
        state, previous = (even, odd) if step % 2 == 0 else (odd, even)
        right_step(row, previous, state, right_start, filters)
        s = q - window + 1
        if s < first or s % stride != 0:
            continue
        i = s - first
        r = (s - call_first) // stride
        for g in range(groups):
            column = g * per_group
            overall = out[g, r, 0]
            overall[:] = 0.0  # after the ReLU
            for b in range(bins):
                target = out[g, r, 1 + b]
                slot = left_slot[g, b]
                if slot >= 0:
                    target[:] = left_best[i, slot]
                else:
                    target[:] = -np.inf
                run = lengths[g, b]
                if run > 0:
                    w = run_index[g, b]
                    x = i + offsets[g, b]
                    for f in range(per_group):
                        inside = max(suffix[w, x, column + f], prefix[w, x + run - 1, column + f])
                        target[f] = max(target[f], inside)
                lo, hi = right_parts[g, b, 0], right_parts[g, b, 1]
                if lo <= hi:
                    _rows_max(state, lo, hi, column, filters, target)
                for f in range(per_group):
                    value = max(target[f] + bias[column + f], 0.0)
                    target[f] = value
                    overall[f] = max(overall[f], value)


@numba.njit(cache=_CACHE, parallel=True)
def _window_features(
    codes: np.ndarray,
    call_first: int,
    call_end: int,
    tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    window: int,
    stride: int,
    parts: tuple[np.ndarray, ...],
) -> np.ndarray:
    """Features ``(groups, windows, 1 + bins, F)`` of the windows starting at ``call_first,
    call_first + stride, … < call_end`` (``call_first`` on the grid); blocks in parallel."""
    groups, bins = parts[0].shape[0], parts[0].shape[1]
    per_group = tables[0].shape[2] // groups
    rows = (call_end - call_first - 1) // stride + 1
    out = np.empty((groups, rows, 1 + bins, per_group), np.float32)
    for block in numba.prange((call_end - call_first + _BLOCK - 1) // _BLOCK):
        first = call_first + block * _BLOCK
        size = min(_BLOCK, call_end - first)
        _block_features(codes, first, size, call_first, tables, window, stride, parts, out)
    return out


class PositionalConvolution:
    """Log-odds of every window of a long sequence for a one-hot model with one convolution
    layer, positional pooling and a dense head (see the module docstring): ``ranges`` are the
    bins of its ``bin_max`` layer (`bin_ranges`), ``head`` as `dense_head` gives it."""

    def __init__(
        self,
        kernel: np.ndarray,
        bias: np.ndarray,
        window: int,
        both: bool,
        ranges: np.ndarray,
        head: tuple[np.ndarray | None, np.ndarray | None, np.ndarray, float],
    ) -> None:
        self.tables = EdgeTables(kernel, bias, both)
        self.window = window
        width = self.tables.width
        positions = window + width - 1
        mirrored = (positions - ranges[:, ::-1]).copy()  # the reverse complement's bins
        groups = [ranges, mirrored] if both else [ranges]
        split = [_parts(group, window, width) for group in groups]
        left, right, offsets, lengths = (np.stack(column) for column in zip(*split, strict=True))
        runs = np.unique(lengths[lengths > 0]) if (lengths > 0).any() else np.ones(1, np.int64)
        run_index = np.searchsorted(runs, lengths).astype(np.int64)  # which run length
        has_left = left[..., 0] <= left[..., 1]
        left_slot = np.where(has_left, np.cumsum(has_left).reshape(has_left.shape) - 1, -1)
        self.parts = (left, right, offsets, lengths, run_index, runs.astype(np.int64), left_slot)
        hidden, hidden_bias, logit, logit_bias = head
        # the model's features are channel-major (filter × (1 + bins)), the kernel's bin-major
        filters, features = len(bias), len(bias) * (1 + len(ranges))
        order = np.arange(features).reshape(filters, -1).T.ravel()
        first_layer = np.asarray(logit if hidden is None else hidden, np.float32)[order]
        self.hidden = None if hidden is None else np.ascontiguousarray(first_layer)
        self.hidden_bias = None if hidden_bias is None else np.asarray(hidden_bias, np.float32)
        self.logit = (first_layer if hidden is None else np.asarray(logit, np.float32)).reshape(-1)
        self.logit_bias = float(logit_bias)

    def _head(self, features: np.ndarray) -> np.ndarray:
        """Log-odds of feature rows (bin-major)."""
        if self.hidden is not None:
            features = np.maximum(features @ self.hidden + self.hidden_bias, 0.0)
        return features @ self.logit + np.float32(self.logit_bias)

    def log_odds(self, codes: np.ndarray, stride: int = 1) -> np.ndarray:
        """``((T - L) // stride + 1, strands)`` log-odds of the windows starting at
        ``0, stride, … ≤ T - L``: forward, then (``both``) reverse complement."""
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        tables = self.tables.arrays
        starts = len(codes) - self.window + 1
        groups = self.parts[0].shape[0]
        out = np.empty(((starts - 1) // stride + 1, groups), np.float32)
        step = max(stride, CALL_STARTS - CALL_STARTS % stride)
        for first in range(0, starts, step):
            end = min(first + step, starts)
            features = _window_features(codes, first, end, tables, self.window, stride, self.parts)
            rows = features.reshape(groups, features.shape[1], -1)
            for group in range(groups):
                out[first // stride : first // stride + rows.shape[1], group] = self._head(
                    rows[group]
                )
        return out
