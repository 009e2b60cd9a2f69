"""The NumPy encoders against an independent, obvious implementation."""

import itertools

import numpy as np
import pytest

from kerasbind.encoding import EncoderSpec, encode, kmer_vocabulary


def _slow_kmer_ids(sequence: str, k: int, stride: int) -> list[int]:
    vocabulary = {kmer: i for i, kmer in enumerate(kmer_vocabulary(k)[:-1])}
    return [
        vocabulary.get(sequence[i : i + k], 4**k) for i in range(0, len(sequence) - k + 1, stride)
    ]


def test_onehot_rows_and_unknown_columns():
    x = encode(["ACGTN"], EncoderSpec("onehot", 5))
    expected = np.vstack([np.eye(4), np.full(4, 0.25)])
    np.testing.assert_array_equal(x[0], expected)
    assert x.dtype == np.float32


@pytest.mark.parametrize(("k", "stride"), [(1, 1), (3, 1), (3, 2), (4, 3)])
def test_kmer_ids_match_a_direct_lookup(k, stride):
    rng = np.random.default_rng(k * 10 + stride)
    sequences = [
        "".join(rng.choice(list("ACGTN"), p=[0.24] * 4 + [0.04], size=20)) for _ in range(50)
    ]
    spec = EncoderSpec("kmer", 20, k=k, stride=stride)
    ids = encode(sequences, spec)
    assert ids.shape == (50, spec.n_kmers) and ids.dtype == np.int32
    for row, sequence in zip(ids, sequences, strict=True):
        assert row.tolist() == _slow_kmer_ids(sequence, k, stride)


def test_vocabulary_is_lexicographic_with_unknown_last():
    vocabulary = kmer_vocabulary(2)
    assert vocabulary[:3] == ["AA", "AC", "AG"] and vocabulary[-1] == "<N>"
    assert vocabulary[:-1] == ["".join(p) for p in itertools.product("ACGT", repeat=2)]


def test_spec_round_trips_and_validates():
    spec = EncoderSpec("kmer", 101, k=3, stride=1, alphabet="RNA")
    assert EncoderSpec.from_dict(spec.to_dict()) == spec
    assert spec.input_shape == (99,) and spec.vocabulary_size == 65
    with pytest.raises(ValueError):
        EncoderSpec("kmer", 2, k=3)
