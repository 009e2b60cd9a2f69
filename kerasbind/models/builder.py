"""One builder for every architecture: input → (embedding | unknown padding) → convolution stage
→ recurrent stage or global max → head; and the optimiser / loss it is compiled with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from kerasbind.encoding import EMBEDDING_DIM, EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.hyperparameters import check_value
from kerasbind.models.blocks import (
    conv_output_length,
    conv_stage,
    dropout,
    head,
    pad_unknown,
    pool_sequence,
    rnn_stage,
)
from kerasbind.models.specs import ArchitectureSpec, resolve_architecture

# Defaults chosen on validation folds of three CLIP-seq training sets, no test file read
# (benchmarks/choose_defaults.py, docs/models.md); the tuner's first trial (paper Table 2).
_DEFAULTS: dict[str, Any] = {
    "filters": 16,
    "rnn_units": 50,
    "dense_units": 32,
    "optimizer": "adagrad",
    "learning_rate": 0.01,
    "momentum": 0.98,
    "init": "xavier",
    "conv_init_std": 0.01,
    "rnn_init_std": 0.01,
    "dense_init_std": 0.01,
    "weight_decay": 1e-6,
    "dropout_keep": 0.85,
    "pooling": "global",  # deepRAM's; "positional" for convolution-only models (docs/models.md)
    "embedding_dim": EMBEDDING_DIM,  # the word2vec vectors' width, not a choice
}
# recurrent-only models (KEGRU): SGD + Nesterov momentum (tied with Adagrad 0.05 on validation)
_RNN_ONLY_DEFAULTS = {"optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.98}
# a first convolution on one-hot input starts wider: PyTorch's Adagrad moves every weight by the
# learning rate at the first step, which silences N(0, 0.01) filters for good (docs/models.md)
_ONE_HOT_DEFAULTS = {"conv_init_std": 0.1}
# each weight's gradient in recurrent models is clipped to this norm (Keras `clipnorm`)
RNN_CLIPNORM = 1.0
# PyTorch's Adagrad adds 1e-10 to the root of the accumulator (Keras: 1e-7 inside the root)
ADAGRAD_EPSILON = 1e-10
HYPERPARAMETER_KEYS = tuple(_DEFAULTS)


def default_hyperparameters(arch: str | ArchitectureSpec) -> dict[str, Any]:
    """Good starting hyper-parameters for ``arch`` (a fresh dict the caller may change)."""
    if isinstance(arch, str):
        arch = resolve_architecture(arch)
    if arch.conv_layers == 0:
        return {**_DEFAULTS, **_RNN_ONLY_DEFAULTS}
    if not arch.embedding:
        return {**_DEFAULTS, **_ONE_HOT_DEFAULTS}
    return dict(_DEFAULTS)


def _check_hyperparameters(hparams: Mapping[str, Any]) -> None:
    if hparams["optimizer"] not in ("sgd", "adagrad"):
        raise KerasbindError(f"optimizer must be 'sgd' or 'adagrad', not {hparams['optimizer']!r}")
    if hparams["init"] not in ("xavier", "normal"):
        raise KerasbindError(f"init must be 'xavier' or 'normal', not {hparams['init']!r}")
    if not 0.0 < float(hparams["dropout_keep"]) <= 1.0:
        raise KerasbindError("dropout_keep is a keep probability in (0, 1]")
    check_value("pooling", hparams["pooling"])


def build_model(
    arch: str | ArchitectureSpec,
    hparams: Mapping[str, Any] | None = None,
    encoder: EncoderSpec | None = None,
    embedding_matrix: np.ndarray | None = None,
    freeze_embedding: bool = False,
    *,
    length: int | None = None,
) -> keras.Model:
    """The uncompiled functional model for ``arch`` (a name or a spec); `compile_model` makes it
    trainable.

    ``hparams`` replaces some or all of `default_hyperparameters`; without ``encoder`` the input
    is one-hot or 3-mer ids (stride 1) of sequences of ``length``. A word2vec
    ``embedding_matrix`` becomes the embedding's initial weights (not part of the config); its
    width is the embedding's, whatever ``embedding_dim`` says (a run records the matrix's:
    `kerasbind.pipeline.PreparedInputs.model_hyperparameters`).

    Layout: input ``encoded`` (``encoder.input_shape``); ``embedding`` (k-mer input) or unknown
    padding (one-hot input); ``conv_1`` … with ReLU; ``conv_dropout`` and the RNN (last state),
    or the pooling (`blocks.pool_sequence`: ``global_max``, or the positional layers); the head
    (``dropout``, optional ``dense`` + ``dense_dropout``) ending in ``logit`` and the sigmoid
    ``probability`` with output shape ``(None, 1)``.
    """
    if isinstance(arch, str):
        arch = resolve_architecture(arch)
    hparams = _complete(arch, hparams)
    encoder = encoder or _default_encoder(arch, length)
    if arch.embedding != (encoder.kind == "kmer"):
        raise KerasbindError(
            f"architecture {arch.name!r} needs {'k-mer' if arch.embedding else 'one-hot'} "
            f"input, the encoder gives {encoder.kind}"
        )
    inputs = keras.Input(encoder.input_shape, dtype=encoder.input_dtype, name="encoded")
    if arch.embedding:
        if embedding_matrix is not None and embedding_matrix.shape[0] != encoder.vocabulary_size:
            raise KerasbindError(
                f"embedding matrix has {embedding_matrix.shape[0]} rows, the k-mer vocabulary "
                f"{encoder.vocabulary_size}"
            )
        x = keras.layers.Embedding(
            encoder.vocabulary_size,
            hparams["embedding_dim"] if embedding_matrix is None else embedding_matrix.shape[1],
            weights=embedding_matrix,
            trainable=not freeze_embedding,
            name="embedding",
        )(inputs)
    else:
        x = pad_unknown(inputs, arch.filter_width - 1)
    if conv_output_length(arch, x.shape[1]) < 1:
        raise KerasbindError(
            f"sequences of length {encoder.length} are too short for {arch.conv_layers} "
            f"convolution layers of width {arch.filter_width} (dilation {arch.dilation})"
        )
    x = conv_stage(x, arch, hparams, pool_last=arch.rnn is not None)
    if arch.rnn is None:
        x = pool_sequence(x, hparams["pooling"])
    else:
        if arch.conv_layers:
            x = dropout(x, hparams, "conv_dropout")
        x = rnn_stage(x, arch, hparams)
    return keras.Model(inputs, head(x, hparams), name=arch.name.replace("(", "_").strip(")"))


def _complete(arch: ArchitectureSpec, hparams: Mapping[str, Any] | None) -> dict[str, Any]:
    """``hparams`` over the defaults of ``arch``, checked."""
    given = dict(hparams or {})
    unknown = sorted(set(given) - set(HYPERPARAMETER_KEYS))
    if unknown:
        raise KerasbindError(f"unknown hyper-parameters: {', '.join(unknown)}")
    complete = {**default_hyperparameters(arch), **given}
    _check_hyperparameters(complete)
    return complete


def _default_encoder(arch: ArchitectureSpec, length: int | None) -> EncoderSpec:
    if length is None:
        raise KerasbindError("build_model needs an encoder or a sequence length")
    return EncoderSpec("kmer" if arch.embedding else "onehot", length)


def compile_model(
    model: keras.Model,
    arch: str | ArchitectureSpec,
    hparams: Mapping[str, Any] | None = None,
    steps_per_execution: int = 1,
) -> None:
    """Binary cross-entropy with SGD (Nesterov momentum) or Adagrad; recurrent models clip each
    weight's gradient to the norm `RNN_CLIPNORM` (Keras ``clipnorm``, per variable).

    JAX always compiles; TensorFlow leaves XLA to Keras's "auto" choice (GPU only) for
    convolution-only models and never uses it for recurrent ones: on CPU XLA made DeepBind three
    times slower to train and LSTMs three times slower (benchmarks/RESULTS.md).
    """
    if isinstance(arch, str):
        arch = resolve_architecture(arch)
    hparams = _complete(arch, hparams)
    clipnorm = RNN_CLIPNORM if arch.rnn else None
    rate = float(hparams["learning_rate"])
    if hparams["optimizer"] == "sgd":
        momentum = float(hparams["momentum"])
        optimizer = keras.optimizers.SGD(rate, momentum=momentum, nesterov=True, clipnorm=clipnorm)
    else:
        # PyTorch's Adagrad (deepRAM): accumulator from 0, not Keras's 0.1 (see docs/models.md)
        optimizer = keras.optimizers.Adagrad(
            rate, initial_accumulator_value=0.0, epsilon=ADAGRAD_EPSILON, clipnorm=clipnorm
        )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.BinaryCrossentropy(),
        jit_compile=True
        if keras.backend.backend() == "jax"
        else ("auto" if arch.rnn is None else False),
        steps_per_execution=steps_per_execution,
    )
