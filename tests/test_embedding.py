"""word2vec over k-mers and its placement in the Embedding layer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kerasbind.embedding import embedding_matrix, kmer_sentences, train_word2vec
from kerasbind.encoding import EncoderSpec, kmer_vocabulary


@pytest.fixture(scope="module")
def sequences() -> list[str]:
    rng = np.random.default_rng(0)
    return ["".join(rng.choice(list("ACGT"), 60)) for _ in range(300)] + ["ACGUNNACG"]


@pytest.fixture(scope="module")
def word2vec(sequences: list[str]):
    return train_word2vec(sequences, k=3, stride=1, dim=50, seed=0)


def test_sentences_are_the_models_kmers() -> None:
    assert kmer_sentences(["ACGTN", "acg"]) == [["ACG", "CGT", "<N>"], ["<N>", "ACG", "<N>"]]
    assert kmer_sentences(["ACGTAC"], k=2, stride=2) == [["AC", "GT", "AC"]]


def test_matrix_rows_follow_the_vocabulary(word2vec) -> None:
    matrix = embedding_matrix(word2vec, 3)
    vocabulary = kmer_vocabulary(3)
    assert matrix.shape == (65, 50) and matrix.dtype == np.float32
    for row, kmer in enumerate(vocabulary):
        np.testing.assert_array_equal(matrix[row], word2vec.wv[kmer])


def test_unseen_kmers_get_the_mean(sequences: list[str]) -> None:
    model = train_word2vec(["AAAAAAAA"] * 20, k=3, seed=0)
    matrix = embedding_matrix(model, 3)
    np.testing.assert_allclose(matrix[1], model.wv.vectors.mean(axis=0))  # AAC never seen
    np.testing.assert_array_equal(matrix[0], model.wv["AAA"])


def test_same_seed_same_vectors(sequences: list[str], word2vec) -> None:
    again = train_word2vec(sequences, seed=0)
    np.testing.assert_array_equal(again.wv["ACG"], word2vec.wv["ACG"])


def test_embedding_layer_holds_gensim_vectors(word2vec) -> None:
    from kerasbind.models import ARCHITECTURES, build_model, default_hyperparameters

    arch = ARCHITECTURES["ecblstm"]
    encoder = EncoderSpec("kmer", 60, k=3, stride=1)
    matrix = embedding_matrix(word2vec, 3)
    for freeze in (False, True):
        model = build_model(arch, default_hyperparameters(arch), encoder, matrix, freeze)
        layer = model.get_layer("embedding")
        weights = layer.embeddings.numpy()
        for kmer in ("ACG", "TTT", "GCA"):
            row = kmer_vocabulary(3).index(kmer)
            np.testing.assert_array_equal(weights[row], word2vec.wv[kmer])
        assert layer.trainable is not freeze
        # the vectors are initial weights, not part of the config (no Constant(matrix))
        config = json.dumps(model.get_config())
        assert '"Constant"' not in config and len(config) < 20_000


def test_deeprams_word2vec_schedule(sequences: list[str]) -> None:
    """deepRAM: ``Word2Vec(document, window=12)`` (gensim's 5 epochs) then ``train(epochs=100)``."""
    model = train_word2vec(sequences, seed=0, window=12, epochs=5, extra_epochs=100)
    assert model.window == 12
    assert model.epochs == 100  # gensim keeps the last call's count
    plain = train_word2vec(sequences, seed=0, window=12, epochs=5)
    assert not np.allclose(model.wv["ACG"], plain.wv["ACG"])


def test_a_run_on_wider_word2vec_vectors_loads(tmp_path) -> None:
    """The embedding's width is the given vectors' (here 20), and the run folder records it, so
    the saved model loads and predicts as trained."""
    import kerasbind as kb
    from kerasbind.embedding import save_vectors
    from kerasbind.simulate import simulate_binding

    train, test = simulate_binding(200, 50, ["MA0139.2"], length=40, seed=0)
    vectors = train_word2vec(list(train.sequences), k=3, stride=1, dim=20, seed=0)
    save_vectors(vectors, tmp_path / "vectors.npy")
    run = kb.train(
        "kegru", train, word2vec=tmp_path / "vectors.npy", steps=5, eval_every=5,
        out=tmp_path / "run", progress=False,
    )  # fmt: skip
    loaded = kb.load_run(tmp_path / "run")
    assert loaded.hparams.embedding_dim == 20
    assert loaded.model.get_layer("embedding").output_dim == 20
    np.testing.assert_allclose(loaded.predict(test), run.predict(test), atol=1e-5)
