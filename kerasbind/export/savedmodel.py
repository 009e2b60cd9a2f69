"""The SavedModel: a Keras model plus the in-graph encoder, with two serving signatures.

- ``serving_default``: ``sequences`` (``tf.string``, ``[None]``, raw DNA/RNA as users have it)
  → ``probability`` and ``logit`` (``float32``, ``[None]``);
- ``encoded``: the already-encoded tensor (``encoded``, the model's input) → the same outputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import tensorflow as tf

from kerasbind.encoding import EncoderSpec
from kerasbind.export.tf_encoding import encode_strings
from kerasbind.serving.client import INPUT_NAME
from kerasbind.serving.client import SIGNATURE as SERVING_SIGNATURE

ENCODED_SIGNATURE = "encoded"
CONFIG_ASSET = "kerasbind.json"


def _with_logit(model: keras.Model) -> keras.Model:
    """The same layers, returning the ``logit`` and ``probability`` outputs."""
    return keras.Model(model.inputs, [model.get_layer("logit").output, model.output])


def build_archive(model: keras.Model, encoder: EncoderSpec) -> keras.export.ExportArchive:
    """An `ExportArchive` with the string and the encoded-tensor signatures."""
    heads = _with_logit(model)

    def outputs(encoded: tf.Tensor) -> dict[str, tf.Tensor]:
        logit, probability = heads(encoded, training=False)
        return {"probability": tf.reshape(probability, [-1]), "logit": tf.reshape(logit, [-1])}

    archive = keras.export.ExportArchive()
    archive.track(heads)
    archive.add_endpoint(
        SERVING_SIGNATURE,
        lambda sequences: outputs(encode_strings(sequences, encoder)),
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
    model: keras.Model, encoder: EncoderSpec, folder: Path, config_file: Path | None = None
) -> None:
    """Write the SavedModel into ``folder``; copy the run's ``kerasbind.json`` into assets/."""
    build_archive(model, encoder).write_out(str(folder), verbose=False)
    if config_file is not None:
        (Path(folder) / "assets").mkdir(exist_ok=True)
        shutil.copyfile(config_file, Path(folder) / "assets" / CONFIG_ASSET)
