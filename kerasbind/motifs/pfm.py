"""Position frequency matrices from the first convolution layer (paper section 2.4).

Every sequence goes through ``conv_1`` (ReLU applied). For each filter, every window whose
activation exceeds the filter's threshold is an activating site; the nucleotides of all sites are
stacked and counted, without a Python loop over windows. Thresholds (`THRESHOLDS`):

- ``"half_max"`` (default): half of the filter's maximum activation over the set;
- ``"deepram"``: deepRAM's ``0.65·(max − mean) + mean`` (``0.60`` for k-mer models), the mean
  taken over every window of every sequence (extract_motifs.py, ``plot_filter_logo``).

Where a window lies in the model's input window of ``L`` nucleotides (`WindowGeometry`):

- **one-hot models** pad ``w - 1`` columns of 0.25 on both sides before ``conv_1`` (filter width
  ``w``), so activation position ``j`` covers nucleotides ``j - (w - 1) … j``. Padding (and ``N``)
  columns are counted as they are encoded: 0.25 of each letter. A site hanging over a sequence end
  so adds a uniform quarter-count per missing letter and never moves its real letters.
- **embedded models** run ``conv_1`` over k-mer vectors (k-mer stride ``s``), so position ``j``
  covers k-mers ``j … j + w - 1``, i.e. nucleotides ``j·s … j·s + (w - 1)·s + k - 1``: a span of
  ``(w - 1)·s + k`` letters, which are counted from the sequence itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from kerasbind.encoding import EncoderSpec, encode
from kerasbind.errors import KerasbindError
from kerasbind.motifs.motif import Motif, column_frequencies
from kerasbind.sequences import Alphabet

BATCH = 1024
Threshold = Literal["half_max", "deepram"]
THRESHOLDS: tuple[Threshold, ...] = ("half_max", "deepram")


@dataclass(frozen=True)
class WindowGeometry:
    """Activation position ``j`` covers input nucleotides ``start + j·stride`` onwards, ``span``
    of them (``start < 0``: the first windows begin in the padding)."""

    start: int
    stride: int
    span: int
    positions: int

    @property
    def centres(self) -> np.ndarray:
        """Each window's centre, ``(P,)``: 0-based nucleotide coordinate in the model window."""
        return self.start + self.stride * np.arange(self.positions) + (self.span - 1) / 2


@dataclass
class FilterMotifs:
    """Per-filter PFMs and activation positions from one set of sequences.

    Attributes
    ----------
    counts : ``(F, 4, span)`` letter counts over activating sites
    n_sites : ``(F,)`` activating windows per filter
    thresholds : ``(F,)`` each filter's site threshold over the positives (see `THRESHOLDS`)
    positive_positions, negative_positions : ``(F, P)`` activating windows at each position
        (negatives use the positives' thresholds; ``None`` without negatives)
    n_positive, n_negative : sequences in each set
    """

    counts: np.ndarray
    n_sites: np.ndarray
    thresholds: np.ndarray
    geometry: WindowGeometry
    positive_positions: np.ndarray
    negative_positions: np.ndarray | None
    n_positive: int
    n_negative: int
    alphabet: Alphabet = "DNA"

    @property
    def ids(self) -> list[str]:
        """``filter_0`` … (0-based, the channel index of ``conv_1``)."""
        return [f"filter_{i}" for i in range(len(self.counts))]

    def motifs(self) -> list[Motif]:
        """One `Motif` per filter that has at least one activating site."""
        return [
            Motif(name, name, column_frequencies(counts), int(sites))
            for name, counts, sites in zip(self.ids, self.counts, self.n_sites, strict=True)
            if sites > 0
        ]


def first_convolution(model: Any) -> Any:
    """The model's ``conv_1`` layer, or a `KerasbindError` for models without one."""
    try:
        return model.get_layer("conv_1")
    except ValueError as error:
        raise KerasbindError(
            f"model {model.name!r} has no first convolution layer 'conv_1' (a recurrent-only "
            "architecture such as kegru has no filters to read motifs from)"
        ) from error


def window_geometry(model: Any, encoder: EncoderSpec) -> WindowGeometry:
    """Where each ``conv_1`` window lies in the model's input window (see module docstring)."""
    conv = first_convolution(model)
    width = int(conv.kernel_size[0])
    positions = int(conv.output.shape[1])
    if encoder.kind == "kmer":
        return WindowGeometry(
            0, encoder.stride, (width - 1) * encoder.stride + encoder.k, positions
        )
    padding = (int(conv.input.shape[1]) - encoder.length) // 2
    return WindowGeometry(-padding, 1, width, positions)


def activation_batches(model: Any, x: np.ndarray, batch_size: int = BATCH) -> Iterator[np.ndarray]:
    """``conv_1`` activations ``(b, P, F)`` float32, batch by batch, for encoded input ``x``."""
    import keras

    scanner = keras.Model(model.input, first_convolution(model).output)
    for start in range(0, len(x), batch_size):
        yield keras.ops.convert_to_numpy(scanner(x[start : start + batch_size], training=False))


def _nucleotides(
    sequences: Sequence[str], encoder: EncoderSpec, geometry: WindowGeometry
) -> np.ndarray:
    """One-hot nucleotides ``(n, L + padding, 4)`` so that window ``j`` starts at ``j·stride``."""
    onehot = encode(sequences, EncoderSpec("onehot", encoder.length))
    left = max(0, -geometry.start)
    right = max(
        0,
        geometry.start
        + geometry.stride * (geometry.positions - 1)
        + geometry.span
        - encoder.length,
    )
    return np.pad(onehot, ((0, 0), (left, right), (0, 0)), constant_values=0.25)


def count_sites(
    active: np.ndarray, nucleotides: np.ndarray, geometry: WindowGeometry
) -> np.ndarray:
    """Letter counts ``(F, 4, span)`` of all activating windows.

    ``active`` is ``(n, P, F)`` (1 where a window activates the filter); one contraction over
    sequences and positions per motif column.
    """
    active = active.astype(np.float32)
    last = geometry.stride * (geometry.positions - 1) + 1
    return np.stack(
        [
            np.einsum("npf,npc->fc", active, nucleotides[:, i : i + last : geometry.stride])
            for i in range(geometry.span)
        ],
        axis=-1,
    ).astype(np.float64)


def site_thresholds(
    model: Any, x: np.ndarray, rule: Threshold, kmer: bool, batch_size: int = BATCH
) -> np.ndarray:
    """Each filter's site threshold ``(F,)`` over encoded input ``x`` (module docstring); a filter
    that never fires (maximum 0) gets an infinite threshold and so no sites."""
    if rule not in THRESHOLDS:
        raise KerasbindError(f"unknown threshold {rule!r} (one of {', '.join(THRESHOLDS)})")
    maxima, sums, count = [], 0.0, 0
    for batch in activation_batches(model, x, batch_size):
        maxima.append(batch.max(axis=(0, 1)))
        sums = sums + batch.sum(axis=(0, 1), dtype=np.float64)
        count += batch.shape[0] * batch.shape[1]
    peak = np.max(maxima, axis=0).astype(np.float64)
    if rule == "half_max":
        thresholds = 0.5 * peak
    else:
        mean = sums / count
        thresholds = (0.60 if kmer else 0.65) * (peak - mean) + mean
    return np.where(peak > 0, thresholds, np.inf)


def filter_motifs(
    model: Any,
    encoder: EncoderSpec,
    positives: Sequence[str],
    negatives: Sequence[str] | None = None,
    *,
    threshold: Threshold = "half_max",
    batch_size: int = BATCH,
) -> FilterMotifs:
    """PFMs of every ``conv_1`` filter from ``positives`` (paper section 2.4), and the positions
    of activating windows in positives and negatives (Fig. 4B).

    Two passes over the positives (thresholds, then sites), so memory stays at one batch.
    """
    if not positives:
        raise KerasbindError("no sequences to extract motifs from")
    geometry = window_geometry(model, encoder)
    x = encode(positives, encoder)
    thresholds = site_thresholds(model, x, threshold, encoder.kind == "kmer", batch_size)
    counts = 0.0
    hist = 0
    for start, batch in zip(
        range(0, len(x), batch_size), activation_batches(model, x, batch_size), strict=True
    ):
        active = batch > thresholds
        nucleotides = _nucleotides(positives[start : start + batch_size], encoder, geometry)
        counts = counts + count_sites(active, nucleotides, geometry)
        hist = hist + active.sum(axis=0)
    negative_hist = None
    if negatives:
        negative_hist = sum(
            (batch > thresholds).sum(axis=0)
            for batch in activation_batches(model, encode(negatives, encoder), batch_size)
        ).T
    return FilterMotifs(
        counts=counts,
        n_sites=hist.sum(axis=0),
        thresholds=thresholds,
        geometry=geometry,
        positive_positions=hist.T,
        negative_positions=negative_hist,
        n_positive=len(positives),
        n_negative=len(negatives or ()),
        alphabet=encoder.alphabet,
    )
