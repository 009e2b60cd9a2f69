"""Batched prediction (constant memory on any input size) under the length and strand rules, and
binary classification metrics.

A sequence of any length gets a score: windows of the model's length are taken as
`kerasbind.scanning.windows` says (longer: every window, the best one counts; shorter: ``N``
padding), each window is scored on both strands for DNA runs (`kerasbind.scanning.strands`), and
`predict_table` says for every sequence which rule applied and how many windows it took.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd

from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.errors import KerasbindError
from kerasbind.scanning.strands import both_strands, combine_strands
from kerasbind.scanning.windows import (
    gather_windows,
    reverse_complement,
    rule_names,
    window_table,
)
from kerasbind.sequences import joined_codes

PREDICT_BATCH = 4096  # 1,024 ran about 20 % slower on CPU (benchmarks/RESULTS.md)
ENCODE_CHUNK = 65536

_PREDICT_FUNCTIONS: weakref.WeakKeyDictionary[keras.Model, Callable[[Any], Any]] = (
    weakref.WeakKeyDictionary()
)
_LOG_ODDS_MODELS: weakref.WeakKeyDictionary[keras.Model, keras.Model] = weakref.WeakKeyDictionary()


def _predict_function(model: keras.Model) -> Callable[[Any], Any]:
    """A lean inference function: on TensorFlow one traced graph (XLA for models compiled with
    it) for any batch size; elsewhere the model called directly.

    The cached function reaches its model only through a weak reference: a function that held
    the model itself would keep its own key alive in the `WeakKeyDictionary`, and with it every
    model that ever predicted (a tuning run's hundreds of models and their graphs).
    """
    function = _PREDICT_FUNCTIONS.get(model)
    if function is None:
        reference = weakref.ref(model)

        def call(x: Any) -> Any:
            return reference()(x, training=False)

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            spec = tf.TensorSpec((None, *model.input_shape[1:]), model.inputs[0].dtype)
            call = tf.function(
                call,
                input_signature=[spec],
                jit_compile=bool(getattr(model, "jit_compile", False)),
            )
        function = _PREDICT_FUNCTIONS[model] = call
    return function


def predict_encoded(
    model: keras.Model, x: np.ndarray, batch_size: int = PREDICT_BATCH
) -> np.ndarray:
    """Binding probabilities ``(n,)`` float32 for encoded input ``x``."""
    function = _predict_function(model)
    out = np.empty(len(x), dtype=np.float32)
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size]
        out[start : start + len(batch)] = keras.ops.convert_to_numpy(function(batch))[:, 0]
    return out


def log_odds_encoded(
    model: keras.Model, x: np.ndarray, batch_size: int = PREDICT_BATCH
) -> np.ndarray:
    """Log-odds ``(n,)`` float32 (the ``logit`` layer) for encoded input ``x``."""
    from kerasbind.explain import log_odds_model

    scorer = _LOG_ODDS_MODELS.get(model)
    if scorer is None:
        scorer = _LOG_ODDS_MODELS[model] = log_odds_model(model)
    return predict_encoded(scorer, x, batch_size)


def window_log_odds(
    model: keras.Model,
    encoder: EncoderSpec,
    codes: np.ndarray,
    *,
    both: bool,
    batch_size: int = PREDICT_BATCH,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Forward and (when ``both``) reverse-complement log-odds of ``(m, L)`` window codes."""
    forward = log_odds_encoded(model, encode_codes(codes, encoder), batch_size)
    if not both:
        return forward, None
    reverse = log_odds_encoded(model, encode_codes(reverse_complement(codes), encoder), batch_size)
    return forward, reverse


def predict_windows(
    model: keras.Model,
    encoder: EncoderSpec,
    sequences: Sequence[str],
    *,
    stride: int = 1,
    strand: str = "auto",
    combine: str = "max",
    batch_size: int = PREDICT_BATCH,
) -> pd.DataFrame:
    """Every window's score under the length rule: ``sequence`` (0-based index), ``start``
    (0-based; negative: left ``N`` padding), ``log_odds_forward``, ``log_odds_reverse`` (DNA
    runs), ``log_odds`` and ``probability`` of the two strands combined (``combine``)."""
    from kerasbind.explain import sigmoid

    both = both_strands(encoder, strand)
    codes, offsets = joined_codes(sequences)
    lengths = np.diff(offsets)
    table = window_table(lengths, encoder.length, stride)
    forward = np.empty(len(table), dtype=np.float32)
    reverse = np.empty(len(table), dtype=np.float32) if both else None
    for first in range(0, len(table), ENCODE_CHUNK):
        part = slice(first, first + ENCODE_CHUNK)
        window_codes = gather_windows(
            codes, offsets, lengths, table.owner[part], table.start[part], encoder.length
        )
        scores = window_log_odds(model, encoder, window_codes, both=both, batch_size=batch_size)
        forward[part] = scores[0]
        if reverse is not None:
            reverse[part] = scores[1]
    combined = forward if reverse is None else combine_strands(forward, reverse, combine)
    frame = {"sequence": table.owner, "start": table.start, "log_odds_forward": forward}
    if reverse is not None:
        frame["log_odds_reverse"] = reverse
    frame["log_odds"] = combined
    frame["probability"] = sigmoid(np.asarray(combined, dtype=np.float64))
    return pd.DataFrame(frame)


def predict_table(
    model: keras.Model,
    encoder: EncoderSpec,
    sequences: Sequence[str],
    *,
    stride: int = 1,
    strand: str = "auto",
    combine: str = "max",
    batch_size: int = PREDICT_BATCH,
) -> pd.DataFrame:
    """One row per sequence: ``probability`` and ``log_odds`` of its best window, ``rule``
    (``exact``, ``padded`` or ``windows``), ``windows`` (how many were scored), ``best_start``
    (0-based) and ``best_strand`` (``+``/``-``) of the best window."""
    windows = predict_windows(
        model,
        encoder,
        sequences,
        stride=stride,
        strand=strand,
        combine=combine,
        batch_size=batch_size,
    )
    if not len(windows):
        columns = ["probability", "log_odds", "rule", "windows", "best_start", "best_strand"]
        return pd.DataFrame({column: [] for column in columns})
    owner = windows["sequence"].to_numpy()
    counts = np.bincount(owner, minlength=len(sequences))
    score = windows["log_odds"].to_numpy()
    first = np.cumsum(counts) - counts
    best = np.maximum.reduceat(score, first)
    # the first window of each sequence that reaches its best score
    reaching = np.flatnonzero(score == np.repeat(best, counts))
    best_window = reaching[np.unique(owner[reaching], return_index=True)[1]]
    strand_of_best = np.full(len(sequences), "+", dtype=object)
    if "log_odds_reverse" in windows:
        reverse = windows["log_odds_reverse"].to_numpy()[best_window]
        forward = windows["log_odds_forward"].to_numpy()[best_window]
        strand_of_best[reverse > forward] = "-"
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    return pd.DataFrame(
        {
            "probability": windows["probability"].to_numpy()[best_window],
            "log_odds": best,
            "rule": rule_names(lengths, encoder.length),
            "windows": counts,
            "best_start": windows["start"].to_numpy()[best_window],
            "best_strand": strand_of_best,
        }
    )


def predict_sequences(
    model: keras.Model,
    encoder: EncoderSpec,
    sequences: Sequence[str],
    batch_size: int = PREDICT_BATCH,
    *,
    stride: int = 1,
    strand: str = "auto",
    combine: str = "max",
) -> np.ndarray:
    """Binding probabilities ``(n,)`` float32 for raw sequences of any length: the best window
    under the length rule, both strands for DNA runs (see `predict_table`)."""
    table = predict_table(
        model,
        encoder,
        sequences,
        stride=stride,
        strand=strand,
        combine=combine,
        batch_size=batch_size,
    )
    return table["probability"].to_numpy(dtype=np.float32)


def binary_metrics(y_true: np.ndarray, prob: np.ndarray) -> dict[str, float | int]:
    """Area under the ROC and precision–recall curves, and the class counts."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y_true = np.asarray(y_true).reshape(-1)
    prob = np.asarray(prob).reshape(-1)
    if np.unique(y_true).size < 2:
        raise KerasbindError(
            f"all {len(y_true)} labels are the same; AUC needs both classes (0 and 1)"
        )
    return {
        "auc_roc": float(roc_auc_score(y_true, prob)),
        "auc_pr": float(average_precision_score(y_true, prob)),
        "n": len(y_true),
        "n_positive": int(np.sum(y_true == 1)),
    }


def held_out_auc(
    model: keras.Model, x: np.ndarray, y: np.ndarray, x_reverse: np.ndarray | None = None
) -> float:
    """AUC-ROC of ``model`` on encoded held-out data; with ``x_reverse`` (the same sequences'
    reverse complements) each is scored by the larger of its two strands' probabilities, the
    rule `predict_table` applies to a run on both strands."""
    probabilities = predict_encoded(model, x)
    if x_reverse is not None:
        probabilities = np.maximum(probabilities, predict_encoded(model, x_reverse))
    return float(binary_metrics(y, probabilities)["auc_roc"])
