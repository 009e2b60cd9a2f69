"""Window scores along one long sequence, on one or both strands, by the fastest exact path.

`Scanner` takes a Keras model and its `EncoderSpec` (not a run) and scores every window of the
model's length ``L`` starting at ``0, stride, 2·stride, …`` of an integer-code array:

- ``convolutional``: convolution-only models whose windows can be scored from one pass over the
  sequence: one-hot models with one convolution layer and a dense head (deepbind; the kernel
  computes the head too; `kerasbind.scanning.convolution`, or `kerasbind.scanning.positional`
  with positional pooling) and k-mer models with global pooling, without a recurrent stage and
  with k-mer stride 1 (deepbind_e_star);
- ``windows``: every other model (recurrent ones, and one-hot models with several convolution
  layers, whose padded window edges reach too far into the window for one pass to save work):
  window copies made by NumPy stride tricks, encoded and scored in large batches.

Both give the same scores within float tolerance (tests/test_scan_paths.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.errors import KerasbindError
from kerasbind.prediction import PREDICT_BATCH, log_odds_encoded, predict_encoded
from kerasbind.scanning.convolution import KmerConvolution, OneHotConvolution
from kerasbind.scanning.positional import PositionalConvolution, bin_ranges
from kerasbind.scanning.strands import combine_strands
from kerasbind.scanning.windows import reverse_complement, sliding_windows

MODES = ("auto", "convolutional", "windows")
WINDOW_CHUNK = 16384  # windows encoded at a time on the window path (≈ 26 MB of one-hot)
HEAD_BATCH = 1 << 16  # pooled feature rows per call of the head


@dataclass
class StrandScores:
    """Log-odds of the windows starting at ``0, stride, …`` of one sequence."""

    log_odds: np.ndarray  # both strands combined (or the forward strand alone)
    forward: np.ndarray
    reverse: np.ndarray | None


def _layer_names(model: Any) -> list[str]:
    return [layer.name for layer in model.layers]


def _head_model(model: Any) -> Any:
    """The layers after the global maximum up to ``logit``, as a model of the pooled features."""
    import keras

    names = _layer_names(model)
    start = names.index("global_max")
    features = keras.Input((model.get_layer("global_max").output.shape[-1],), name="pooled")
    x = features
    for layer in model.layers[start + 1 : names.index("logit") + 1]:
        x = layer(x)
    return keras.Model(features, x)


POOLED = ("global_max", "positional_features")  # the last layer of either pooling


def _pooled_layer(model: Any) -> str | None:
    names = _layer_names(model)
    return next((name for name in POOLED if name in names), None)


def dense_head(
    model: Any,
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray, float] | None:
    """The head after the pooling as ``(hidden kernel, hidden bias, logit kernel, logit bias)``
    when it is Dropout, an optional ReLU Dense layer (``None, None`` without one) and the linear
    ``logit`` unit, else None."""
    import keras

    names = _layer_names(model)
    dense = [
        layer
        for layer in model.layers[names.index(_pooled_layer(model)) + 1 : names.index("logit") + 1]
        if not isinstance(layer, keras.layers.Dropout)
    ]
    activations = [layer.get_config().get("activation") for layer in dense]
    if not all(isinstance(layer, keras.layers.Dense) for layer in dense):
        return None
    if activations == ["linear"]:
        hidden = hidden_bias = None
    elif activations == ["relu", "linear"]:
        hidden, hidden_bias = (np.asarray(w, np.float32) for w in dense[0].get_weights())
    else:
        return None
    logit, logit_bias = (np.asarray(w, np.float32) for w in dense[-1].get_weights())
    return hidden, hidden_bias, logit[:, 0], float(logit_bias[0])


def _kmer_stage(model: Any) -> Any:
    """A traced function running the embedding and convolution stage of a k-mer model."""
    import tensorflow as tf

    names = _layer_names(model)
    layers = model.layers[1 : names.index("global_max")]

    @tf.function(input_signature=[tf.TensorSpec((1, None), tf.int32)])
    def stage(ids: tf.Tensor) -> tf.Tensor:
        x = ids
        for layer in layers:
            x = layer(x, training=False)
        return x

    return stage


def convolutional_supported(model: Any, encoder: EncoderSpec) -> bool:
    """Whether `Scanner` can score this model's windows in one pass (see the module docstring)."""
    names = set(_layer_names(model))
    pooled = _pooled_layer(model)
    if pooled is None:
        return False
    if encoder.kind == "onehot":
        width = model.get_layer("conv_1").kernel_size[0]
        return "conv_2" not in names and encoder.length >= width and dense_head(model) is not None
    return pooled == "global_max" and encoder.stride == 1


class Scanner:
    """Scores every window of a code array (see the module docstring for the two paths)."""

    def __init__(
        self,
        model: Any,
        encoder: EncoderSpec,
        *,
        mode: str = "auto",
        batch_size: int = PREDICT_BATCH,
    ) -> None:
        if mode not in MODES:
            raise KerasbindError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        supported = convolutional_supported(model, encoder)
        if mode == "convolutional" and not supported:
            raise KerasbindError(
                f"{model.name}: this model cannot be scored in one pass (recurrent, several "
                "one-hot convolution layers, or k-mer stride > 1); use mode='windows'"
            )
        self.model = model
        self.encoder = encoder
        self.window = encoder.length
        self.batch_size = batch_size
        self.mode = "convolutional" if supported and mode != "windows" else "windows"
        self._passes: dict[bool, Any] = {}
        if self.mode == "convolutional" and encoder.kind == "kmer":
            self._head = _head_model(model)

    def _one_pass(self, both: bool) -> Any:
        """The feature pass (`kerasbind.scanning.convolution`), built once per strand choice."""
        if both not in self._passes:
            if self.encoder.kind == "onehot":
                conv = self.model.get_layer("conv_1")
                kernel, bias = (np.asarray(w) for w in conv.get_weights())
                head = dense_head(self.model)
                if _pooled_layer(self.model) == "global_max":
                    one_pass = OneHotConvolution(kernel, bias, self.window, both, head)
                else:
                    positions = self.window + conv.kernel_size[0] - 1
                    ranges = bin_ranges(self.model.get_layer("bin_max"), positions)
                    one_pass = PositionalConvolution(kernel, bias, self.window, both, ranges, head)
                self._passes[both] = one_pass
            else:
                stage = _kmer_stage(self.model)
                probe = stage(np.zeros((1, self.encoder.n_kmers), np.int32))
                self._passes[both] = KmerConvolution(stage, self.encoder, int(probe.shape[1]))
        return self._passes[both]

    def _head_log_odds(self, pooled: np.ndarray) -> np.ndarray:
        return predict_encoded(self._head, np.ascontiguousarray(pooled), HEAD_BATCH)

    def _window_log_odds(self, codes: np.ndarray, stride: int) -> np.ndarray:
        """Forward-strand log-odds of the windows at ``0, stride, …``, window by window."""
        windows = sliding_windows(codes, self.window, stride)
        out = np.empty(len(windows), np.float32)
        for first in range(0, len(windows), WINDOW_CHUNK):
            part = encode_codes(windows[first : first + WINDOW_CHUNK], self.encoder)
            out[first : first + len(part)] = log_odds_encoded(self.model, part, self.batch_size)
        return out

    def _strands(
        self, codes: np.ndarray, stride: int, both: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        if self.mode == "windows":
            forward = self._window_log_odds(codes, stride)
            if not both:
                return forward, None
            # the reverse complement of window s starts at T - L - s of the reversed sequence
            skip = (len(codes) - self.window) % stride
            rc = reverse_complement(codes)[skip:]
            return forward, self._window_log_odds(rc, stride)[::-1]
        one_pass = self._one_pass(both)
        if self.encoder.kind == "onehot":
            log_odds = one_pass.log_odds(codes, stride)
            return log_odds[:, 0], log_odds[:, 1] if both else None
        forward = self._head_log_odds(one_pass.features(codes, stride))
        if not both:
            return forward, None
        skip = (len(codes) - self.window) % stride  # as on the window path
        reverse_pooled = one_pass.features(reverse_complement(codes)[skip:], stride)[::-1]
        return forward, self._head_log_odds(reverse_pooled)

    def scores(
        self, codes: np.ndarray, stride: int = 1, *, both: bool = True, combine: str = "max"
    ) -> StrandScores:
        """Log-odds of the windows at ``0, stride, …`` (``(T - L) // stride + 1`` of them) on
        the forward strand and (``both``) on the reverse complement of each window, combined
        (``combine``: ``max`` or ``mean``)."""
        if len(codes) < self.window:
            empty = np.zeros(0, np.float32)
            return StrandScores(empty, empty, empty if both else None)
        forward, reverse = self._strands(np.asarray(codes, dtype=np.uint8), stride, both)
        if reverse is None:
            return StrandScores(forward, forward, None)
        return StrandScores(combine_strands(forward, reverse, combine), forward, reverse)
