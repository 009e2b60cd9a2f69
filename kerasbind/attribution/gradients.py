"""Gradients of the log-odds with respect to token vectors, and saliency (gradient × input).

Gradients are taken by TensorFlow (one traced function per model, any batch size); the other
Keras backends are refused with a message (ISM needs only forward passes and works on any).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerasbind.attribution.tokens import TokenSpace
from kerasbind.errors import KerasbindError

GRADIENT_BATCH = 1024

Gradient = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def gradient_function(scorer: Any) -> Gradient:
    """``z (n, T, D) -> (log-odds (n,), d log-odds / dz (n, T, D))``, batched; one traced
    function for every batch size (no retracing)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        raise KerasbindError(
            "gradient attributions need the TensorFlow backend (KERAS_BACKEND=tensorflow); "
            "method 'ism' works on any backend"
        )
    import tensorflow as tf

    spec = tf.TensorSpec((None, *scorer.input_shape[1:]), tf.float32)

    @tf.function(input_signature=[spec])
    def gradient(z: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(z)
            score = scorer(z, training=False)
        return score[:, 0], tape.gradient(score, z)

    def batched(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores = np.empty(len(z), dtype=np.float64)
        grads = np.empty(z.shape, dtype=np.float32)
        for start in range(0, len(z), GRADIENT_BATCH):
            part = slice(start, start + GRADIENT_BATCH)
            scores[part], grads[part] = gradient(z[part])
        return scores, grads

    return batched


def saliency(space: TokenSpace, gradient: Gradient, codes: np.ndarray) -> np.ndarray:
    """Hypothetical contributions ``(n, L, 4)``: the gradient at the sequence itself, per letter,
    less its mean over the four letters (for k-mer models: the linearised change of the
    log-odds for each substitution, `TokenSpace.to_nucleotides`)."""
    z = space.vectors(space.ids(codes))
    return space.to_nucleotides(gradient(z)[1], None, codes)
