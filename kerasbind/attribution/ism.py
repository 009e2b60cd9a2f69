"""In-silico mutagenesis as hypothetical contributions (any architecture: forward passes only).

Every single-letter substitution of every sequence is scored (`kerasbind.explain.
mutation_deltas`: all mutants of a chunk of sequences in one batched pass). The hypothetical
contribution of letter ``b`` at position ``i`` is the change of log-odds when ``b`` is put there,
less the mean change of the four letters at ``i``; at the sequence's own letter it is minus the
mean change of the others' substitutions, × 3/4. Padding columns (outside a short sequence) stay 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasbind.encoding import EncoderSpec
from kerasbind.explain import mutation_deltas


def ism(
    scorer: Any, encoder: EncoderSpec, codes: np.ndarray, real: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hypothetical contributions ``(n, L, 4)`` and log-odds ``(n,)`` of ``(n, L)`` codes;
    ``real`` ``(n, L)`` marks the columns that hold the sequence (not padding)."""
    reference, delta = mutation_deltas(scorer, encoder, codes, real)
    hypothetical = delta - delta.mean(axis=2, keepdims=True)
    return hypothetical.astype(np.float32), reference
