"""DeepSHAP-style attributions: integrated gradients from dinucleotide-shuffled references,
averaged.

DeepSHAP (Lundberg & Lee 2017) explains a sequence against a set of references, each a
dinucleotide shuffle of it, and averages DeepLIFT's attributions over them. DeepLIFT's rescale
rule needs the network's layers rewritten; here each reference's attributions come from
integrated gradients along the straight path from it instead (the gradient averaged over a few
points), which works for every layer Keras has, recurrent ones included. Averaged over the
references this is close to *expected gradients* (Erion et al. 2021), the SHAP approximation
that samples references and path points. The attributions of a sequence sum to its log-odds less
the references' mean log-odds, up to the path integral's error (refined as for integrated
gradients, `kerasbind.attribution.integrated.integrate_paths`).
"""

from __future__ import annotations

import numpy as np

from kerasbind.attribution.tokens import TokenSpace
from kerasbind.sequences import to_codes
from kerasbind.shuffle import dinucleotide_shuffle

DEFAULT_REFERENCES = 10
DEFAULT_REFERENCE_STEPS = 8
LETTERS = np.array(list("ACGTN"))


def shuffled_codes(codes: np.ndarray, n_references: int, seed: int) -> np.ndarray:
    """``(n, R, L)`` codes: ``R`` dinucleotide shuffles of each row of ``codes``."""
    windows = ["".join(row) for row in LETTERS[codes]]
    repeated = [w for w in windows for _ in range(n_references)]
    shuffled = to_codes(dinucleotide_shuffle(repeated, seed), codes.shape[1])
    return shuffled.reshape(len(codes), n_references, codes.shape[1])


def reference_vectors(space: TokenSpace, shuffled: np.ndarray) -> np.ndarray:
    """Token vectors ``(n, R, T, D)`` of the shuffled references ``(n, R, L)``."""
    n, n_references, length = shuffled.shape
    vectors = space.vectors(space.ids(shuffled.reshape(n * n_references, length)))
    return vectors.reshape(n, n_references, *vectors.shape[1:])
