"""One pass over a long sequence for convolution-only models, with the windows' scores exactly
as the window-by-window path gives them.

A window of the model's length ``L`` is scored as: its one-hot columns, ``w - 1`` unknown
columns (0.25) on each side (a layer of the model), ``conv_1`` (width ``w``, ReLU), the maximum
over all ``L + w - 1`` positions, the head. In a long sequence the positions whose filter lies
wholly inside the window are shared by all windows that contain them; the ``w - 1`` positions at
each window edge see padding instead of the neighbouring letters. So for every start ``s``:

- ``full[s]``: the convolution at ``s`` (no padding);
- ``left[s]``: the best of the ``w - 1`` left-edge outputs of a window starting at ``s``
  (filter columns ``0 … m-1`` on padding, ``m … w-1`` on letters ``s …``), each a suffix sum
  of the filter, by the recurrence ``S_m[s] = K[m, x_s] + S_{m+1}[s+1]`` run from the end;
- ``right[q]``: the same for a window whose last letter is ``q`` (prefix sums
  ``H_m[q] = H_{m-1}[q-1] + K[m-1, x_q]``, run from the start);

and a window's pooled feature is ``max(left[s], max(full[s … s+L-w]), right[s+L-1])`` plus the
bias — the same numbers as the model's global maximum, summed in another order.

All of it is one numba kernel over blocks of window starts (in parallel): a recurrence keeps the
``w`` partial sums of one position (a few kB, in the L1 cache), the sliding maximum over ``full``
(van Herk / Gil-Werman) and the edges are combined inside the block, and only the pooled
features of the windows on the stride's grid leave it.

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
_BLOCK = 1024  # window starts per block of `_block_log_odds` (its buffers stay in the L2 cache)
_TILE = 64  # filter columns per pass of a block: a position's w × 64 partial sums fit the L1 cache


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy", boundscheck=False)
def _row_max(state: np.ndarray, rows: int, filters: int, best: np.ndarray) -> None:
    """``best[f]`` = the maximum of rows ``1 … rows - 1`` of ``state`` (flat, rows × filters)."""
    for f in range(filters):
        best[f] = state[filters + f]
    for m in range(2, rows):
        base = m * filters
        for f in range(filters):
            best[f] = max(best[f], state[base + f])


@numba.njit(inline="always", fastmath=True, error_model="numpy", boundscheck=False)
def left_step(row: np.ndarray, previous: np.ndarray, state: np.ndarray, filters: int) -> None:
    """One step of the left recurrence, from the end: ``S'_m[p] = K'[m, x_p] + S'_{m+1}[p+1]``
    (flat ``w × F`` rows; row ``w - 1`` starts afresh)."""
    shifted = state.shape[0] - filters
    for k in range(shifted):
        state[k] = row[k] + previous[k + filters]
    for k in range(shifted, state.shape[0]):
        state[k] = row[k]


@numba.njit(inline="always", fastmath=True, error_model="numpy", boundscheck=False)
def right_step(
    row: np.ndarray, previous: np.ndarray, state: np.ndarray, start: np.ndarray, filters: int
) -> None:
    """One step of the right recurrence, from the start: ``H'_m[q] = H'_{m-1}[q-1] +
    K''[m-1, x_q]`` (row 0 is ``start``, the all-padding sum)."""
    for f in range(filters):
        state[f] = start[f]
    for k in range(state.shape[0] - filters):
        state[k + filters] = previous[k] + row[k]


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy", boundscheck=False)
def _block_log_odds(
    codes: np.ndarray,
    first: int,
    size: int,
    left_tiles: np.ndarray,
    right_tiles: np.ndarray,
    right_starts: np.ndarray,
    biases: np.ndarray,
    columns: int,
    window: int,
    stride: int,
    head: tuple[np.ndarray, np.ndarray, np.ndarray, float],
    out: np.ndarray,
) -> None:
    """Log-odds of the windows starting at ``first … first + size - 1`` (one block) on the
    stride's grid, written to ``out[s // stride, strand]``: each tile of filter columns in
    turn (`EdgeTables.tiled`), then the head on the first ``columns`` pooled features."""
    tiles, _, _, tile = left_tiles.shape
    rows = (first + size - 1) // stride - (first + stride - 1) // stride + 1  # starts on the grid
    pooled = np.empty((tiles * tile, rows), np.float32)  # by filter: the head runs along the rows
    for t in range(tiles):
        _tile_pooled(
            codes, first, size, left_tiles[t], right_tiles[t], right_starts[t], biases[t],
            window, stride, pooled[t * tile : (t + 1) * tile],
        )  # fmt: skip
    _dense_head(pooled[:columns], head, out[(first + stride - 1) // stride :])


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy", boundscheck=False)
def _tile_pooled(
    codes: np.ndarray,
    first: int,
    size: int,
    left_table: np.ndarray,
    right_table: np.ndarray,
    right_start: np.ndarray,
    bias: np.ndarray,
    window: int,
    stride: int,
    pooled: np.ndarray,
) -> None:
    """Pooled features ``pooled[f, r]`` of one tile of filters for the block's windows on the
    stride's grid.

    The recurrences keep one position's ``w`` partial sums (flat, ``w × F``) with the padding
    folded in (`OneHotConvolution`), so that an edge is the maximum over rows ``1 … w - 1``.
    """
    letters, width, filters = left_table.shape
    left_rows = left_table.reshape(letters, width * filters)
    right_rows = right_table.reshape(letters, width * filters)
    cells = width * filters
    inner = window - width + 1  # convolution outputs wholly inside a window
    span = size + inner - 1  # full-convolution positions the block's windows need
    full = np.empty((span, filters), np.float32)
    suffix = np.empty((span, filters), np.float32)
    left = np.empty((size, filters), np.float32)
    even = np.zeros(cells, np.float32)
    odd = np.zeros(cells, np.float32)
    # left edges and the full convolution, from the end: S'_m[p] = K'[m, x_p] + S'_{m+1}[p + 1]
    for step in range(span + width - 1):  # the first w - 1 steps fill the recurrence
        p = first + span + width - 2 - step
        row = left_rows[codes[p]]
        state, previous = (even, odd) if step % 2 == 0 else (odd, even)
        left_step(row, previous, state, filters)
        i = p - first
        if i < span:
            restart = i == span - 1 or (i + 1) % inner == 0  # van Herk: suffix maxima per segment
            for f in range(filters):
                full[i, f] = state[f]
                suffix[i, f] = state[f] if restart else max(state[f], suffix[i + 1, f])
        if i < size:
            _row_max(state, width, filters, left[i])
    for i in range(1, span):  # van Herk: prefix maxima per segment, in place
        if i % inner != 0:
            for f in range(filters):
                full[i, f] = max(full[i, f], full[i - 1, f])
    # right edges, from the start: H'_m[q] = H'_{m-1}[q - 1] + K''[m - 1, x_q]
    even[:] = 0.0
    odd[:] = 0.0
    right = np.empty(filters, np.float32)
    last = first + window - 1  # the first window's last letter
    for step in range(size + width - 1):
        q = last - width + 1 + step
        row = right_rows[codes[q]]
        state, previous = (even, odd) if step % 2 == 0 else (odd, even)
        right_step(row, previous, state, right_start, filters)
        s = q - window + 1
        if s < first or s % stride != 0:
            continue
        i = s - first
        _row_max(state, width, filters, right)
        r = s // stride - (first + stride - 1) // stride
        for f in range(filters):
            value = max(right[f], left[i, f])
            value = max(value, max(suffix[i, f], full[i + inner - 1, f]))
            pooled[f, r] = max(value + bias[f], 0.0)


@numba.njit(cache=_CACHE, fastmath=True, error_model="numpy", boundscheck=False)
def _dense_head(
    pooled: np.ndarray, head: tuple[np.ndarray, np.ndarray, np.ndarray, float], out: np.ndarray
) -> None:
    """``out[r, g] = logit · relu(hidden · pooled[g-th F filters, r] + b) + b'`` for each strand
    ``g``: the model's head (a ReLU dense layer and the logit unit), along the rows."""
    hidden, hidden_bias, logit, logit_bias = head
    inputs, units = hidden.shape
    rows = pooled.shape[1]
    unit = np.empty(rows, np.float32)
    total = np.empty(rows, np.float32)
    for strand in range(pooled.shape[0] // inputs):
        total[:] = logit_bias
        for u in range(units):
            unit[:] = hidden_bias[u]
            for j in range(inputs):
                weight = hidden[j, u]
                if weight == 0.0:  # a merged ensemble's head is block-diagonal
                    continue
                feature = pooled[strand * inputs + j]
                for r in range(rows):
                    unit[r] += weight * feature[r]
            weight = logit[u]
            for r in range(rows):
                total[r] += weight * max(unit[r], 0.0)
        for r in range(rows):
            out[r, strand] = total[r]


@numba.njit(cache=_CACHE, parallel=True)
def _window_log_odds(
    codes: np.ndarray,
    left_tiles: np.ndarray,
    right_tiles: np.ndarray,
    right_starts: np.ndarray,
    biases: np.ndarray,
    columns: int,
    window: int,
    stride: int,
    head: tuple[np.ndarray, np.ndarray, np.ndarray, float],
) -> np.ndarray:
    """Log-odds ``(windows, strands)`` of the windows starting at ``s = 0, stride, …``: the
    pooled feature ``relu(max(left[s], max(full[s … s+L-w]), right[s+L-1]) + bias)`` (ReLU
    after the maximum: it is monotone), then the head; blocks of `_BLOCK` starts in parallel,
    the filters of a block in tiles (`EdgeTables.tiled`; ``columns`` of them are the model's)."""
    starts = codes.shape[0] - window + 1
    strands = columns // head[0].shape[0]
    out = np.empty(((starts - 1) // stride + 1, strands), np.float32)
    for block in numba.prange((starts + _BLOCK - 1) // _BLOCK):
        first = block * _BLOCK
        size = min(_BLOCK, starts - first)
        _block_log_odds(
            codes, first, size, left_tiles, right_tiles, right_starts, biases, columns,
            window, stride, head, out,
        )  # fmt: skip
    return out


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


class EdgeTables:
    """A one-hot first convolution as the recurrences of the one pass read it: per letter code
    (4 letters and unknown) and filter column, the filter's weights with the window padding
    folded in, so that a window edge's outputs are rows ``1 … w - 1`` of the recurrence state.

    With ``both`` the reverse-complement strand's features come from the same pass: a filter
    scanning a window's reverse complement meets what the reversed and complemented filter meets
    on the window itself, at mirrored positions of the same padded window. So the tables hold
    ``2F`` filters: ``F`` forward, ``F`` reverse-complemented.
    """

    def __init__(self, kernel: np.ndarray, bias: np.ndarray, both: bool) -> None:
        kernel = np.asarray(kernel, dtype=np.float32)  # (w, 4, F)
        if both:
            kernel = np.concatenate([kernel, kernel[::-1, ::-1, :]], axis=2)
            bias = np.concatenate([bias, bias])
        self.width = kernel.shape[0]
        self.bias = np.asarray(bias, dtype=np.float32)
        unknown = UNKNOWN_VALUE * kernel.sum(axis=1)  # (w, F): a column's response to N
        table = np.concatenate([kernel, unknown[:, None]], axis=1).transpose(1, 0, 2)  # (5, w, F)
        # padding under the columns < m (left edge, m = 0 … w) and ≥ m (right edge, m = 0 … w-1)
        pad_left = np.concatenate([np.zeros_like(unknown[:1]), np.cumsum(unknown, axis=0)])
        pad_right = pad_left[-1] - pad_left[:-1]
        # folded in, so that S'_m = S_m + pad_left[m] and H'_m = H_m + pad_right[m] (S'_w = 0)
        next_left = np.concatenate([pad_left[1:-1], np.zeros_like(unknown[:1])])
        self.left = np.ascontiguousarray(table + (pad_left[:-1] - next_left), np.float32)
        right_table = np.zeros_like(table)
        right_table[:, :-1] = table[:, :-1] + (pad_right[1:] - pad_right[:-1])
        self.right = np.ascontiguousarray(right_table, np.float32)
        self.right_start = np.ascontiguousarray(pad_right[0], np.float32)  # H'_0

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(left, right, right_start, bias)``, as the kernels take them."""
        return self.left, self.right, self.right_start, self.bias

    def tiled(self, tile: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`arrays` cut into tiles of ``tile`` filter columns, ``(tiles, …, tile)``: a pass
        over one tile keeps a position's ``w × tile`` partial sums in the L1 cache, where all
        columns of a large model (an ensemble's 768) spill to the L2. The last tile is
        completed with filters of zero weights and bias, whose features no head reads."""
        columns = len(self.bias)
        tiles = -(-columns // tile)

        def cut(values: np.ndarray) -> np.ndarray:
            padding = [(0, 0)] * (values.ndim - 1) + [(0, tiles * tile - columns)]
            padded = np.pad(values, padding).reshape(*values.shape[:-1], tiles, tile)
            return np.ascontiguousarray(np.moveaxis(padded, -2, 0))

        return tuple(cut(values) for values in self.arrays)  # type: ignore[return-value]


class OneHotConvolution:
    """Log-odds of every window of a long sequence, for one-hot models with one convolution layer
    and a dense head (deepbind): ``head`` is the ReLU dense layer's kernel and bias and the logit
    unit's (``None, None`` for a model without the dense layer: the pooled features go to the
    logit). With ``both`` the reverse strand comes from the same pass (`EdgeTables`): the maximum
    over all positions does not depend on their order.
    """

    def __init__(
        self,
        kernel: np.ndarray,
        bias: np.ndarray,
        window: int,
        both: bool,
        head: tuple[np.ndarray | None, np.ndarray | None, np.ndarray, float],
    ) -> None:
        hidden, hidden_bias, logit, logit_bias = head
        if hidden is None:  # no dense layer: an identity (the pooled features are ≥ 0)
            hidden = np.eye(len(bias), dtype=np.float32)
            hidden_bias = np.zeros(len(bias), np.float32)
        self.head = (
            np.ascontiguousarray(hidden, np.float32),
            np.ascontiguousarray(hidden_bias, np.float32),
            np.ascontiguousarray(logit, np.float32).reshape(-1),
            float(logit_bias),
        )
        self.window = window
        tables = EdgeTables(kernel, bias, both)
        self.columns = len(tables.bias)
        self.tiles = tables.tiled(min(_TILE, self.columns))

    def log_odds(self, codes: np.ndarray, stride: int = 1) -> np.ndarray:
        """``((T - L) // stride + 1, strands)`` log-odds of the windows starting at
        ``0, stride, … ≤ T - L``: forward, then (``both``) reverse complement."""
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        return _window_log_odds(
            codes, *self.tiles, self.columns, self.window, stride, self.head
        )  # fmt: skip


class KmerConvolution:
    """Pooled last-convolution features of every window, for k-mer models without a recurrent
    stage (deepbind_e_star, k-mer stride 1): the stage runs once over the sequence's ids."""

    def __init__(self, stage: Any, encoder: EncoderSpec, positions: int) -> None:
        self.stage = stage  # a function: (1, n_ids) int32 ids → (1, n_out, F)
        self.encoder = encoder
        self.positions = positions  # a window's positions after the convolution stage

    def features(self, codes: np.ndarray, stride: int = 1) -> np.ndarray:
        """``((T - L) // stride + 1, F)`` pooled features of the windows starting at
        ``0, stride, … ≤ T - L``."""
        ids = kmer_ids_from_codes(codes[None, :], self.encoder.k, 1)
        maps = np.asarray(self.stage(ids))[0]
        return sliding_max(np.ascontiguousarray(maps), self.positions)[::stride]
