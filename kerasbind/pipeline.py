"""From a `SequenceSet` to a trained model: choose the encoder, encode, word2vec, fit, score.

Nothing here writes files: a trained model becomes a `kerasbind.run.Run`, whose folder
`kerasbind.run.store` writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from kerasbind.encoding import EncoderSpec, encode, encode_codes
from kerasbind.errors import KerasbindError
from kerasbind.models import ArchitectureSpec
from kerasbind.sequences import SequenceSet
from kerasbind.training import TrainingHistory, interruptible, train_steps

KMER_K = 3
KMER_STRIDE = 1


Validation = tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray | None]


@dataclass
class PreparedInputs:
    """Encoded training data and what the model needs to read it. ``x_reverse``: the same
    sequences' reverse complements, encoded, for a run on both strands (`encode_reverse`)."""

    encoder: EncoderSpec
    x: np.ndarray
    y: np.ndarray
    embedding_matrix: np.ndarray | None = None
    word2vec: Any = None  # gensim Word2Vec (or vectors) for embedded architectures
    x_reverse: np.ndarray | None = None

    def subset(self, indices: np.ndarray) -> PreparedInputs:
        """The examples at ``indices`` (and their reverse complements)."""
        reverse = None if self.x_reverse is None else self.x_reverse[indices]
        return replace(self, x=self.x[indices], y=self.y[indices], x_reverse=reverse)

    def for_training(self) -> PreparedInputs:
        """What a model learns from: on both strands, every sequence and its reverse complement
        as two examples (``x_reverse`` then ``None``: it is in ``x``)."""
        if self.x_reverse is None:
            return self
        return replace(
            self,
            x=np.concatenate([self.x, self.x_reverse]),
            y=np.concatenate([self.y, self.y]),
            x_reverse=None,
        )

    def model_hyperparameters(self, hparams: dict[str, Any]) -> dict[str, Any]:
        """``hparams`` with the embedding width a model built on these inputs has: the word2vec
        matrix's (unchanged for one-hot inputs)."""
        if self.embedding_matrix is None:
            return dict(hparams)
        return {**hparams, "embedding_dim": int(self.embedding_matrix.shape[1])}

    def for_validation(self) -> Validation:
        """``(x, y, x_reverse)``: what `kerasbind.prediction.held_out_auc` scores."""
        return self.x, self.y, self.x_reverse


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


def encode_reverse(encoder: EncoderSpec, seqset: SequenceSet, strand: str) -> np.ndarray | None:
    """A set's reverse complements as the model's input tensor, for a run on both strands
    (`kerasbind.scanning.strands.both_strands`); ``None`` for one strand."""
    from kerasbind.scanning.strands import both_strands
    from kerasbind.scanning.windows import reverse_complement

    if strand == "both" and encoder.alphabet == "RNA":
        raise KerasbindError(
            f"{seqset.source or 'the training set'}: RNA has one strand; strand 'both' is for "
            "DNA (give 'auto' or 'forward')"
        )
    if not both_strands(encoder, strand):
        return None
    return encode_codes(reverse_complement(seqset.codes(encoder.length)), encoder)


def labelled_inputs(prepared: PreparedInputs, seqset: SequenceSet) -> PreparedInputs:
    """Another labelled set (a held-out part) encoded as ``prepared`` is, on its strands."""
    assert seqset.labels is not None
    strand = "forward" if prepared.x_reverse is None else "both"
    return replace(
        prepared,
        x=encode_set(prepared.encoder, seqset),
        y=seqset.labels.astype(np.float32),
        x_reverse=encode_reverse(prepared.encoder, seqset, strand),
    )


def prepare_inputs(
    arch: ArchitectureSpec,
    train_set: SequenceSet,
    *,
    seq_len: int | None = None,
    seed: int = 0,
    word2vec_path: Path | str | None = None,
    strand: str = "forward",
) -> PreparedInputs:
    """Encode the labelled training set (and, on both strands, its reverse complements: see
    `encode_reverse`); for embedded architectures train word2vec (or read vectors from
    ``word2vec_path``, see `kerasbind.embedding.load_vectors`) and build the matching
    embedding matrix."""
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
        encode_reverse(encoder, train_set, strand),
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
    validation: Validation | None = None,
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
    training = prepared.for_training()
    history = train_steps(
        model,
        training.x,
        training.y,
        steps=steps,
        eval_every=eval_every,
        validation=validation,
        seed=seed,
        progress=progress,
        on_checkpoint=on_checkpoint,
    )
    return model, history


def score(
    model: Any, encoder: EncoderSpec, test_set: SequenceSet, strand: str = "forward"
) -> tuple[dict[str, Any], np.ndarray]:
    """AUC-ROC, AUC-PR and counts of ``model`` on a labelled set, and its probabilities: each
    sequence scored on the strands the run was trained on (``strand``: see
    `kerasbind.options.STRANDS`; on both, the larger score, as `predict_sequences` gives it)."""
    from kerasbind.prediction import binary_metrics, predict_sequences
    from kerasbind.scanning.strands import both_strands

    test_set.require_both_classes()
    prob = predict_sequences(model, encoder, test_set.sequences, strand=strand)
    strands = "both" if both_strands(encoder, strand) else "one"
    return {**binary_metrics(test_set.labels, prob), "source": test_set.source,
            "strands": strands}, prob  # fmt: skip


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
