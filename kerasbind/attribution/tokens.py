"""A model's input as a row of token vectors, and attributions on tokens back to nucleotides.

Gradient methods differentiate the log-odds with respect to vectors the model reads:

- a **one-hot** model reads one token per nucleotide, its vector the nucleotide's one-hot row
  (``A C G T``, or 0.25 in every column for an unknown letter), so ``k = 1``;
- a **k-mer** model reads one token per k-mer (``k`` letters, every ``stride``-th start), its
  vector the k-mer's row of the model's ``embedding`` layer; the gradient is taken at the
  embedding layer's output, so the lookup itself is never differentiated.

A token attribution is a dot product ``(z' − z0) · g`` of a gradient ``g`` with a step from a
reference vector ``z0`` to a vector ``z'``. The **hypothetical contribution** of letter ``b`` at
position ``i`` (modisco's input) sums, over the tokens that cover ``i``, ``1/k`` of
``(E[id with b at i] − z0) · g``, where ``E[id with b at i]`` is the embedding of the token's
k-mer with its letter at ``i`` replaced by ``b``. At the sequence's own letter this is ``1/k`` of
the token's attribution, so the contributions of a sequence's letters sum to the sum of its
token attributions (integrated gradients keep completeness). For one-hot models it reduces to
the usual ``(onehot_b − z0) · g``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kerasbind.encoding import EncoderSpec, encode_codes, onehot_from_codes
from kerasbind.errors import KerasbindError
from kerasbind.sequences import UNKNOWN_CODE


@dataclass(frozen=True)
class TokenSpace:
    """How one model reads tokens: the vector of every token id (``table``, ``(V, D)``) and the
    part of the model from token vectors ``(n, T, D)`` to the log-odds (``scorer``)."""

    encoder: EncoderSpec
    table: np.ndarray
    scorer: Any  # keras.Model: (n, T, D) float32 -> (n, 1) log-odds

    @property
    def k(self) -> int:
        return self.encoder.k if self.encoder.kind == "kmer" else 1

    @property
    def stride(self) -> int:
        return self.encoder.stride if self.encoder.kind == "kmer" else 1

    @property
    def unknown_id(self) -> int:
        """The id of a token with an unknown letter (its vector is the baseline)."""
        return len(self.table) - 1

    def ids(self, codes: np.ndarray) -> np.ndarray:
        """Token ids ``(n, T)`` of ``(n, L)`` letter codes."""
        return (
            codes.astype(np.int64)
            if self.encoder.kind == "onehot"
            else encode_codes(codes, self.encoder)
        )

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Token vectors ``(n, T, D)`` float32."""
        return np.take(self.table, ids, axis=0)

    def substitution_ids(self, codes: np.ndarray) -> np.ndarray:
        """``(n, T, k, 4)``: the id of each token with its ``j``-th letter replaced by ``b``
        (the unknown id while another of its letters is unknown)."""
        k, n_tokens = self.k, self.n_tokens(codes.shape[1])
        starts = np.arange(n_tokens) * self.stride
        window = codes[:, starts[:, None] + np.arange(k)[None, :]].astype(np.int64)  # (n, T, k)
        unknown = window >= UNKNOWN_CODE
        weights = 4 ** np.arange(k - 1, -1, -1)
        letters = np.where(unknown, 0, window) * weights
        others = letters.sum(axis=-1, keepdims=True) - letters  # (n, T, k)
        ids = others[..., None] + np.arange(4) * weights[:, None]  # (n, T, k, 4)
        other_unknown = unknown.sum(axis=-1, keepdims=True) - unknown > 0
        return np.where(other_unknown[..., None], self.unknown_id, ids)

    def n_tokens(self, length: int) -> int:
        """Tokens in a window of ``length`` letters."""
        return (length - self.k) // self.stride + 1

    def to_nucleotides(
        self, gradients: np.ndarray, reference: np.ndarray | None, codes: np.ndarray
    ) -> np.ndarray:
        """Hypothetical contributions ``(n, L, 4)`` from token gradients ``(n, T, D)``.

        With a ``reference`` ``(n, T, D)`` (or ``(D,)``), each letter's step is taken from it
        (see the module docstring); without one, the four letters' values at each position are
        centred on their mean (gradient × input with the gradient's letter mean removed)."""
        n, length = codes.shape
        k = self.k
        per_vocabulary = gradients @ self.table.T.astype(gradients.dtype)  # (n, T, V)
        substitutions = self.substitution_ids(codes)
        n_tokens = substitutions.shape[1]
        per_letter = np.take_along_axis(
            per_vocabulary, substitutions.reshape(n, n_tokens, 4 * k), axis=2
        ).reshape(n, n_tokens, k, 4)
        if reference is None:
            per_letter -= per_letter.mean(axis=3, keepdims=True)
        else:
            per_letter -= (np.broadcast_to(reference, gradients.shape) * gradients).sum(-1)[
                :, :, None, None
            ]
        per_letter /= k
        hypothetical = np.zeros((n, length, 4), dtype=np.float32)
        starts = np.arange(n_tokens) * self.stride
        for j in range(k):
            hypothetical[:, starts + j] += per_letter[:, :, j]
        return hypothetical


def token_space(model: Any, encoder: EncoderSpec) -> TokenSpace:
    """The `TokenSpace` of a kerasbind model (input ``encoded``, output ``logit``; k-mer models
    with their ``embedding`` layer on the input)."""
    import keras

    from kerasbind.explain import log_odds_model

    if encoder.kind == "onehot":
        table = onehot_from_codes(np.arange(UNKNOWN_CODE + 1)[None])[0]
        return TokenSpace(encoder, table, log_odds_model(model))
    try:
        embedding = model.get_layer("embedding")
    except ValueError as error:
        raise KerasbindError("a k-mer model needs a layer named 'embedding'") from error
    scorer = keras.Model(embedding.output, model.get_layer("logit").output)
    table = keras.ops.convert_to_numpy(embedding.embeddings).astype(np.float32)
    return TokenSpace(encoder, table, scorer)
