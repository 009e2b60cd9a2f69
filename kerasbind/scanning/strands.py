"""Both strands: which strands a run scores and how a window's two scores become one.

DNA runs score a window on the given strand and on its reverse complement (a protein binds
double-stranded DNA whichever way the motif faces); the window's score is the larger of the two
(``combine="max"``, the default) or their mean probability (``"mean"``). RNA runs score the given
strand only: the transcript has one.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.explain import sigmoid
from kerasbind.options import STRANDS

Strand = Literal["auto", "both", "forward"]
Combine = Literal["max", "mean"]
COMBINES = ("max", "mean")


def both_strands(encoder: EncoderSpec, strand: str = "auto") -> bool:
    """Whether to score the reverse complement too: ``auto`` means yes for DNA runs."""
    if strand not in STRANDS:
        raise KerasbindError(f"strand must be one of {', '.join(STRANDS)}, not {strand!r}")
    if strand == "both" and encoder.alphabet == "RNA":
        raise KerasbindError("this run was trained on RNA: it scores one strand (strand='forward')")
    return strand == "both" or (strand == "auto" and encoder.alphabet == "DNA")


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities (float64, so that probabilities near 1 keep their value)."""
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def combine_strands(forward: np.ndarray, reverse: np.ndarray, combine: str = "max") -> np.ndarray:
    """One log-odds per window from its forward and reverse-complement log-odds."""
    if combine not in COMBINES:
        raise KerasbindError(f"combine must be 'max' or 'mean', not {combine!r}")
    if combine == "max":
        return np.maximum(forward, reverse)
    return logit((sigmoid(forward.astype(np.float64)) + sigmoid(reverse.astype(np.float64))) / 2)
