"""The in-graph twin of `kerasbind.encoding.encode`: raw sequence strings → the model's input.

Same spec, same rules, built from the same tables (`kerasbind.sequences.CODE_TABLE`):
bytes → codes through a 256-entry lookup (``A C G T/U`` any case → 0–3, IUPAC codes → 4),
the window of ``length`` starting at ``floor((n - length) / 2)`` (centre-trim, or ``N`` padding),
then one-hot rows or k-mer ids. The strings are decoded into one dense uint8 matrix with
``tf.io.decode_raw`` (``fixed_length=longest`` when lengths differ), so no ragged tensors are
involved, and the window is taken only when some sequence does not have the model's length.

A character outside the alphabet (anywhere in the sequence, not only inside the window) raises
``InvalidArgumentError`` naming the sequence, the position and the character, and so does an
empty sequence (the readers refuse one too; scoring it would give the all-``N`` score); one
regular expression checks the whole batch, and the message is only built when it fails.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kerasbind.encoding import EncoderSpec, onehot_from_codes
from kerasbind.scanning.windows import COMPLEMENT
from kerasbind.sequences import CODE_TABLE, UNKNOWN_CODE

_INVALID = int(CODE_TABLE.max())
_VALID_BYTES = np.flatnonzero(CODE_TABLE != _INVALID)
_ALPHABET_PATTERN = "[" + "".join(map(chr, _VALID_BYTES)) + "]+"  # one letter or more
_PADDING_BYTE = ord("N")
_ALLOWED = "allowed: A C G T U, IUPAC codes N R Y S W K M B D H V, any case"


def _first_invalid(sequences: tf.Tensor, valid: tf.Tensor) -> tf.Tensor:
    """Raise ``InvalidArgumentError`` naming the first sequence that is not ``valid``."""
    index = tf.argmin(tf.cast(valid, tf.int32), output_type=tf.int32)
    number = tf.strings.as_string(index + 1)

    def bad_character() -> tf.Tensor:
        # characters, not bytes, so that a non-ASCII letter is shown whole
        chars = tf.strings.unicode_decode(sequences[index], "UTF-8", errors="replace")
        allowed = tf.reduce_any(tf.equal(chars[:, None], tf.constant(_VALID_BYTES, tf.int32)), 1)
        position = tf.argmin(tf.cast(allowed, tf.int32), output_type=tf.int32)
        character = tf.strings.unicode_encode(chars[position : position + 1], "UTF-8")
        where = tf.strings.as_string(position + 1)
        parts = ["sequence ", number, ": invalid character `", character, "` at position ", where]
        return tf.strings.join([*parts, f" ({_ALLOWED})"])

    message = tf.cond(
        tf.equal(tf.strings.length(sequences[index]), 0),
        lambda: tf.strings.join(["sequence ", number, ": empty sequence"]),
        bad_character,
    )
    with tf.control_dependencies([tf.debugging.Assert(False, [message])]):
        return tf.identity(index)


def _check_alphabet(sequences: tf.Tensor) -> tf.Tensor:
    """An assertion that every character is a nucleotide letter (one regular expression)."""
    valid = tf.strings.regex_full_match(sequences, _ALPHABET_PATTERN)
    return tf.cond(
        tf.reduce_all(valid),
        lambda: tf.constant(0, tf.int32),
        lambda: _first_invalid(sequences, valid),
    )


def sequence_window(sequences: tf.Tensor, length: int) -> tf.Tensor:
    """``(n,)`` strings → ``(n, length)`` int32 bytes, centre-trimmed or padded with ``N``.

    When every sequence already has ``length`` characters the bytes are used as they are.
    """
    lengths = tf.strings.length(sequences)

    def exact() -> tf.Tensor:
        return tf.reshape(tf.io.decode_raw(sequences, tf.uint8), [-1, length])

    def centred() -> tf.Tensor:
        longest = tf.reduce_max(tf.concat([lengths, [1]], axis=0))
        raw = tf.io.decode_raw(sequences, tf.uint8, fixed_length=longest)
        starts = tf.math.floordiv(lengths - length, 2)
        columns = starts[:, None] + tf.range(length)[None, :]
        inside = tf.logical_and(columns >= 0, columns < lengths[:, None])
        window = tf.gather(raw, tf.clip_by_value(columns, 0, longest - 1), batch_dims=1)
        return tf.where(inside, window, tf.constant(_PADDING_BYTE, tf.uint8))

    same = tf.logical_and(tf.size(lengths) > 0, tf.reduce_all(tf.equal(lengths, length)))
    return tf.cast(tf.cond(same, exact, centred), tf.int32)


def kmer_ids(codes: tf.Tensor, k: int, stride: int, n_kmers: int) -> tf.Tensor:
    """``(n, L)`` int32 codes → ``(n, n_kmers)`` int32 ids; ``4**k`` for a k-mer with an N."""
    end = (n_kmers - 1) * stride + 1
    columns = [codes[:, j : j + end : stride] for j in range(k)]
    ids = tf.add_n([column * 4 ** (k - 1 - j) for j, column in enumerate(columns)])
    unknown = tf.reduce_any(tf.stack([c == UNKNOWN_CODE for c in columns]), axis=0)
    return tf.where(unknown, 4**k, ids)


def encode_codes(codes: tf.Tensor, spec: EncoderSpec) -> tf.Tensor:
    """``(m, length)`` int32 codes (0–3, 4 for unknown) → the model's input tensor."""
    if spec.kind == "onehot":
        return tf.gather(tf.constant(onehot_from_codes(np.arange(UNKNOWN_CODE + 1))), codes)
    return kmer_ids(codes, spec.k, spec.stride, spec.n_kmers)


def byte_codes(window: tf.Tensor) -> tf.Tensor:
    """int32 bytes → int32 codes (0–3, 4 for unknown; the alphabet check runs separately)."""
    return tf.gather(tf.constant(np.minimum(CODE_TABLE, UNKNOWN_CODE), dtype=tf.int32), window)


def reverse_complement_codes(codes: tf.Tensor) -> tf.Tensor:
    """Reverse complement of ``(m, length)`` codes (unknown stays unknown)."""
    return tf.gather(tf.constant(COMPLEMENT, dtype=tf.int32), tf.reverse(codes, axis=[1]))


def encode_strings(sequences: tf.Tensor, spec: EncoderSpec) -> tf.Tensor:
    """Raw strings → the tensor `kerasbind.encoding.encode` gives for the same sequences."""
    encoded = encode_codes(byte_codes(sequence_window(sequences, spec.length)), spec)
    # the alphabet check runs beside the encoding; the result waits for it
    with tf.control_dependencies([_check_alphabet(sequences)]):
        return tf.identity(encoded)


def sequence_windows(
    sequences: tf.Tensor, length: int, stride: int
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The length rule in the graph (`kerasbind.scanning.windows`): every window of every
    sequence as ``(m, length)`` int32 codes, the sequence each belongs to ``(m,)`` and the
    number of windows of each sequence ``(n,)``. Checked against the alphabet."""
    lengths = tf.strings.length(sequences)
    longest = tf.reduce_max(tf.concat([lengths, [1]], axis=0))
    raw = tf.reshape(tf.io.decode_raw(sequences, tf.uint8, fixed_length=longest), [-1])
    excess = tf.maximum(lengths - length, 0)
    counts = excess // stride + 1 + tf.cast(excess % stride > 0, tf.int32)
    owner = tf.repeat(tf.range(tf.size(lengths)), counts)
    rank = tf.range(tf.size(owner)) - tf.gather(tf.cumsum(counts, exclusive=True), owner)
    over = tf.gather(lengths - length, owner)
    start = tf.where(over > 0, tf.minimum(rank * stride, over), tf.math.floordiv(over, 2))
    columns = start[:, None] + tf.range(length)[None, :]
    inside = tf.logical_and(columns >= 0, columns < tf.gather(lengths, owner)[:, None])
    flat = owner[:, None] * longest + tf.clip_by_value(columns, 0, longest - 1)
    window = tf.where(inside, tf.gather(raw, flat), tf.constant(_PADDING_BYTE, tf.uint8))
    codes = byte_codes(tf.cast(window, tf.int32))
    with tf.control_dependencies([_check_alphabet(sequences)]):
        return tf.identity(codes), owner, counts
