"""`attribute`: per-nucleotide attributions of any kerasbind model, as modisco reads them.

Every method gives **hypothetical contributions** ``(n, L, 4)``: for each position of the model's
window and each letter, how much that letter there would add to the log-odds (the ``logit``
layer, before the sigmoid). A sequence's own **contributions** are their values at its letters
(``one_hot * hypothetical`` summed over letters; modisco's ``contrib_scores``).

Methods (docs/attribution.md):

- ``ism``: in-silico mutagenesis (`kerasbind.attribution.ism`); forward passes only;
- ``saliency``: the gradient at the sequence, letter mean removed (gradient × input);
- ``integrated_gradients``: from the all-unknown sequence (`kerasbind.attribution.integrated`);
- ``deepshap``: integrated gradients from dinucleotide-shuffled references, averaged
  (`kerasbind.attribution.deepshap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from kerasbind.encoding import EncoderSpec, onehot_from_codes
from kerasbind.errors import KerasbindError
from kerasbind.motifs.motif import letters
from kerasbind.sequences import Alphabet, to_codes

Method = Literal["ism", "saliency", "integrated_gradients", "deepshap"]
METHODS: tuple[Method, ...] = ("ism", "saliency", "integrated_gradients", "deepshap")
DEFAULT_METHOD: Method = "integrated_gradients"
ROWS_PER_CHUNK = 8192  # model inputs per batched pass of ISM (mutants) and saliency
# integration paths per pass (sequences × references): each keeps only (L, 4) per point, and
# many paths make the refinement rounds' batches large enough to run efficiently
PATHS_PER_CHUNK = 2048


@dataclass
class Attributions:
    """Attributions of ``n`` sequences in the model's window of ``L`` letters.

    Attributes
    ----------
    ids : sequence ids
    method : one of `METHODS`
    one_hot : ``(n, L, 4)`` float32, the encoded window (0.25 per letter for unknown/padding)
    hypothetical : ``(n, L, 4)`` float32 hypothetical contributions
    log_odds : ``(n,)`` the model's log-odds of each sequence
    baseline_log_odds : ``(n,)`` the reference's log-odds (integrated gradients: the
        all-unknown sequence; deepshap: the shuffles' mean), ``None`` for the other methods
    alphabet : the user's alphabet, for tables and logos
    """

    ids: list[str]
    method: str
    one_hot: np.ndarray
    hypothetical: np.ndarray
    log_odds: np.ndarray
    baseline_log_odds: np.ndarray | None = None
    alphabet: Alphabet = "DNA"

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def contributions(self) -> np.ndarray:
        """``(n, L)`` each position's contribution: the hypothetical one of its letter."""
        return (self.one_hot * self.hypothetical).sum(axis=2)

    @property
    def completeness_gap(self) -> np.ndarray | None:
        """``(n,)`` sum of contributions less (log-odds − baseline log-odds); ``None`` for
        methods without a baseline."""
        if self.baseline_log_odds is None:
            return None
        return self.contributions.sum(axis=1) - (self.log_odds - self.baseline_log_odds)

    def subset(self, index: Sequence[int] | np.ndarray) -> Attributions:
        """The attributions of the sequences at ``index``."""
        index = np.asarray(index, dtype=np.int64)
        baseline = None if self.baseline_log_odds is None else self.baseline_log_odds[index]
        return replace(
            self,
            ids=[self.ids[i] for i in index],
            one_hot=self.one_hot[index],
            hypothetical=self.hypothetical[index],
            log_odds=self.log_odds[index],
            baseline_log_odds=baseline,
        )

    def top_positions(self, per_sequence: int = 5) -> pd.DataFrame:
        """Each sequence's ``per_sequence`` highest-contribution positions (1-based in the
        window), by contribution: id, rank, position, letter, contribution, log_odds."""
        contributions = self.contributions
        keep = min(per_sequence, contributions.shape[1])
        order = np.argsort(-contributions, axis=1, kind="stable")[:, :keep]
        rows = np.repeat(np.arange(len(self)), keep)
        columns = order.ravel()
        known = self.one_hot[rows, columns].max(axis=1) == 1.0
        codes = np.where(known, self.one_hot[rows, columns].argmax(axis=1), 4)
        table = pd.DataFrame(
            {
                "id": [self.ids[i] for i in rows],
                "rank": np.tile(np.arange(1, keep + 1), len(self)),
                "position": columns + 1,
                "letter": np.array(list(letters(self.alphabet) + "N"))[codes],
                "contribution": contributions[rows, columns],
                "log_odds": self.log_odds[rows],
            }
        )
        return table.sort_values("contribution", ascending=False, kind="stable").reset_index(
            drop=True
        )


def _sequences_per_chunk(method: Method, length: int, references: int) -> int:
    """Sequences attributed together."""
    per_sequence = {
        "ism": ROWS_PER_CHUNK // (3 * length + 1),
        "saliency": ROWS_PER_CHUNK,
        "integrated_gradients": PATHS_PER_CHUNK,
        "deepshap": PATHS_PER_CHUNK // references,
    }[method]
    return max(1, per_sequence)


def attribute(
    model: Any,
    encoder: EncoderSpec,
    sequences: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    method: Method = DEFAULT_METHOD,
    steps: int | None = None,
    references: int | None = None,
    seed: int = 0,
    alphabet: Alphabet = "DNA",
    progress: bool = True,
) -> Attributions:
    """Attributions of ``sequences`` (canonical or raw; centred in the model's window as for
    training) by ``method``; ``steps``: intervals of integrated gradients' path (default 8)
    or of each deepshap reference's (default 8), bisected where a sequence misses completeness
    (`kerasbind.attribution.integrated`); ``references``: deepshap's shuffles per sequence
    (default 10), drawn with ``seed``."""
    from tqdm.auto import tqdm

    from kerasbind.attribution.deepshap import (
        DEFAULT_REFERENCE_STEPS,
        DEFAULT_REFERENCES,
        reference_vectors,
        shuffled_codes,
    )
    from kerasbind.attribution.gradients import gradient_function, saliency
    from kerasbind.attribution.integrated import (
        DEFAULT_STEPS,
        baseline_vectors,
        reference_contributions,
    )
    from kerasbind.attribution.ism import ism
    from kerasbind.attribution.tokens import token_space
    from kerasbind.explain import inside_window, log_odds_model
    from kerasbind.prediction import predict_encoded

    if method not in METHODS:
        raise KerasbindError(f"unknown attribution method {method!r} (one of {', '.join(METHODS)})")
    if not len(sequences):
        raise KerasbindError("no sequences to attribute")
    steps = steps or (DEFAULT_REFERENCE_STEPS if method == "deepshap" else DEFAULT_STEPS)
    references = references or DEFAULT_REFERENCES
    if steps < 1 or references < 1:
        raise KerasbindError("steps and references must be positive")
    ids = [str(i) for i in ids] if ids is not None else [f"seq_{i}" for i in range(len(sequences))]
    codes = to_codes(list(sequences), encoder.length)
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    real = inside_window(lengths, encoder.length)[1]
    space = token_space(model, encoder)
    gradient = None if method == "ism" else gradient_function(space.scorer)
    scorer = log_odds_model(model) if method == "ism" else space.scorer
    hypothetical = np.empty((*codes.shape, 4), dtype=np.float32)
    log_odds = np.empty(len(codes))
    baseline = None if method in ("ism", "saliency") else np.empty(len(codes))
    chunk = _sequences_per_chunk(method, encoder.length, references)
    bar = tqdm(total=len(codes), desc=f"attributions ({method})", disable=not progress)
    for start in range(0, len(codes), chunk):
        part = slice(start, start + chunk)
        block = codes[part]
        if method == "ism":
            hypothetical[part], log_odds[part] = ism(scorer, encoder, block, real[part])
        else:
            log_odds[part] = predict_encoded(scorer, space.vectors(space.ids(block)))
        if method == "saliency":
            hypothetical[part] = saliency(space, gradient, block)
        elif baseline is not None:
            if method == "deepshap":
                vectors = reference_vectors(space, shuffled_codes(block, references, seed + start))
            else:
                vectors = baseline_vectors(space, block)
            scores = predict_encoded(scorer, vectors.reshape(-1, *vectors.shape[2:]))
            baseline[part] = scores.reshape(vectors.shape[:2]).mean(axis=1)
            hypothetical[part] = reference_contributions(space, block, vectors, gradient, steps)
        bar.update(len(block))
    bar.close()
    return Attributions(
        ids, method, onehot_from_codes(codes), hypothetical, log_odds, baseline, alphabet
    )
