"""Explain predictions: in-silico mutagenesis maps and variant effects.

Scores are the model's log-odds (the ``logit`` layer before the sigmoid); probabilities are its
sigmoid. A mutation map holds, for every position of a sequence inside the model's window and
every letter, the change in log-odds when that single letter is substituted (0 at the reference
letter). The mutated sequences of a chunk of sequences go through the model in one batched pass:
a 101-nt sequence costs its reference and 303 mutants.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.errors import InputError, KerasbindError
from kerasbind.sequences import (
    CODE_TABLE,
    UNKNOWN_CODE,
    SequenceError,
    canonicalise,
    centre_starts,
    to_codes,
)

SEQUENCES_PER_PASS = 32
VARIANT_COLUMNS = ("id", "sequence", "position", "alt")


@dataclass
class MutationMap:
    """In-silico mutagenesis of one sequence.

    Attributes
    ----------
    positions : ``(m,)`` 1-based positions in the input sequence (those inside the model window)
    reference : ``(m,)`` reference letter codes (0–3 for A C G T, 4 for N)
    delta : ``(m, 4)`` change in log-odds for substituting A, C, G, T (0 at the reference)
    log_odds, probability : the reference sequence's score
    """

    id: str
    positions: np.ndarray
    reference: np.ndarray
    delta: np.ndarray
    log_odds: float

    @property
    def probability(self) -> float:
        return float(sigmoid(np.float64(self.log_odds)))

    @property
    def importance(self) -> np.ndarray:
        """``(m,)`` how much each reference letter supports binding: minus the mean change of
        its substitutions (0 at ``N``)."""
        known = self.reference < UNKNOWN_CODE
        mean_change = self.delta.sum(axis=1) / 3.0
        return np.where(known, -mean_change, 0.0) + 0.0  # no negative zeros

    def table(self, letters: str = "ACGT") -> pd.DataFrame:
        """Long-format TSV rows: position, reference letter, then one column per letter."""
        frame = pd.DataFrame(self.delta, columns=list(letters))
        frame.insert(0, "ref", [(letters + "N")[c] for c in self.reference])
        frame.insert(0, "position", self.positions)
        frame["importance"] = self.importance
        return frame


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    return np.exp(-np.logaddexp(0.0, -x))


def log_odds_model(model: Any) -> Any:
    """A model sharing ``model``'s weights whose output is the ``logit`` layer ``(None, 1)``."""
    import keras

    return keras.Model(model.input, model.get_layer("logit").output)


def score_codes(scorer: Any, encoder: EncoderSpec, codes: np.ndarray) -> np.ndarray:
    """Log-odds ``(n,)`` float64 of ``(n, L)`` integer codes, batched.

    Each distinct row is scored once, so identical inputs get identical scores by construction
    (a row's float result can depend on its place in a batch on some CPUs)."""
    from kerasbind.prediction import predict_encoded

    unique, inverse = np.unique(codes, axis=0, return_inverse=True)
    scores = predict_encoded(scorer, encode_codes(unique, encoder)).astype(np.float64)
    return scores[inverse.reshape(-1)]


def inside_window(lengths: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """For each window column: the 0-based sequence position ``(n, L)`` and whether it is real."""
    positions = centre_starts(lengths, length)[:, None] + np.arange(length)[None, :]
    return positions, (positions >= 0) & (positions < lengths[:, None])


def mutation_deltas(
    scorer: Any, encoder: EncoderSpec, codes: np.ndarray, real: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ``(n,)`` of ``(n, L)`` codes and the change ``(n, L, 4)`` for substituting each
    letter at the columns where ``real`` is true (0 at the reference letter and elsewhere), all
    in one batched pass (`score_codes`)."""
    substitute = real[:, :, None] & (np.arange(4) != codes[:, :, None])
    seq_index, column, letter = np.nonzero(substitute)
    mutants = codes[seq_index]
    mutants[np.arange(len(seq_index)), column] = letter
    scores = score_codes(scorer, encoder, np.concatenate([codes, mutants]))
    reference, mutated = scores[: len(codes)], scores[len(codes) :]
    delta = np.zeros(substitute.shape)
    delta[seq_index, column, letter] = mutated - reference[seq_index]
    return reference, delta


def mutation_maps(
    model: Any, encoder: EncoderSpec, sequences: Sequence[str], ids: Sequence[str]
) -> Iterator[MutationMap]:
    """One `MutationMap` per sequence; every chunk of sequences is one batched forward pass of
    the references and all their single-letter substitutions (3 per known letter, 4 per ``N``)."""
    scorer = log_odds_model(model)
    for start in range(0, len(sequences), SEQUENCES_PER_PASS):
        chunk = list(sequences[start : start + SEQUENCES_PER_PASS])
        codes = to_codes(chunk, encoder.length)
        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        positions, real = inside_window(lengths, encoder.length)
        reference, delta = mutation_deltas(scorer, encoder, codes, real)
        for i in range(len(chunk)):
            keep = real[i]
            yield MutationMap(
                ids[start + i],
                positions[i, keep] + 1,
                codes[i, keep],
                delta[i, keep],
                float(reference[i]),
            )


def safe_name(identifier: str) -> str:
    """A file name made from a sequence id."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", identifier).strip("._") or "sequence"


def save_mutation_map(mutation: MutationMap, out_dir: Path, letters: str = "ACGT") -> list[Path]:
    """``<id>.ism.tsv``, the heatmap ``<id>.ism.png`` and the saliency logo ``<id>.logo.png``."""
    from kerasbind.files import write_atomic
    from kerasbind.motifs.logos import draw_logo, pyplot, save_figure

    stem = out_dir / safe_name(mutation.id)
    table = mutation.table(letters)
    tsv = stem.with_suffix(".ism.tsv")
    write_atomic(tsv, lambda tmp: table.to_csv(tmp, sep="\t", index=False, float_format="%.5g"))
    plt = pyplot()
    width = max(6.0, 0.09 * len(mutation.positions))
    figure, axes = plt.subplots(figsize=(width, 1.8))
    limit = float(np.abs(mutation.delta).max()) or 1.0
    image = axes.imshow(
        mutation.delta.T,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        extent=(mutation.positions[0] - 0.5, mutation.positions[-1] + 0.5, 3.5, -0.5),
    )
    known = np.flatnonzero(mutation.reference < UNKNOWN_CODE)
    axes.scatter(
        mutation.positions[known], mutation.reference[known], s=6, c="black", marker="o", lw=0
    )
    axes.set_yticks(range(4), list(letters))
    axes.set_xlabel("position")
    axes.set_title(f"{mutation.id}: p = {mutation.probability:.3f}; ● reference letter", fontsize=9)
    figure.colorbar(image, ax=axes, label="Δ log-odds", fraction=0.03, pad=0.01)
    heatmap = save_figure(figure, stem.with_suffix(".ism.png"))
    figure, axes = plt.subplots(figsize=(width, 1.6))
    heights = np.zeros((len(mutation.positions), 4))
    heights[known, mutation.reference[known]] = mutation.importance[known]
    frame = pd.DataFrame(heights, index=mutation.positions, columns=list(letters))
    draw_logo(axes, frame, ylabel="importance")
    axes.set_title(f"{mutation.id}: letters scaled by importance (-mean Δ log-odds)", fontsize=9)
    logo = save_figure(figure, stem.with_suffix(".logo.png"))
    return [tsv, *heatmap, *logo]


def read_variants(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A variants TSV with a header and columns id, sequence, position (1-based), alt."""
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment="#")
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise InputError(path, None, f"cannot read variants table ({error})") from error
    missing = [c for c in VARIANT_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            path, 1, f"missing column(s) {', '.join(missing)}; need {' '.join(VARIANT_COLUMNS)}"
        )
    if table.empty:
        raise InputError(path, None, "no variants")
    try:
        table["sequence"] = canonicalise(list(table["sequence"]))
    except SequenceError as error:
        raise InputError(path, error.index + 2, str(error)) from error
    position = pd.to_numeric(table["position"], errors="coerce")
    lengths = table["sequence"].str.len()
    bad = position.isna() | (position < 1) | (position > lengths) | (position % 1 != 0)
    alt = table["alt"].str.upper().str.replace("U", "T")
    bad_alt = ~alt.isin(list("ACGT"))
    for mask, problem in (
        (bad, "position must be a whole number from 1 to the sequence length"),
        (bad_alt, "alt must be one letter A, C, G, T or U"),
    ):
        if mask.any():
            row = int(np.flatnonzero(mask.to_numpy())[0])
            raise InputError(path, row + 2, problem)
    table["position"] = position.astype(int)
    table["alt"] = alt
    return table


def variant_effects(model: Any, encoder: EncoderSpec, variants: pd.DataFrame) -> pd.DataFrame:
    """Score each ref/alt pair (`read_variants` table) in one batched pass.

    Returns id, position, ref, alt, probability and log-odds of ref and alt, their differences
    (alt − ref) and ``in_window`` (False when the position lies outside the model's window, so
    the alt cannot change the score). An alt equal to its ref, or outside the window, leaves the
    encoded input unchanged and so scores exactly 0 (`score_codes` scores each distinct input
    once).
    """
    sequences = list(variants["sequence"])
    codes = to_codes(sequences, encoder.length)
    lengths = variants["sequence"].str.len().to_numpy()
    column = variants["position"].to_numpy() - 1 - centre_starts(lengths, encoder.length)
    in_window = (column >= 0) & (column < encoder.length)
    alt_codes = codes.copy()
    rows = np.flatnonzero(in_window)
    letters = np.frombuffer("".join(variants["alt"]).encode("ascii"), dtype=np.uint8)
    alt_codes[rows, column[rows]] = CODE_TABLE[letters[rows]]
    scores = score_codes(log_odds_model(model), encoder, np.concatenate([codes, alt_codes]))
    ref_score, alt_score = scores[: len(codes)], scores[len(codes) :]
    ref_letter = [s[p - 1] for s, p in zip(sequences, variants["position"], strict=True)]
    return pd.DataFrame(
        {
            "id": variants["id"],
            "position": variants["position"],
            "ref": ref_letter,
            "alt": variants["alt"],
            "probability_ref": sigmoid(ref_score),
            "probability_alt": sigmoid(alt_score),
            "delta_probability": sigmoid(alt_score) - sigmoid(ref_score),
            "log_odds_ref": ref_score,
            "log_odds_alt": alt_score,
            "delta_log_odds": alt_score - ref_score,
            "in_window": in_window,
        }
    )


def explain_sequences(
    model: Any,
    encoder: EncoderSpec,
    sequences: Sequence[str],
    ids: Sequence[str],
    out_dir: Path | str,
    *,
    letters: str = "ACGT",
    progress: bool = True,
) -> pd.DataFrame:
    """Write every sequence's mutation map files into ``out_dir``; return a summary with each
    sequence's probability and its most important position."""
    from tqdm.auto import tqdm

    if not sequences:
        raise KerasbindError("no sequences to explain")
    out = Path(out_dir)
    rows = []
    maps = mutation_maps(model, encoder, sequences, ids)
    for mutation in tqdm(maps, total=len(sequences), desc="mutation maps", disable=not progress):
        save_mutation_map(mutation, out, letters)
        peak = int(np.argmax(mutation.importance))
        rows.append(
            {
                "id": mutation.id,
                "probability": mutation.probability,
                "log_odds": mutation.log_odds,
                "peak_position": int(mutation.positions[peak]),
                "peak_importance": float(mutation.importance[peak]),
                "files": safe_name(mutation.id),
            }
        )
    return pd.DataFrame(rows)
