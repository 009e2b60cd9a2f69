"""Integrated gradients (Sundararajan et al. 2017) in token-vector space, by adaptive
trapezoid quadrature.

The path runs straight from a reference ``z0`` to the sequence's token vectors ``z``; the
attribution integrates the gradient along it. The reference is the all-unknown sequence (``N``
at every position: 0.25 per letter for one-hot models, the ``<N>`` k-mer's vector for k-mer
models, the mean k-mer vector).

**Quadrature.** ``F(α)`` is the log-odds at ``z0 + α (z − z0)`` and ``D(α) = F'(α)`` the
gradient's dot product with the step. The gradient is taken at ``steps + 1`` equally spaced
points (both ends included) and integrated by the trapezoid rule. Every gradient call also gives
``F``, so each interval's own error is known exactly: ``(b − a) (D(a) + D(b)) / 2`` against
``F(b) − F(a)``. The errors of a path's intervals add up to its **completeness gap** (sum of
attributions less the score change), which ReLU and max pooling make large where the integrand
jumps. A path whose gap exceeds ``COMPLETENESS_RELATIVE · |change| + COMPLETENESS_ABSOLUTE``
has its worst intervals bisected (all but the smallest-error ones whose errors sum to at most
half the tolerance), again and again, down to intervals of `FINEST_WIDTH`. New points are added
only where the integrand jumps and earlier points are all kept (nested rule), so a hard sequence
costs a few dozen extra gradients where a uniform rule would need millions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kerasbind.attribution.gradients import GRADIENT_BATCH, Gradient
from kerasbind.attribution.tokens import TokenSpace
from kerasbind.encoding import onehot_from_codes

DEFAULT_STEPS = 8
# the narrowest interval bisected: a trained recurrent model's log-odds can rise by a whole unit
# within 1e-5 of the path (a gate saturating), which only intervals this fine resolve; float32
# still tells the points apart
FINEST_WIDTH = 2.0**-22
COMPLETENESS_RELATIVE = 0.02
COMPLETENESS_ABSOLUTE = 0.01  # log-odds

Tolerance = Callable[[np.ndarray], np.ndarray]


def tolerance(change: np.ndarray) -> np.ndarray:
    """The largest completeness gap allowed for score changes ``change`` ``(n,)``."""
    return COMPLETENESS_RELATIVE * np.abs(change) + COMPLETENESS_ABSOLUTE


class _Nodes:
    """The evaluated points of ``P`` paths: path index, α, ``F``, ``D`` and the hypothetical
    contributions ``(L, 4)`` of the gradient there (`TokenSpace.to_nucleotides` is linear in
    the gradient, so the integral of contributions is the integral of gradients, mapped)."""

    def __init__(
        self,
        space: TokenSpace,
        gradient: Gradient,
        codes: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
    ) -> None:
        self.space, self.gradient = space, gradient
        self.codes, self.starts, self.ends = codes, starts, ends
        self.one_hot = onehot_from_codes(codes)
        self.path = np.empty(0, dtype=np.int64)
        self.alpha = np.empty(0)
        self.score = np.empty(0)
        self.slope = np.empty(0)
        self.hypothetical: list[np.ndarray] = []

    def add(self, path: np.ndarray, alpha: np.ndarray) -> None:
        """Evaluate the gradient at ``alpha`` along each ``path`` (batched)."""
        for start in range(0, len(path), GRADIENT_BATCH):
            p = path[start : start + GRADIENT_BATCH]
            a = alpha[start : start + GRADIENT_BATCH, None, None].astype(np.float32)
            reference = self.starts[p]
            scores, grads = self.gradient((1 - a) * reference + a * self.ends[p])
            block = self.space.to_nucleotides(grads, reference, self.codes[p])
            self.hypothetical.append(block)
            self.slope = np.concatenate([self.slope, (self.one_hot[p] * block).sum(axis=(1, 2))])
            self.score = np.concatenate([self.score, scores])
        self.path = np.concatenate([self.path, path])
        self.alpha = np.concatenate([self.alpha, alpha])

    def intervals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Node order by (path, α); each interval's first node (in that order), its path and
        width, and its trapezoid error (estimate less the exact change of ``F``)."""
        order = np.lexsort((self.alpha, self.path))
        path, alpha = self.path[order], self.alpha[order]
        score, slope = self.score[order], self.slope[order]
        left = np.flatnonzero(path[1:] == path[:-1])
        width = alpha[left + 1] - alpha[left]
        error = width / 2 * (slope[left] + slope[left + 1]) - (score[left + 1] - score[left])
        return order, left, width, error


def _worst_intervals(
    path: np.ndarray, error: np.ndarray, allowed: np.ndarray, refinable: np.ndarray
) -> np.ndarray:
    """Intervals to bisect: of each path, all but its smallest-error ones whose absolute errors
    sum to at most half its ``allowed`` gap; only ``refinable`` ones (wide enough)."""
    size = np.abs(error)
    order = np.lexsort((size, path))
    running = np.cumsum(size[order])
    first = np.searchsorted(path[order], path[order], side="left")
    within = running - np.concatenate([[0.0], running])[first]
    chosen = np.zeros(len(path), dtype=bool)
    chosen[order] = within > allowed[path[order]] / 2
    return np.flatnonzero(chosen & refinable)


def integrate_paths(
    space: TokenSpace,
    gradient: Gradient,
    codes: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    steps: int,
    allowed_gap: Tolerance,
) -> np.ndarray:
    """Hypothetical contributions ``(P, L, 4)`` of ``P`` straight paths from ``starts`` to
    ``ends`` (token vectors ``(P, T, D)``; ``codes`` ``(P, L)`` the sequence each path ends at),
    refined until each path's gap is within ``allowed_gap(changes)`` (see module docstring)."""
    n_paths = len(codes)
    nodes = _Nodes(space, gradient, codes, starts, ends)
    grid = np.linspace(0.0, 1.0, steps + 1)
    nodes.add(np.repeat(np.arange(n_paths), steps + 1), np.tile(grid, n_paths))
    ends_first = np.arange(n_paths) * (steps + 1)
    change = nodes.score[ends_first + steps] - nodes.score[ends_first]
    allowed = allowed_gap(change)
    while True:
        order, left, width, error = nodes.intervals()
        path = nodes.path[order][left]
        gap = np.bincount(path, error, minlength=n_paths)
        failing = np.abs(gap) > allowed
        refinable = failing[path] & (width >= 2 * FINEST_WIDTH)
        split = _worst_intervals(path, error, allowed, refinable)
        if not split.size:
            break
        nodes.add(path[split], nodes.alpha[order][left[split]] + width[split] / 2)
    order, left, width, _ = nodes.intervals()
    weights = np.zeros(len(order))
    np.add.at(weights, left, width / 2)
    np.add.at(weights, left + 1, width / 2)
    hypothetical = np.concatenate(nodes.hypothetical)[order] * weights[:, None, None]
    firsts = np.searchsorted(nodes.path[order], np.arange(n_paths))
    return np.add.reduceat(hypothetical, firsts, axis=0).astype(np.float32)


def reference_contributions(
    space: TokenSpace, codes: np.ndarray, references: np.ndarray, gradient: Gradient, steps: int
) -> np.ndarray:
    """Hypothetical contributions ``(n, L, 4)``, averaged over the references ``(n, R, T, D)``:
    integrated gradients from each reference (`TokenSpace.to_nucleotides`), every path refined
    until it meets the tolerance of its sequence's mean score change."""
    n, n_references = references.shape[:2]
    z = space.vectors(space.ids(codes))

    def allowed(change: np.ndarray) -> np.ndarray:
        mean_change = change.reshape(n, n_references).mean(axis=1)
        return np.repeat(tolerance(mean_change), n_references)

    hypothetical = integrate_paths(
        space,
        gradient,
        np.repeat(codes, n_references, axis=0),
        references.reshape(n * n_references, *z.shape[1:]),
        np.repeat(z, n_references, axis=0),
        steps,
        allowed,
    )
    return hypothetical.reshape(n, n_references, *hypothetical.shape[1:]).mean(axis=1)


def baseline_vectors(space: TokenSpace, codes: np.ndarray) -> np.ndarray:
    """The all-unknown reference ``(n, 1, T, D)`` of `integrated_gradients`."""
    n_tokens = space.n_tokens(codes.shape[1])
    row = space.table[space.unknown_id]
    return np.broadcast_to(row, (len(codes), 1, n_tokens, len(row))).astype(np.float32)
