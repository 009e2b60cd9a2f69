"""The SavedModel: a Keras model plus the in-graph encoder, with two serving signatures.

- ``serving_default``: ``sequences`` (``tf.string``, ``[None]``, raw DNA/RNA of any length, as
  users have it) → ``probability`` and ``logit`` (``float32``, ``[None]``) and ``windows``
  (``int32``, ``[None]``: how many windows scored each sequence), under the same length and
  strand rules as `kerasbind.Run.predict` (docs/scanning.md): a longer sequence scores its best
  window (one every ``stride`` letters, fixed at export), a shorter one is padded with ``N``,
  DNA runs score both strands;
- ``encoded``: the already-encoded tensor (``encoded``, the model's input: windows of the
  model's length, one strand) → ``probability`` and ``logit`` of each row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.export.tf_encoding import encode_codes, reverse_complement_codes, sequence_windows
from kerasbind.scanning.strands import COMBINES, both_strands
from kerasbind.serving.client import INPUT_NAME
from kerasbind.serving.client import SIGNATURE as SERVING_SIGNATURE

ENCODED_SIGNATURE = "encoded"
CONFIG_ASSET = "kerasbind.json"


def _with_logit(model: keras.Model) -> keras.Model:
    """The same layers, returning the ``logit`` and ``probability`` outputs."""
    return keras.Model(model.inputs, [model.get_layer("logit").output, model.output])


def build_archive(
    model: keras.Model,
    encoder: EncoderSpec,
    *,
    stride: int = 1,
    strand: str = "auto",
    combine: str = "max",
) -> keras.export.ExportArchive:
    """An `ExportArchive` with the string and the encoded-tensor signatures."""
    heads = _with_logit(model)
    both = both_strands(encoder, strand)
    if combine not in COMBINES:
        raise KerasbindError(f"combine must be 'max' or 'mean', not {combine!r}")

    def outputs(encoded: tf.Tensor) -> dict[str, tf.Tensor]:
        logit, probability = heads(encoded, training=False)
        return {"probability": tf.reshape(probability, [-1]), "logit": tf.reshape(logit, [-1])}

    def window_logits(codes: tf.Tensor) -> tf.Tensor:
        logit = tf.reshape(heads(encode_codes(codes, encoder), training=False)[0], [-1])
        if not both:
            return logit
        reverse = tf.reshape(
            heads(encode_codes(reverse_complement_codes(codes), encoder), training=False)[0],
            [-1],
        )
        if combine == "max":
            return tf.maximum(logit, reverse)
        mean = (tf.sigmoid(logit) + tf.sigmoid(reverse)) / 2
        return tf.math.log(mean) - tf.math.log1p(-mean)

    def serve(sequences: tf.Tensor) -> dict[str, tf.Tensor]:
        codes, owner, counts = sequence_windows(sequences, encoder.length, stride)
        best = tf.math.unsorted_segment_max(window_logits(codes), owner, tf.size(counts))
        return {"probability": tf.sigmoid(best), "logit": best, "windows": counts}

    archive = keras.export.ExportArchive()
    archive.track(heads)
    archive.add_endpoint(
        SERVING_SIGNATURE,
        serve,
        input_signature=[tf.TensorSpec([None], tf.string, name=INPUT_NAME)],
    )
    archive.add_endpoint(
        ENCODED_SIGNATURE,
        outputs,
        input_signature=[
            tf.TensorSpec((None, *encoder.input_shape), encoder.input_dtype, name="encoded")
        ],
    )
    return archive


def write_savedmodel(
    model: keras.Model,
    encoder: EncoderSpec,
    folder: Path,
    description: dict[str, Any] | None = None,
) -> None:
    """Write the SavedModel into ``folder``; the run's description (its ``kerasbind.json``)
    goes into assets/."""
    from kerasbind.files import write_json

    build_archive(model, encoder).write_out(str(folder), verbose=False)
    if description is not None:
        write_json(Path(folder) / "assets" / CONFIG_ASSET, description)
