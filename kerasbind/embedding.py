"""k-mer word2vec (gensim), the embedding matrix aligned with the fixed k-mer vocabulary, and
word vectors stored without pickle.

A run folder keeps its vectors as ``word2vec.npy`` (float32 rows, read with
``allow_pickle=False``) beside ``word2vec.vocab.json`` (the words, in row order); ``--word2vec``
also takes the word2vec text (``.txt``, ``.vec``) and binary (``.bin``) formats. Unlike
deepRAM, which saves gensim's pickled model, nothing here unpickles: a pickle can run code
when it is loaded, and run folders are shared (docs/security.md).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from gensim.models import KeyedVectors, Word2Vec

from kerasbind.encoding import EMBEDDING_DIM, EncoderSpec, encode, kmer_vocabulary
from kerasbind.errors import KerasbindError
from kerasbind.files import npy_header

WORD2VEC_WINDOW = 5
WORD2VEC_EPOCHS = 5
WORD2VEC_EXTRA_EPOCHS = 0
VOCABULARY_SUFFIX = ".vocab.json"  # beside FILE.npy: FILE.vocab.json
TEXT_SUFFIXES = (".txt", ".vec", ".txt.gz", ".vec.gz")
BINARY_SUFFIXES = (".bin", ".bin.gz")
MAX_WORDS = 1_000_000  # bounds on what a vectors file may ask to allocate
MAX_DIMENSIONS = 1_000
MAX_VALUES = 2**27  # 512 MiB of float32
PICKLE_HELP = (
    "it is a gensim pickle, which can run code when loaded, so kerasbind does not read it; "
    "save the vectors in word2vec format instead (gensim: "
    "model.wv.save_word2vec_format('vectors.bin', binary=True))"
)


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


def keyed_vectors(word2vec: Word2Vec | KeyedVectors) -> KeyedVectors:
    """The vectors of a trained model, or the vectors themselves."""
    return word2vec.wv if isinstance(word2vec, Word2Vec) else word2vec


def embedding_matrix(word2vec: Word2Vec | KeyedVectors, k: int) -> np.ndarray:
    """``(4**k + 1, dim)`` float32 rows in `kmer_vocabulary` order; k-mers word2vec never saw
    (and ``"<N>"`` when absent) get the mean vector."""
    vectors = keyed_vectors(word2vec)
    mean = vectors.vectors.mean(axis=0)
    rows = [vectors[w] if w in vectors.key_to_index else mean for w in kmer_vocabulary(k)]
    return np.asarray(rows, dtype=np.float32)


def save_vectors(word2vec: Word2Vec | KeyedVectors, path: Path) -> None:
    """``path`` (``.npy``, float32 rows) and its vocabulary JSON beside it."""
    vectors = keyed_vectors(word2vec)
    np.save(path, np.asarray(vectors.vectors, dtype=np.float32), allow_pickle=False)
    vocabulary_file(path).write_text(json.dumps(list(vectors.index_to_key)) + "\n")


def vocabulary_file(path: Path) -> Path:
    """``word2vec.npy`` → ``word2vec.vocab.json``."""
    return path.with_name(path.name.removesuffix(".npy") + VOCABULARY_SUFFIX)


def load_vectors(path: Path | str) -> KeyedVectors:
    """Word vectors from ``.npy`` + vocabulary JSON or a word2vec text / binary file; the sizes
    they declare are checked before anything is allocated, and nothing is unpickled."""
    path = Path(path)
    name = path.name.lower()
    try:
        if name.endswith(".npy"):
            return _load_npy(path)
        if name.endswith(TEXT_SUFFIXES + BINARY_SUFFIXES):
            binary = name.endswith(BINARY_SUFFIXES)
            _check_sizes(path, *_word2vec_header(path))
            return KeyedVectors.load_word2vec_format(str(path), binary=binary)
    except (OSError, ValueError, UnicodeDecodeError, EOFError) as error:
        raise KerasbindError(f"{path}: not readable word vectors ({error})") from None
    if _is_pickle(path):
        raise KerasbindError(f"{path}: {PICKLE_HELP}")
    raise KerasbindError(
        f"{path}: unknown word-vector format; give FILE.npy (with FILE{VOCABULARY_SUFFIX}), "
        "word2vec text (.txt, .vec) or word2vec binary (.bin)"
    )


def _is_pickle(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(1) == b"\x80"


def _check_sizes(path: Path, words: int, dimensions: int) -> None:
    if (
        not (0 < words <= MAX_WORDS and 0 < dimensions <= MAX_DIMENSIONS)
        or words * dimensions > MAX_VALUES
    ):
        raise KerasbindError(
            f"{path}: {words} words of {dimensions} dimensions is outside the accepted sizes "
            f"(at most {MAX_WORDS:,} words, {MAX_DIMENSIONS} dimensions, {MAX_VALUES:,} values)"
        )


def _word2vec_header(path: Path) -> tuple[int, int]:
    """The ``words dimensions`` first line of a word2vec text or binary file."""
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        fields = handle.readline(100).split()
    if len(fields) != 2 or not all(field.isdigit() for field in fields):
        raise ValueError("the first line must be 'WORDS DIMENSIONS'")
    return int(fields[0]), int(fields[1])


def _load_npy(path: Path) -> KeyedVectors:
    """``FILE.npy`` rows and ``FILE.vocab.json`` words as gensim vectors."""
    with open(path, "rb") as handle:
        shape, fortran, dtype = npy_header(handle)
        start = handle.tell()
    if len(shape) != 2 or dtype not in (np.float32, np.float64) or fortran:
        raise ValueError(f"expected a 2-d float array, found shape {shape} of {dtype}")
    _check_sizes(path, *shape)
    if path.stat().st_size - start < shape[0] * shape[1] * dtype.itemsize:
        raise ValueError("the file is shorter than its header says")
    words_file = vocabulary_file(path)
    if not words_file.is_file() or words_file.stat().st_size > 64 * MAX_WORDS:
        raise ValueError(f"its vocabulary {words_file.name} is missing or too large")
    words = json.loads(words_file.read_text(encoding="utf-8"))
    if not (isinstance(words, list) and len(words) == shape[0]):
        raise ValueError(f"{words_file.name} must list {shape[0]} words")
    if not all(isinstance(word, str) for word in words) or len(set(words)) != len(words):
        raise ValueError(f"{words_file.name} must list distinct words (strings)")
    vectors = KeyedVectors(vector_size=shape[1])
    vectors.add_vectors(words, np.load(path, allow_pickle=False).astype(np.float32))
    return vectors


def load_pickled_word2vec(path: Path) -> KeyedVectors:
    """The vectors of a gensim ``Word2Vec.save`` pickle (an older kerasbind run folder). This
    unpickles, which can run code: only for files the user trusts (``trust=True``)."""
    try:
        return Word2Vec.load(str(path)).wv
    except Exception as error:  # unpickling raises anything
        raise KerasbindError(f"{path}: not a saved gensim word2vec model ({error})") from None
