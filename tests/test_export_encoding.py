"""The in-graph string encoder gives exactly `kerasbind.encoding.encode`'s tensor."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from export_helpers import random_sequences

from kerasbind.encoding import EncoderSpec, encode
from kerasbind.export.tf_encoding import encode_strings

SPECS = [
    EncoderSpec("onehot", 40),
    EncoderSpec("onehot", 1),
    EncoderSpec("kmer", 40, k=3, stride=1),
    EncoderSpec("kmer", 41, k=4, stride=3),
    EncoderSpec("kmer", 5, k=5, stride=2),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.kind}-L{s.length}-k{s.k}-s{s.stride}")
def test_same_tensor_as_numpy(spec: EncoderSpec) -> None:
    sequences = [*random_sequences(300, seed=spec.length), "A", "u" * 100]
    expected = encode(sequences, spec)
    got = tf.function(lambda s: encode_strings(s, spec))(tf.constant(sequences)).numpy()
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_equal_lengths_fast_path_and_empty_batch() -> None:
    spec = EncoderSpec("onehot", 40)
    same = [s.ljust(40, "g")[:40] for s in random_sequences(50, seed=3)]
    got = encode_strings(tf.constant(same), spec).numpy()
    np.testing.assert_array_equal(got, encode(same, spec))
    assert encode_strings(tf.constant([], tf.string), spec).shape == (0, 40, 4)


@pytest.mark.parametrize(
    ("bad", "character", "position"),
    [("ACGTX", "X", 5), ("ac gt", " ", 3), ("ACGé", "é", 4), ("A1", "1", 2)],
)
def test_invalid_character_is_named(bad: str, character: str, position: int) -> None:
    spec = EncoderSpec("kmer", 8, k=3)
    encoder = tf.function(lambda s: encode_strings(s, spec))
    with pytest.raises(tf.errors.InvalidArgumentError) as error:
        encoder(tf.constant(["ACGT", bad]))
    expected = f"sequence 2: invalid character `{character}` at position {position}"
    assert expected in error.value.message


def test_empty_sequence_is_refused() -> None:
    """As the readers refuse it: scoring it would give the all-N score."""
    encoder = tf.function(lambda s: encode_strings(s, EncoderSpec("onehot", 10)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="sequence 3: empty sequence"):
        encoder(tf.constant(["ACGT", "A" * 30, ""]))


def test_invalid_character_outside_the_window_is_refused() -> None:
    with pytest.raises(tf.errors.InvalidArgumentError, match="invalid character `\\*`"):
        encode_strings(tf.constant(["*" + "A" * 50]), EncoderSpec("onehot", 10))
