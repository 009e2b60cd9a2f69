"""Integrated gradients (Sundararajan et al. 2017) in token-vector space.

The path runs straight from a reference to the sequence's token vectors; the gradient is
averaged over ``steps`` points at the midpoints of equal intervals (midpoint rule). The
reference is the all-unknown sequence (``N`` at every position: 0.25 per letter for one-hot
models, the ``<N>`` k-mer's vector for k-mer models, the mean k-mer vector).

**Completeness.** The attributions of a sequence's letters sum to its log-odds less the
reference's, up to the midpoint rule's error, which a max-pooling model makes large where the
pooled position changes along the path. `refine_until_complete` doubles the steps of every
sequence whose gap exceeds ``COMPLETENESS_RELATIVE · |change| + COMPLETENESS_ABSOLUTE`` until it
does not, up to `MAX_STEPS` (`Attributions.completeness_gap` keeps the gap).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kerasbind.attribution.gradients import Gradient
from kerasbind.attribution.tokens import TokenSpace

DEFAULT_STEPS = 32
MAX_STEPS = 512
COMPLETENESS_RELATIVE = 0.02
COMPLETENESS_ABSOLUTE = 0.01  # log-odds


def path_gradients(
    gradient: Gradient, z: np.ndarray, references: np.ndarray, steps: int
) -> np.ndarray:
    """Mean gradient ``(n, R, T, D)`` along the straight paths from each of ``R`` references
    ``(n, R, T, D)`` to ``z`` ``(n, T, D)``."""
    n, n_references, n_tokens, depth = references.shape
    alphas = ((np.arange(steps) + 0.5) / steps).astype(np.float32)[:, None, None]
    step = (z[:, None] - references)[:, :, None]  # (n, R, 1, T, D)
    points = references[:, :, None] + alphas * step  # (n, R, S, T, D)
    grads = gradient(points.reshape(-1, n_tokens, depth))
    return grads.reshape(n, n_references, steps, n_tokens, depth).mean(axis=2)


def reference_contributions(
    space: TokenSpace, codes: np.ndarray, references: np.ndarray, gradient: Gradient, steps: int
) -> np.ndarray:
    """Hypothetical contributions ``(n, L, 4)``, averaged over the references ``(n, R, T, D)``:
    integrated gradients from each reference (`TokenSpace.to_nucleotides`)."""
    z = space.vectors(space.ids(codes))
    n, n_references = references.shape[:2]
    mean_gradients = path_gradients(gradient, z, references, steps)
    flat_codes = np.repeat(codes, n_references, axis=0)
    hypothetical = space.to_nucleotides(
        mean_gradients.reshape(n * n_references, *z.shape[1:]),
        references.reshape(n * n_references, *z.shape[1:]),
        flat_codes,
    )
    return hypothetical.reshape(n, n_references, *hypothetical.shape[1:]).mean(axis=1)


def baseline_vectors(space: TokenSpace, codes: np.ndarray) -> np.ndarray:
    """The all-unknown reference ``(n, 1, T, D)`` of `integrated_gradients`."""
    n_tokens = space.n_tokens(codes.shape[1])
    row = space.table[space.unknown_id]
    return np.broadcast_to(row, (len(codes), 1, n_tokens, len(row))).astype(np.float32)


def complete(gap: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Which gaps ``(n,)`` are within the tolerance for score changes ``change``."""
    return np.abs(gap) <= COMPLETENESS_RELATIVE * np.abs(change) + COMPLETENESS_ABSOLUTE


def refine_until_complete(
    compute: Callable[[np.ndarray, int], np.ndarray],
    one_hot: np.ndarray,
    change: np.ndarray,
    steps: int,
    hypothetical: np.ndarray,
) -> np.ndarray:
    """``hypothetical`` ``(n, L, 4)`` computed with ``steps``, with the rows whose contributions
    (``one_hot`` letters) miss ``change`` by more than the tolerance recomputed by
    ``compute(rows, steps)`` at twice the steps, again and again up to `MAX_STEPS`."""
    rows = np.arange(len(change))
    while steps < MAX_STEPS:
        gap = (one_hot[rows] * hypothetical[rows]).sum(axis=(1, 2)) - change[rows]
        rows = rows[~complete(gap, change[rows])]
        if not rows.size:
            break
        steps *= 2
        hypothetical[rows] = compute(rows, steps)
    return hypothetical
