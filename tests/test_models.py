"""The nine architectures: layer layout, parameter counts by formula, padding, composition."""

from __future__ import annotations

import copy
import json

import keras
import numpy as np
import pytest

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.models import (
    ARCHITECTURES,
    ArchitectureSpec,
    build_model,
    compile_model,
    default_hyperparameters,
    resolve_architecture,
)

LENGTH = 101
HPARAMS = {**default_hyperparameters(ARCHITECTURES["deepbind"]), "filters": 16, "rnn_units": 20}


def encoder_for(arch: ArchitectureSpec) -> EncoderSpec:
    return EncoderSpec("kmer" if arch.embedding else "onehot", LENGTH, k=3, stride=1)


def expected_parameters(arch: ArchitectureSpec, filters: int, units: int, dense: int) -> int:
    """Parameter count written out from the definitions (paper Table 1 and 2)."""
    total, channels = 0, 4
    if arch.embedding:
        total += (4**3 + 1) * 50
        channels = 50
    width = 10 if arch.embedding else 24
    for layer in range(arch.conv_layers):
        out = int(filters * 1.5**layer)  # 16, 24, 36
        total += width * channels * out + out
        channels = out
    for _ in range(arch.rnn_layers if arch.rnn else 0):
        gates, biases = (4, 1) if "lstm" in arch.rnn else (3, 2)  # Keras GRU: reset_after
        one_way = gates * (units * (channels + units) + biases * units)
        directions = 2 if arch.rnn.startswith("bi") else 1
        total += directions * one_way
        channels = directions * units
    if dense:
        total += channels * dense + dense
        channels = dense
    return total + channels + 1


@pytest.mark.parametrize(
    ("name", "dense"), [(name, (0, 32)[i % 2]) for i, name in enumerate(ARCHITECTURES)]
)
def test_layout_and_parameter_count(name: str, dense: int) -> None:
    arch = ARCHITECTURES[name]
    encoder = encoder_for(arch)
    model = build_model(arch, {**HPARAMS, "dense_units": dense}, encoder)
    assert model.count_params() == expected_parameters(arch, 16, 20, dense)
    names = [layer.name for layer in model.layers]
    assert model.inputs[0].name == "encoded"
    assert tuple(model.input_shape[1:]) == encoder.input_shape
    assert model.output_shape == (None, 1)
    assert names[-2:] == ["logit", "probability"]
    assert model.get_layer("probability").activation is keras.activations.sigmoid
    assert ("embedding" in names) == arch.embedding
    assert ("pad_unknown" in names) == (not arch.embedding)
    conv = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [layer.name for layer in conv] == [f"conv_{i + 1}" for i in range(arch.conv_layers)]
    assert [layer.filters for layer in conv] == [16, 24, 36][: arch.conv_layers]
    for index, layer in enumerate(conv):
        assert layer.activation is keras.activations.relu
        assert layer.kernel_size == (arch.filter_width,)
        assert layer.dilation_rate == ((arch.dilation if index else 1),)
    recurrent = [
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)
    ]
    assert len(recurrent) == (arch.rnn_layers if arch.rnn else 0)
    assert ("global_max" in names) == (arch.rnn is None)
    assert ("dense" in names) == bool(dense)
    if arch.conv_layers:
        # one-hot: conv_1 scans (width - 1) padding columns on each side: L + width - 1 outputs;
        # k-mer ids: L - k + 1 = 99 positions, valid convolution: 99 - width + 1. Then each
        # further module: a pool of 3 and a valid (dilated) convolution.
        width = arch.filter_width
        positions = LENGTH + width - 1 if not arch.embedding else LENGTH - 2 - width + 1
        assert model.get_layer("conv_1").output.shape[1] == positions
        for index in range(2, arch.conv_layers + 1):
            positions -= 2 + (width - 1) * arch.dilation
            assert model.get_layer(f"conv_{index}").output.shape[1] == positions


def test_table_1() -> None:
    table = {
        name: (a.embedding, a.conv_layers, a.dilation, a.rnn) for name, a in ARCHITECTURES.items()
    }
    assert table == {
        "deepbind": (False, 1, 1, None),
        "deepbind_star": (False, 3, 1, None),
        "dilated": (False, 3, 2, None),
        "danq": (False, 1, 1, "bilstm"),
        "danq_star": (False, 3, 1, "bilstm"),
        "deepbind_e_star": (True, 3, 1, None),
        "kegru": (True, 0, 1, "bigru"),
        "eclstm": (True, 1, 1, "lstm"),
        "ecblstm": (True, 1, 1, "bilstm"),
    }


def test_one_hot_padding_is_unknown() -> None:
    arch = ARCHITECTURES["deepbind"]
    model = build_model(arch, HPARAMS, encoder_for(arch))
    padded = keras.Model(model.input, model.get_layer("pad_unshift").output)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (2, LENGTH))]
    out = keras.ops.convert_to_numpy(padded(x))
    assert out.shape == (2, LENGTH + 2 * 23, 4)
    np.testing.assert_allclose(out[:, :23], 0.25)
    np.testing.assert_allclose(out[:, -23:], 0.25)
    np.testing.assert_allclose(out[:, 23:-23], x, atol=1e-7)


def test_bidirectional_output_is_both_last_states() -> None:
    arch = resolve_architecture("kegru", rnn="bilstm")
    model = build_model(arch, HPARAMS, encoder_for(arch))
    bi = model.get_layer("bilstm_1")
    x = np.random.default_rng(1).normal(size=(3, 7, 50)).astype(np.float32)
    joined = keras.ops.convert_to_numpy(bi(x))
    forward = keras.ops.convert_to_numpy(bi.forward_layer(x))
    backward = keras.ops.convert_to_numpy(bi.backward_layer(x))  # reads x from the end
    assert bi.backward_layer.go_backwards
    np.testing.assert_allclose(joined, np.concatenate([forward, backward], axis=1), atol=1e-5)


def test_resolve_architecture_overrides() -> None:
    assert resolve_architecture("danq") is ARCHITECTURES["danq"]
    assert resolve_architecture("danq", rnn="bilstm") is ARCHITECTURES["danq"]
    custom = resolve_architecture("danq", rnn="gru", rnn_layers=2, conv_layers=2, embedding=True)
    assert (custom.name, custom.rnn, custom.rnn_layers, custom.conv_layers, custom.embedding) == (
        "custom(danq)",
        "gru",
        2,
        2,
        True,
    )
    model = build_model(custom, HPARAMS, encoder_for(custom))
    assert model.count_params() == expected_parameters(custom, 16, 20, HPARAMS["dense_units"])
    with pytest.raises(KerasbindError, match="neither"):
        resolve_architecture("deepbind", conv_layers=0)
    with pytest.raises(KerasbindError, match="unknown architecture"):
        resolve_architecture("deepsea")


def test_normal_initialisation_uses_its_std() -> None:
    arch = ARCHITECTURES["deepbind"]
    hparams = {**HPARAMS, "init": "normal", "conv_init_std": 1e-3, "dense_init_std": 0.1}
    model = build_model(arch, hparams, encoder_for(arch))
    assert np.std(model.get_layer("conv_1").kernel.numpy()) == pytest.approx(1e-3, rel=0.1)
    assert np.std(model.get_layer("dense").kernel.numpy()) == pytest.approx(0.1, rel=0.2)


def test_wrong_encoder_or_hparams_refused() -> None:
    with pytest.raises(KerasbindError, match="too short"):
        build_model(ARCHITECTURES["dilated"], HPARAMS, EncoderSpec("onehot", 40))
    with pytest.raises(KerasbindError, match="one-hot"):
        build_model(ARCHITECTURES["deepbind"], HPARAMS, EncoderSpec("kmer", LENGTH))
    with pytest.raises(KerasbindError, match="optimizer"):
        build_model(
            ARCHITECTURES["deepbind"], {**HPARAMS, "optimizer": "adam"}, EncoderSpec("onehot", 50)
        )


def _layer_names(model: keras.Model) -> list[str]:
    return [layer.name for layer in model.layers]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_dropout_where_deepram_puts_it(name: str) -> None:
    """deepRAM (``Network.forward``): dropout between the convolution stage and the RNN, on the
    RNN's last state or the global max, and after the hidden dense layer; rate 1 − keep."""
    arch = ARCHITECTURES[name]
    model = build_model(arch, {**HPARAMS, "dense_units": 32, "dropout_keep": 0.7}, length=LENGTH)
    names = _layer_names(model)
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [layer.rate for layer in dropouts] == pytest.approx([0.3] * len(dropouts))
    hybrid = arch.rnn is not None and arch.conv_layers > 0
    assert ("conv_dropout" in names) == hybrid
    if hybrid:
        rnn = next(n for n in names if n.startswith(arch.rnn))
        assert names.index(f"pool_{arch.conv_layers}") + 1 == names.index("conv_dropout")
        assert names.index("conv_dropout") + 1 == names.index(rnn)
    before_head = "global_max" if arch.rnn is None else f"{arch.rnn}_{arch.rnn_layers}"
    assert names[names.index(before_head) :] == [
        before_head,
        "dropout",
        "dense",
        "dense_dropout",
        "logit",
        "probability",
    ]
    without_dense = _layer_names(build_model(arch, {"dense_units": 0}, length=LENGTH))
    assert "dense_dropout" not in without_dense


def test_dropout_is_active_in_training_only() -> None:
    model = build_model("danq", {"dropout_keep": 0.4, "rnn_units": 8}, length=60)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(2).integers(0, 4, (16, 60))]
    inference = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(inference, keras.ops.convert_to_numpy(model(x, training=False)))
    assert not np.allclose(inference, keras.ops.convert_to_numpy(model(x, training=True)))


@pytest.mark.parametrize("name", ["danq", "ecblstm", "dilated"])
def test_build_by_name_is_uncompiled_and_round_trips(name: str) -> None:
    model = build_model(name, length=LENGTH)
    assert not model.compiled
    assert model.input_shape[1:] == encoder_for(ARCHITECTURES[name]).input_shape
    config = model.get_config()
    again = keras.Model.from_config(copy.deepcopy(config))  # from_config consumes its argument
    assert again.get_config() == config
    assert "weights" not in json.dumps(config)
    again.set_weights(model.get_weights())
    x = encode_example(ARCHITECTURES[name])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(again(x)), keras.ops.convert_to_numpy(model(x)), atol=1e-6
    )
    compile_model(model, name, {"learning_rate": 0.02})  # compiling is a separate step
    assert model.compiled and float(model.optimizer.learning_rate) == pytest.approx(0.02)
    with pytest.raises(KerasbindError, match="length"):
        build_model(name)
    with pytest.raises(KerasbindError, match="unknown hyper-parameters: filter"):
        build_model(name, {"filter": 8}, length=LENGTH)


def encode_example(arch: ArchitectureSpec) -> np.ndarray:
    from kerasbind.encoding import encode

    rng = np.random.default_rng(3)
    sequences = ["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(4)]
    return encode(sequences, encoder_for(arch))


def test_initialisation_and_decay_mean_what_they_mean_in_deeprams_code() -> None:
    """conv_1 ~ N(0, conv_init_std) under Xavier too; deeper layers Xavier (dilated: N(0, 0.1));
    recurrent kernels Xavier and decayed; L2 = λ/2 so the gradient gains λ·w (PyTorch)."""
    hparams = {**HPARAMS, "init": "xavier", "conv_init_std": 1e-3, "weight_decay": 0.2}
    model = build_model(resolve_architecture("danq", conv_layers=2), hparams, length=LENGTH)
    assert np.std(model.get_layer("conv_1").kernel.numpy()) == pytest.approx(1e-3, rel=0.1)
    conv_2 = model.get_layer("conv_2")
    limit = np.sqrt(6 / (24 * 16 + 24 * 24))  # Glorot uniform, fan in + fan out
    assert np.abs(conv_2.kernel.numpy()).max() <= limit
    assert np.std(conv_2.kernel.numpy()) == pytest.approx(limit / np.sqrt(3), rel=0.1)
    dilated = build_model("dilated", hparams, length=LENGTH)
    assert np.std(dilated.get_layer("conv_3").kernel.numpy()) == pytest.approx(0.1, rel=0.1)
    forward = model.get_layer("bilstm_1").forward_layer
    assert isinstance(forward.cell.recurrent_initializer, keras.initializers.GlorotUniform)
    assert forward.cell.recurrent_regularizer is not None
    # the penalty is (λ/2)·Σw², whose gradient is λ·w
    dense = model.get_layer("dense")
    penalty = float(dense.kernel_regularizer(dense.kernel))
    assert penalty == pytest.approx(0.1 * float(np.sum(dense.kernel.numpy() ** 2)), rel=1e-5)


def test_adagrad_starts_its_accumulator_at_zero_as_pytorch() -> None:
    """First Adagrad step of PyTorch: w -= lr · g / (sqrt(g²) + 1e-10), i.e. lr · sign(g)."""
    arch = ARCHITECTURES["deepbind"]
    hparams = {**HPARAMS, "optimizer": "adagrad", "learning_rate": 0.05, "weight_decay": 0.0}
    model = build_model(arch, hparams, length=LENGTH)
    compile_model(model, arch, hparams)
    x = encode_example(arch)
    y = np.array([1, 0, 1, 0], dtype=np.float32)
    before = model.get_layer("logit").kernel.numpy().copy()
    model.train_on_batch(x, y)
    step = model.get_layer("logit").kernel.numpy() - before
    moved = np.abs(step[np.abs(step) > 0])
    assert moved.size and (moved <= 0.05 * (1 + 1e-3)).all()
    # a gradient within a few 1e-10 of zero moves less (oneDNN's rounding makes a few); Keras's
    # own start (accumulator 0.1) would move almost none of them by the whole learning rate
    assert np.mean(np.isclose(moved, 0.05, rtol=1e-3)) >= 0.9


def test_positional_pooling_features_and_what_it_can_learn() -> None:
    """ "positional" gives the head each filter's maximum over the sequence and over 10 bins;
    so a label that depends on *where* a motif sits (centre: bound, edge: unbound) is learned,
    which the global maximum cannot see."""
    from kerasbind.encoding import encode_codes
    from kerasbind.runtime import set_seed
    from kerasbind.training import train_steps

    encoder = EncoderSpec("onehot", LENGTH)
    model = build_model("deepbind", {"filters": 8, "pooling": "positional"}, encoder)
    positions = LENGTH + 2 * 23 - 24 + 1  # padded one-hot, valid convolution
    assert model.get_layer("positional_features").output.shape[-1] == 8 * (1 + 10)
    assert model.get_layer("bin_max").output.shape[1] == -(-positions // -(-positions // 10))
    assert "global_max" not in [layer.name for layer in model.layers]

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(4000, LENGTH)).astype(np.uint8)
    labels = (np.arange(4000) % 2).astype("float32")
    motif = np.array([0, 1, 2, 3, 3, 2, 1, 0], np.uint8)  # ACGTTGCA
    starts = np.where(labels == 1, 46, rng.choice([2, 90], size=4000))
    for row, start in enumerate(starts):
        codes[row, start : start + 8] = motif
    x = encode_codes(codes, encoder)
    aucs = {}
    for pooling in ("global", "positional"):
        set_seed(0)
        hparams = {"filters": 8, "pooling": pooling}
        model = build_model("deepbind", hparams, encoder)
        compile_model(model, resolve_architecture("deepbind"), {**HPARAMS, **hparams})
        history = train_steps(
            model, x[:3000], labels[:3000], steps=600, eval_every=600,
            validation=(x[3000:], labels[3000:]), seed=0, progress=False,
        )  # fmt: skip
        aucs[pooling] = history.val_auc[-1]
    assert aucs["positional"] > 0.95, aucs
    assert aucs["global"] < 0.7, aucs
