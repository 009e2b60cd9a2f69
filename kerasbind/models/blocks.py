"""Model parts: unknown-column padding, convolution modules, recurrent modules, the head.

Each block takes and returns a Keras tensor of the functional API and uses only ``keras.layers``
(built-in, serialisable layers), so a saved model loads without kerasbind and runs on any backend.

Initial weights, weight decay and dropout follow deepRAM's code (``deepRAM.py``, ``Network``):
``conv_1`` is always drawn from N(0, ``conv_init_std``); deeper convolution layers are Xavier
(N(0, 0.1) when dilated); ``init`` chooses between Xavier and N(0, std) for the recurrent and
dense layers; weight decay λ acts as PyTorch's ``weight_decay`` (λ·w added to the gradient).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras

from kerasbind.models.specs import ArchitectureSpec

UNKNOWN_VALUE = 0.25
# deepRAM draws the dilated layers after the first from N(0, 0.1), whatever the init choice
DILATED_INIT_STD = 0.1


def initializer(hparams: Mapping[str, Any], std_key: str) -> keras.initializers.Initializer:
    """Xavier (Glorot uniform) or a zero-mean normal with the block's own standard deviation."""
    if hparams["init"] == "xavier":
        return keras.initializers.GlorotUniform()
    return keras.initializers.RandomNormal(stddev=hparams[std_key])


def conv_initializer(hparams: Mapping[str, Any], layer: int, dilation: int) -> Any:
    """deepRAM's convolution init: ``conv_1`` N(0, ``conv_init_std``) whatever ``init`` says (it
    is the motif detector); later layers Xavier, or N(0, 0.1) when dilated."""
    if layer == 0:
        return keras.initializers.RandomNormal(stddev=hparams["conv_init_std"])
    if dilation > 1:
        return keras.initializers.RandomNormal(stddev=DILATED_INIT_STD)
    return keras.initializers.GlorotUniform()


def regularizer(hparams: Mapping[str, Any]) -> keras.regularizers.Regularizer | None:
    """Weight decay λ as PyTorch's ``weight_decay``: Keras ``L2(c)`` adds ``2c·w`` to the
    gradient, so ``c = λ / 2`` (none when λ is 0)."""
    decay = float(hparams.get("weight_decay", 0.0))
    return keras.regularizers.L2(decay / 2) if decay > 0 else None


def pad_unknown(x: Any, columns: int) -> Any:
    """Add ``columns`` positions of "unknown" (0.25 in every channel) on both sides of a one-hot
    tensor, so first-layer filters also scan the sequence ends (deepRAM's padding)."""
    x = keras.layers.Rescaling(1.0, offset=-UNKNOWN_VALUE, name="pad_shift")(x)
    x = keras.layers.ZeroPadding1D(columns, name="pad_unknown")(x)
    return keras.layers.Rescaling(1.0, offset=UNKNOWN_VALUE, name="pad_unshift")(x)


def conv_output_length(spec: ArchitectureSpec, positions: int) -> int:
    """Positions left after the convolution stage (each module: valid convolution, pool of 3)."""
    for layer in range(spec.conv_layers):
        dilation = 1 if layer == 0 else spec.dilation
        positions -= dilation * (spec.filter_width - 1) + 2
    return positions


def conv_filters(first: int, layer: int) -> int:
    """Filters of convolution layer ``layer`` (0-based): each layer has 50 % more than the last
    (the paper, §2.3; unlike deepRAM's code, whose ``int(1.5·c·n)`` gives 16/24/48)."""
    return int(first * 1.5**layer)


def conv_stage(
    x: Any, spec: ArchitectureSpec, hparams: Mapping[str, Any], *, pool_last: bool
) -> Any:
    """``spec.conv_layers`` modules of Conv1D(ReLU) + MaxPool(3, stride 1).

    Every layer scans with 'valid' padding, as deepRAM does (one-hot input is padded before
    ``conv_1``); layers after the first use ``spec.dilation``. ``pool_last=False`` drops the last
    local pooling when a global max follows, which gives the same result for less work.
    """
    for layer in range(spec.conv_layers):
        dilation = 1 if layer == 0 else spec.dilation
        x = keras.layers.Conv1D(
            conv_filters(hparams["filters"], layer),
            spec.filter_width,
            dilation_rate=dilation,
            activation="relu",
            kernel_initializer=conv_initializer(hparams, layer, dilation),
            kernel_regularizer=regularizer(hparams),
            bias_regularizer=regularizer(hparams),
            name=f"conv_{layer + 1}",
        )(x)
        if pool_last or layer < spec.conv_layers - 1:
            x = keras.layers.MaxPooling1D(3, strides=1, name=f"pool_{layer + 1}")(x)
    return x


def dropout(x: Any, hparams: Mapping[str, Any], name: str) -> Any:
    """Dropout at rate 1 − ``dropout_keep`` (Table 2's "dropout expectation" is a keep rate)."""
    return keras.layers.Dropout(1.0 - float(hparams["dropout_keep"]), name=name)(x)


def rnn_stage(x: Any, spec: ArchitectureSpec, hparams: Mapping[str, Any]) -> Any:
    """``spec.rnn_layers`` recurrent layers; the output is the last hidden state (for
    bidirectional layers the forward and backward final states, concatenated).

    Input and recurrent kernels share the init (Xavier for both, as deepRAM) and the decay.
    """
    assert spec.rnn is not None
    cell = keras.layers.GRU if spec.rnn.endswith("gru") else keras.layers.LSTM
    bidirectional = spec.rnn.startswith("bi")
    for layer in range(spec.rnn_layers):
        last = layer == spec.rnn_layers - 1
        rnn = cell(
            hparams["rnn_units"],
            return_sequences=not last,
            kernel_initializer=initializer(hparams, "rnn_init_std"),
            recurrent_initializer=initializer(hparams, "rnn_init_std"),
            kernel_regularizer=regularizer(hparams),
            recurrent_regularizer=regularizer(hparams),
            name=f"{spec.rnn.removeprefix('bi')}_{layer + 1}",
        )
        if bidirectional:
            rnn = keras.layers.Bidirectional(rnn, name=f"{spec.rnn}_{layer + 1}")
        x = rnn(x)
    return x


POSITION_BINS = 10  # "positional" pooling: the sequence's maximum and those of up to 10 bins


def pool_sequence(x: Any, pooling: str) -> Any:
    """The last convolution's output ``(positions, channels)`` pooled into features.

    ``"global"``: each channel's maximum over the sequence (``global_max``; deepRAM's DeepBind).
    ``"positional"`` (unlike deepRAM): each channel's maximum over the sequence followed by its
    maxima over `POSITION_BINS` equal bins along it (the last bin may be shorter), so the head
    also sees *where* a filter fired — in CLIP-seq data the crosslink site sits at the centre.
    Features are channel-major (``channel × (1 + bins)``), so one member's channels stay one
    block when models are merged (`kerasbind.models.merge`)."""
    if pooling == "global":
        return keras.layers.GlobalMaxPooling1D(name="global_max")(x)
    width = -(-int(x.shape[1]) // POSITION_BINS)
    overall = keras.layers.GlobalMaxPooling1D(keepdims=True, name="sequence_max")(x)
    bins = keras.layers.MaxPooling1D(width, strides=width, padding="same", name="bin_max")(x)
    both = keras.layers.Concatenate(axis=1, name="positional_max")([overall, bins])
    by_channel = keras.layers.Permute((2, 1), name="by_channel")(both)
    return keras.layers.Flatten(name="positional_features")(by_channel)


def head(x: Any, hparams: Mapping[str, Any]) -> Any:
    """Dropout, an optional ReLU dense layer with its own dropout, the ``logit`` unit and the
    sigmoid ``probability``."""
    x = dropout(x, hparams, "dropout")
    if hparams["dense_units"]:
        x = keras.layers.Dense(
            hparams["dense_units"],
            activation="relu",
            kernel_initializer=initializer(hparams, "dense_init_std"),
            kernel_regularizer=regularizer(hparams),
            bias_regularizer=regularizer(hparams),
            name="dense",
        )(x)
        x = dropout(x, hparams, "dense_dropout")
    x = keras.layers.Dense(
        1,
        kernel_initializer=initializer(hparams, "dense_init_std"),
        kernel_regularizer=regularizer(hparams),
        bias_regularizer=regularizer(hparams),
        name="logit",
    )(x)
    return keras.layers.Activation("sigmoid", name="probability")(x)
