"""The one-pass (fully convolutional) scan gives the window-by-window scores: for one-hot models
the padded window edges are reproduced exactly, for k-mer models there is no padding to mimic."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.models import build_model
from kerasbind.scanning.scanner import Scanner, convolutional_supported
from kerasbind.sequences import UNKNOWN_CODE


@pytest.fixture(scope="module")
def codes() -> np.ndarray:
    """A random sequence with a run of N and an N at each end."""
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 4, 1500).astype(np.uint8)
    codes[200:230] = UNKNOWN_CODE
    codes[0] = codes[-1] = UNKNOWN_CODE
    return codes


def assert_paths_agree(model, encoder, codes, tolerance=2e-5):
    one_pass = Scanner(model, encoder)
    windows = Scanner(model, encoder, mode="windows")
    assert one_pass.mode == "convolutional"
    for stride in (1, 7):
        for both in (True, False):
            fast = one_pass.scores(codes, stride, both=both)
            slow = windows.scores(codes, stride, both=both)
            assert len(fast.log_odds) == (len(codes) - encoder.length) // stride + 1
            scale = max(1.0, float(np.abs(slow.log_odds).max()))
            np.testing.assert_allclose(fast.log_odds, slow.log_odds, atol=tolerance * scale)
            np.testing.assert_allclose(fast.forward, slow.forward, atol=tolerance * scale)


def test_trained_deepbind_one_pass_equals_windows(ctcf_run, codes):
    import kerasbind as kb

    run = kb.load_run(ctcf_run["run_dir"])
    assert_paths_agree(run.model, run.encoder, codes)


@pytest.mark.parametrize("length", [24, 40, 101])
def test_edges_dominate_and_still_agree(codes, length):
    """Filters whose strongest response is at the window edges (a large negative weight on every
    letter, so padding columns score higher than letters): the edge terms decide the maximum."""
    keras.utils.set_random_seed(1)
    encoder = EncoderSpec("onehot", length)
    model = build_model("deepbind", {"filters": 8, "conv_init_std": 1.0}, encoder=encoder)
    conv = model.get_layer("conv_1")
    kernel, bias = conv.get_weights()
    conv.set_weights([kernel - 0.5, bias + 3.0])
    assert_paths_agree(model, encoder, codes)


@pytest.mark.parametrize("filters", [40, 64, 72])
def test_filters_in_several_tiles_agree(codes, filters):
    """More filter columns than one tile of the kernel (64; both strands double them): the
    tiles, the last completed with zero filters, give the windows' scores."""
    keras.utils.set_random_seed(4)
    encoder = EncoderSpec("onehot", 60)
    model = build_model("deepbind", {"filters": filters, "conv_init_std": 0.5}, encoder=encoder)
    assert_paths_agree(model, encoder, codes)


def test_head_without_dense_layer_agrees(codes):
    """The one pass computes the head itself: with no hidden dense layer, pooled → logit."""
    keras.utils.set_random_seed(3)
    encoder = EncoderSpec("onehot", 60)
    model = build_model("deepbind", {"filters": 8, "dense_units": 0}, encoder=encoder)
    assert "dense" not in [layer.name for layer in model.layers]
    assert_paths_agree(model, encoder, codes)


def test_kmer_convolution_stage_runs_once(codes):
    keras.utils.set_random_seed(2)
    encoder = EncoderSpec("kmer", 101)
    model = build_model("deepbind_e_star", encoder=encoder)
    assert_paths_agree(model, encoder, codes)


@pytest.mark.parametrize(
    ("arch", "encoder"),
    [
        ("deepbind_star", EncoderSpec("onehot", 101)),
        ("danq", EncoderSpec("onehot", 101)),
        ("deepbind_e_star", EncoderSpec("kmer", 101, stride=2)),
    ],
)
def test_other_models_run_window_by_window(arch, encoder):
    model = build_model(arch, encoder=encoder)
    assert not convolutional_supported(model, encoder)
    assert Scanner(model, encoder).mode == "windows"


@pytest.mark.parametrize(
    ("length", "dense_units", "shift"),
    [(101, 32, 0.0), (101, 0, 0.0), (40, 32, -0.5), (24, 0, -0.5), (57, 32, 0.0)],
)
def test_positional_pooling_one_pass_equals_windows(codes, length, dense_units, shift):
    """Positional pooling (a filter's maximum over the window and over each bin of it) in one
    pass: bins that hold left-edge rows, full convolutions and right-edge rows, uneven bins at
    odd lengths, mirrored bins on the reverse strand; with ``shift`` the edges dominate."""
    keras.utils.set_random_seed(4)
    encoder = EncoderSpec("onehot", length)
    hparams = {"filters": 8, "pooling": "positional", "dense_units": dense_units}
    model = build_model("deepbind", {**hparams, "conv_init_std": 1.0}, encoder=encoder)
    conv = model.get_layer("conv_1")
    kernel, bias = conv.get_weights()
    conv.set_weights([kernel + shift, bias + 3.0 * (shift != 0)])
    assert convolutional_supported(model, encoder)
    assert_paths_agree(model, encoder, codes)


def test_positional_window_path_scores_each_window_as_the_model_does(codes):
    encoder = EncoderSpec("onehot", 101)
    model = build_model("deepbind", {"pooling": "positional"}, encoder=encoder)
    scores = Scanner(model, encoder, mode="windows").scores(codes[:400], 50, both=False)
    windows = np.stack([codes[start : start + 101] for start in range(0, 300, 50)])
    expected = model.predict(encode_codes(windows, encoder), verbose=0).ravel()
    probability = 1 / (1 + np.exp(-scores.log_odds.astype(np.float64)))
    np.testing.assert_allclose(probability, expected, atol=1e-5)


def test_positional_kmer_models_run_window_by_window():
    encoder = EncoderSpec("kmer", 101)
    model = build_model("deepbind_e_star", {"pooling": "positional"}, encoder=encoder)
    assert not convolutional_supported(model, encoder)


def test_merged_positional_ensemble_one_pass_equals_windows(codes):
    """Three positional deepbinds merged into one model (filters side by side, block-diagonal
    head) scan in one pass like any positional model."""
    from kerasbind.models import ARCHITECTURES
    from kerasbind.models.merge import merge_models

    encoder = EncoderSpec("onehot", 101)
    hparams = {"filters": 8, "pooling": "positional", "dense_units": 32}
    members = []
    for seed in range(3):
        keras.utils.set_random_seed(10 + seed)
        members.append(build_model("deepbind", hparams, encoder=encoder))
    merged = merge_models(members, ARCHITECTURES["deepbind"], hparams, encoder)
    assert_paths_agree(merged, encoder, codes)
