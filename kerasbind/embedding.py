"""k-mer word2vec (gensim) and the embedding matrix aligned with the fixed k-mer vocabulary."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gensim.models import Word2Vec

from kerasbind.encoding import EMBEDDING_DIM, EncoderSpec, encode, kmer_vocabulary

WORD2VEC_WINDOW = 5
WORD2VEC_EPOCHS = 5
WORD2VEC_EXTRA_EPOCHS = 0


def kmer_sentences(sequences: Sequence[str], k: int = 3, stride: int = 1) -> list[list[str]]:
    """Each sequence as its list of overlapping k-mers, as the model sees them: sequences shorter
    than the longest are padded with N, and k-mers with unknown letters are ``"<N>"``."""
    if not sequences:
        return []
    length = max(k, *(len(s) for s in sequences))
    ids = encode(sequences, EncoderSpec("kmer", length=length, k=k, stride=stride))
    return np.array(kmer_vocabulary(k), dtype=object)[ids].tolist()


def train_word2vec(
    sequences: Sequence[str],
    k: int = 3,
    stride: int = 1,
    dim: int = EMBEDDING_DIM,
    seed: int = 0,
    *,
    window: int = WORD2VEC_WINDOW,
    epochs: int = WORD2VEC_EPOCHS,
    extra_epochs: int = WORD2VEC_EXTRA_EPOCHS,
) -> Word2Vec:
    """Train word2vec (CBOW) over the k-mers of ``sequences``: ``epochs`` passes, then
    ``extra_epochs`` more with a fresh learning-rate schedule (deepRAM: 5 + 100, window 12).

    One worker thread keeps the vectors reproducible for a given seed.
    """
    sentences = kmer_sentences(sequences, k, stride)
    model = Word2Vec(
        sentences=sentences,
        vector_size=dim,
        window=window,
        min_count=1,
        workers=1,
        seed=seed,
        epochs=epochs,
    )
    if extra_epochs:
        model.train(sentences, total_examples=len(sentences), epochs=extra_epochs)
    return model


def embedding_matrix(word2vec: Word2Vec, k: int) -> np.ndarray:
    """``(4**k + 1, dim)`` float32 rows in `kmer_vocabulary` order; k-mers word2vec never saw
    (and ``"<N>"`` when absent) get the mean vector."""
    vectors = word2vec.wv
    mean = vectors.vectors.mean(axis=0)
    rows = [vectors[w] if w in vectors.key_to_index else mean for w in kmer_vocabulary(k)]
    return np.asarray(rows, dtype=np.float32)
