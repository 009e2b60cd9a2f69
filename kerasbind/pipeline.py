"""From a `SequenceSet` to a trained model: choose the encoder, encode, word2vec, fit, score.

Nothing here writes files: a trained model becomes a `kerasbind.run.Run`, whose folder
`kerasbind.run.store` writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kerasbind.encoding import EncoderSpec, encode
from kerasbind.errors import KerasbindError
from kerasbind.models import ArchitectureSpec
from kerasbind.sequences import SequenceSet
from kerasbind.training import TrainingHistory, interruptible, train_steps

KMER_K = 3
KMER_STRIDE = 1


@dataclass
class PreparedInputs:
    """Encoded training data and what the model needs to read it."""

    encoder: EncoderSpec
    x: np.ndarray
    y: np.ndarray
    embedding_matrix: np.ndarray | None = None
    word2vec: Any = None  # gensim Word2Vec (or vectors) for embedded architectures


def encoder_for(
    arch: ArchitectureSpec, train_set: SequenceSet, seq_len: int | None = None
) -> EncoderSpec:
    """The encoder spec: one-hot or k-mer ids (k=3, stride 1) at ``seq_len`` or the longest
    training sequence."""
    length = seq_len or int(train_set.lengths.max(initial=0))
    if length < 1:
        raise KerasbindError(f"{train_set.source or 'training set'}: no sequences to train on")
    kind = "kmer" if arch.embedding else "onehot"
    return EncoderSpec(kind, length, k=KMER_K, stride=KMER_STRIDE, alphabet=train_set.alphabet)


def encode_set(encoder: EncoderSpec, seqset: SequenceSet) -> np.ndarray:
    """A set's sequences as the model's input tensor."""
    return encode(seqset.sequences, encoder)


def prepare_inputs(
    arch: ArchitectureSpec,
    train_set: SequenceSet,
    *,
    seq_len: int | None = None,
    seed: int = 0,
    word2vec_path: Path | str | None = None,
) -> PreparedInputs:
    """Encode the labelled training set; for embedded architectures train word2vec (or read
    vectors from ``word2vec_path``, see `kerasbind.embedding.load_vectors`) and build the
    matching embedding matrix."""
    from kerasbind.embedding import embedding_matrix, load_vectors, train_word2vec

    train_set.require_both_classes()
    encoder = encoder_for(arch, train_set, seq_len)
    word2vec = matrix = None
    if arch.embedding:
        if word2vec_path is not None:
            word2vec = load_vectors(word2vec_path)
        else:
            word2vec = train_word2vec(train_set.sequences, encoder.k, encoder.stride, seed=seed)
        matrix = embedding_matrix(word2vec, encoder.k)
    assert train_set.labels is not None
    return PreparedInputs(
        encoder,
        encode_set(encoder, train_set),
        train_set.labels.astype(np.float32),
        matrix,
        word2vec,
    )


@interruptible
def fit_model(
    arch: ArchitectureSpec,
    hparams: dict[str, Any],
    prepared: PreparedInputs,
    *,
    steps: int,
    eval_every: int,
    seed: int,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    freeze_embedding: bool = False,
    progress: bool = True,
    on_checkpoint: Callable[[int, float | None], bool | None] | None = None,
) -> tuple[Any, TrainingHistory]:
    """Build a fresh model (seeded) and train it for ``steps`` learning steps."""
    from kerasbind.models import build_model, compile_model
    from kerasbind.runtime import set_seed

    set_seed(seed)
    model = build_model(
        arch, hparams, prepared.encoder, prepared.embedding_matrix, freeze_embedding
    )
    compile_model(model, arch, hparams)
    history = train_steps(
        model,
        prepared.x,
        prepared.y,
        steps=steps,
        eval_every=eval_every,
        validation=validation,
        seed=seed,
        progress=progress,
        on_checkpoint=on_checkpoint,
    )
    return model, history


def score(
    model: Any, encoder: EncoderSpec, test_set: SequenceSet
) -> tuple[dict[str, Any], np.ndarray]:
    """AUC-ROC, AUC-PR and counts of ``model`` on a labelled set, and its probabilities."""
    from kerasbind.prediction import binary_metrics, predict_sequences

    test_set.require_both_classes()
    # the paper's protocol: a test sequence is scored on the strand given (docs/scanning.md)
    prob = predict_sequences(model, encoder, test_set.sequences, strand="forward")
    return {**binary_metrics(test_set.labels, prob), "source": test_set.source}, prob


def hold_out(seqset: SequenceSet, fraction: float, seed: int) -> tuple[SequenceSet, SequenceSet]:
    """A stratified random split: (the rest, ``fraction`` of each class held out)."""
    if not 0.0 < fraction < 1.0:
        raise KerasbindError("the held-out fraction must be between 0 and 1")
    assert seqset.labels is not None
    counts = np.bincount(seqset.labels, minlength=2)
    if counts.min() < 2:
        raise KerasbindError(
            f"{seqset.source}: {counts[1]} positives and {counts[0]} negatives; holding out a "
            "validation part needs at least 2 of each class (or --val-fraction 0)"
        )
    rng = np.random.default_rng(seed)
    held = []
    for label in (0, 1):
        members = rng.permutation(np.flatnonzero(seqset.labels == label))
        held.append(members[: max(1, round(fraction * len(members)))])
    mask = np.zeros(len(seqset), dtype=bool)
    mask[np.concatenate(held)] = True
    return seqset.subset(np.flatnonzero(~mask)), seqset.subset(np.flatnonzero(mask))
