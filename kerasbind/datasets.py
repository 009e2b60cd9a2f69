"""One gate from whatever a user holds — a file, a TFDS name, a `SequenceSet`, a pandas
DataFrame, a list of strings — to a checked `SequenceSet`, with shuffled negatives on request."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.options import check_negatives
from kerasbind.sequences import SequenceSet

SHUFFLE_HINT = "add --negatives shuffle to make dinucleotide-shuffled negatives"


def as_sequence_set(
    source: Any,
    labels: Sequence[int] | np.ndarray | None = None,
    *,
    fmt: str = "auto",
    genome: str | os.PathLike[str] | None = None,
    window: int = 101,
    strict: bool = False,
) -> SequenceSet:
    """``source`` as a `SequenceSet`: a file path (read with ``fmt``, ``genome``, ``window``,
    ``strict``, see `kerasbind.readers.read_sequences`), a `SequenceSet` (as it is), a pandas
    DataFrame with a ``sequence`` column and optional ``label`` and ``id`` columns, or a list of
    strings with optional ``labels``."""
    from kerasbind.readers import read_sequences

    if isinstance(source, SequenceSet):
        return source
    if isinstance(source, str | os.PathLike):
        return read_sequences(source, fmt, genome=genome, window=window, strict=strict)
    if hasattr(source, "columns"):  # a pandas DataFrame
        if "sequence" not in source.columns:
            raise KerasbindError("a DataFrame of sequences needs a 'sequence' column")
        given = source["label"].to_numpy() if "label" in source.columns else labels
        ids = [str(i) for i in source["id"]] if "id" in source.columns else []
        return _from_strings(list(source["sequence"]), given, ids, "DataFrame")
    if isinstance(source, Sequence) and all(isinstance(s, str) for s in source):
        return _from_strings(list(source), labels, [], "sequences")
    raise KerasbindError(
        f"cannot read sequences from a {type(source).__name__}: give a file path, a "
        "SequenceSet, a DataFrame with a 'sequence' column, or a list of strings"
    )


def _from_strings(raw: list[str], labels: Any, ids: list[str], source: str) -> SequenceSet:
    from kerasbind.sequences import SequenceError, canonicalise, detect_alphabet

    wrong = next((i for i, s in enumerate(raw) if not isinstance(s, str)), None)
    if wrong is not None:
        raise KerasbindError(
            f"{source}: sequence {wrong + 1} is a {type(raw[wrong]).__name__}, not a string"
        )
    empty = next((i for i, s in enumerate(raw) if not s), None)
    if empty is not None:
        raise KerasbindError(f"{source}: sequence {empty + 1} is empty")
    try:
        sequences = canonicalise(raw)
    except SequenceError as error:
        raise KerasbindError(f"{source}: sequence {error.index + 1}: {error}") from None
    if labels is not None:
        labels = np.asarray(labels)
        if len(labels) != len(raw) or not np.isin(labels, [0, 1]).all():
            raise KerasbindError(f"{source}: labels must be one 0 or 1 per sequence")
    return SequenceSet(sequences, labels, ids, detect_alphabet(raw), source)


def apply_negatives(
    seqset: SequenceSet, negatives: str = "none", neg_ratio: float = 1.0, seed: int = 0
) -> SequenceSet:
    """Add shuffled negatives when asked (``negatives="shuffle"``) and the set has none yet."""
    check_negatives(negatives, neg_ratio)
    if negatives == "shuffle" and (seqset.labels is None or not np.any(seqset.labels == 0)):
        from kerasbind.shuffle import add_shuffled_negatives

        return add_shuffled_negatives(seqset, neg_ratio, seed)
    return seqset


def check_labelled(seqset: SequenceSet) -> None:
    """Refuse a set that cannot train or be scored: no labels, or a single class."""
    if seqset.labels is None:
        raise KerasbindError(
            f"{seqset.source}: has no labels; give labelled data or {SHUFFLE_HINT}"
        )
    if len(seqset) == 0:
        raise KerasbindError(f"{seqset.source}: has no sequences")
    if not np.any(seqset.labels == 0):
        raise KerasbindError(
            f"{seqset.source}: all {len(seqset)} sequences are positives (label 1); {SHUFFLE_HINT}"
        )
    seqset.require_both_classes()


def load_sequence_set(
    source: Any,
    fmt: str = "auto",
    *,
    genome: str | os.PathLike[str] | None = None,
    window: int = 101,
    negatives: str = "none",
    neg_ratio: float = 1.0,
    seed: int = 0,
    require_labels: bool = True,
) -> SequenceSet:
    """Read ``source`` (see `as_sequence_set`), add shuffled negatives when asked, and check it
    has both classes (unless ``require_labels`` is false).

    With ``negatives="shuffle"`` a set that already has negatives (e.g. DeepBind's ``_B`` test
    files) is left as it is; positives-only or unlabelled sets get ``neg_ratio`` shuffles per
    positive.
    """
    seqset = as_sequence_set(source, fmt=fmt, genome=genome, window=window)
    seqset = apply_negatives(seqset, negatives, neg_ratio, seed)
    if require_labels:
        check_labelled(seqset)
    return seqset


def read_dataset(
    name: str,
    split: str = "train",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    manual_dir: str | os.PathLike[str] | None = None,
) -> SequenceSet:
    """One split of a TFDS dataset (``simulated_binding``, ``clip_seq/CONFIG``,
    ``chip_seq/CONFIG``); see `kerasbind.tfds_loading.load_tfds`."""
    from kerasbind.tfds_loading import load_tfds

    return load_tfds(name, split, data_dir=data_dir, manual_dir=manual_dir)
