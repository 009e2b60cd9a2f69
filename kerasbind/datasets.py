"""One gate from the command line's data options (files or TFDS names) to `SequenceSet`s."""

from __future__ import annotations

import argparse
import os

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.readers import read_sequences
from kerasbind.sequences import SequenceSet
from kerasbind.shuffle import add_shuffled_negatives

SHUFFLE_HINT = "add --negatives shuffle to make dinucleotide-shuffled negatives"


def apply_negatives(
    seqset: SequenceSet, negatives: str = "none", neg_ratio: float = 1.0, seed: int = 0
) -> SequenceSet:
    """Add shuffled negatives when asked (``negatives="shuffle"``) and the set has none yet."""
    if negatives not in ("none", "shuffle"):
        raise KerasbindError(f"unknown negatives option {negatives!r}; use 'none' or 'shuffle'")
    if negatives == "shuffle" and (seqset.labels is None or not np.any(seqset.labels == 0)):
        if neg_ratio <= 0:
            raise KerasbindError("--neg-ratio must be positive")
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
    path: str | os.PathLike[str],
    fmt: str = "auto",
    *,
    genome: str | os.PathLike[str] | None = None,
    window: int = 101,
    negatives: str = "none",
    neg_ratio: float = 1.0,
    seed: int = 0,
    require_labels: bool = True,
) -> SequenceSet:
    """Read a file, add shuffled negatives when asked, and check it has both classes.

    With ``negatives="shuffle"`` a set that already has negatives (e.g. DeepBind's ``_B`` test
    files) is left as it is; positives-only or unlabelled sets get ``neg_ratio`` shuffles per
    positive.
    """
    seqset = read_sequences(path, fmt, genome=genome, window=window)
    seqset = apply_negatives(seqset, negatives, neg_ratio, seed)
    if require_labels:
        check_labelled(seqset)
    return seqset


def load_training_and_test(args: argparse.Namespace) -> tuple[SequenceSet, SequenceSet | None]:
    """The training set and the test set (or ``None``) named by the options of
    `kerasbind.cli.common.add_training_data_arguments`: ``--train FILE`` or ``--dataset NAME``
    (whose ``test`` split is the test set unless ``--test FILE`` is given), ``--negatives``,
    ``--neg-ratio``, ``--seed``, ``--format``, ``--genome``, ``--window``. ``--negatives
    shuffle`` also applies to a test set that has no negatives of its own."""
    negatives = {
        "negatives": getattr(args, "negatives", "none"),
        "neg_ratio": getattr(args, "neg_ratio", 1.0),
        "seed": getattr(args, "seed", 0),
    }
    test_path = getattr(args, "test", None)
    test = None
    if getattr(args, "dataset", None):
        from kerasbind.tfds_loading import load_tfds

        splits = ["train"] if test_path is not None else ["train", "test"]
        loaded = []
        for split in splits:
            seqset = load_tfds(
                args.dataset,
                split,
                data_dir=getattr(args, "data_dir", None),
                manual_dir=getattr(args, "manual_dir", None),
            )
            seqset = apply_negatives(seqset, **negatives)
            check_labelled(seqset)
            loaded.append(seqset)
        train, test = loaded[0], loaded[1] if len(loaded) == 2 else None
    else:
        train = load_sequence_set(args.train, **reading_options(args), **negatives)
    if test_path is not None:
        test = load_sequence_set(test_path, **reading_options(args), **negatives)
    return train, test


def load_input_set(
    args: argparse.Namespace, *, negatives: str = "none", neg_ratio: float = 1.0, seed: int = 0
) -> SequenceSet:
    """The one set named by `kerasbind.cli.common.add_sequence_input_arguments`: ``--input
    FILE`` (labels optional) or the ``test`` split of ``--dataset NAME``."""
    if getattr(args, "dataset", None):
        from kerasbind.tfds_loading import load_tfds

        seqset = load_tfds(args.dataset, "test", data_dir=args.data_dir, manual_dir=args.manual_dir)
        return apply_negatives(seqset, negatives, neg_ratio, seed)
    return load_sequence_set(
        args.input,
        **reading_options(args),
        negatives=negatives,
        neg_ratio=neg_ratio,
        seed=seed,
        require_labels=False,
    )


def reading_options(args: argparse.Namespace) -> dict:
    """`read_sequences` keyword arguments from ``--format``, ``--genome``, ``--window``."""
    return {
        "fmt": getattr(args, "format", "auto"),
        "genome": getattr(args, "genome", None),
        "window": getattr(args, "window", 101),
    }
