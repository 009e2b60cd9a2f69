"""Step-based training: exact step counts, checkpoints, early stop, seeds, learning a motif."""

from __future__ import annotations

import numpy as np
import pytest

from kerasbind.errors import KerasbindError
from kerasbind.models import (
    build_model,
    compile_model,
    default_hyperparameters,
    resolve_architecture,
)
from kerasbind.pipeline import encode_set, fit_model, hold_out, prepare_inputs
from kerasbind.prediction import binary_metrics, predict_encoded, predict_sequences
from kerasbind.sequences import SequenceSet
from kerasbind.simulate import simulate_config
from kerasbind.training import batch_stream, checkpoints, steps_per_execution, train_steps


@pytest.fixture(scope="module")
def planted() -> tuple[SequenceSet, SequenceSet]:
    """CTCF planted in every positive; negatives are dinucleotide shuffles."""
    return simulate_config("easy")


def test_checkpoint_schedule() -> None:
    assert checkpoints(2000, 500) == [500, 1000, 1500, 2000]
    assert checkpoints(1200, 500) == [500, 1000, 1200]
    assert checkpoints(300, 500) == [300]
    assert steps_per_execution(500) == 25 and steps_per_execution(7) == 7
    assert steps_per_execution(37) == 1


@pytest.mark.parametrize("members", [1, 3])
def test_batch_stream_turns_tf_data_autotuning_off(members: int) -> None:
    """With autotuning on, the end of ``fit`` waited for tf.data's autotune thread to wake: a
    recurrent model's 600 steps took 41 s instead of 26 s (benchmarks/RESULTS.md)."""
    x, y = np.zeros((300, 101, 4), np.float32), np.arange(300) % 2
    if members == 1:
        stream = batch_stream(x, y, batch_size=128, seed=0)
    else:
        stream = batch_stream([x] * members, [y] * members, batch_size=128, seed=[1, 2, 3])
    assert stream.options().autotune.enabled is False
    features, labels = next(iter(stream))
    first = (features, labels) if members == 1 else (features[0], labels[0])
    assert [np.shape(part) for part in first] == [(128, 101, 4), (128, 1)]


def test_exact_steps_checkpoints_and_early_stop(planted) -> None:
    train, _ = planted
    arch = resolve_architecture("deepbind")
    prepared = prepare_inputs(arch, train.subset(np.arange(600)))
    model = build_model(arch, default_hyperparameters(arch), prepared.encoder)
    compile_model(model, arch, default_hyperparameters(arch))
    validation = (prepared.x[:200], prepared.y[:200])
    history = train_steps(
        model,
        prepared.x,
        prepared.y,
        steps=23,
        eval_every=10,
        validation=validation,
        progress=False,
    )
    assert history.steps == [10, 20, 23]
    assert int(model.optimizer.iterations.numpy()) == 23
    assert all(0.0 <= auc <= 1.0 for auc in history.val_auc) and len(history.loss) == 3
    seen = []
    stopped = train_steps(
        model,
        prepared.x,
        prepared.y,
        steps=50,
        eval_every=10,
        progress=False,
        on_checkpoint=lambda step, auc: seen.append((step, auc)) or step >= 20,
    )
    assert stopped.steps == [10, 20] and seen == [(10, None), (20, None)]
    assert int(model.optimizer.iterations.numpy()) == 43
    train_steps(model, prepared.x, prepared.y, steps=5, eval_every=5, progress=False)
    assert int(model.optimizer.iterations.numpy()) == 48  # an early stop does not carry over


@pytest.mark.parametrize("name", ["deepbind", "deepbind_e_star"])
def test_same_seed_same_model(planted, name: str) -> None:
    """The same weights to the last bit, one-hot and k-mer models alike (the embedding's sparse
    gradients were summed in thread order until seeding turned deterministic kernels on)."""
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("on a GPU seeding leaves deterministic kernels off (runtime.py)")
    train, _ = planted
    arch = resolve_architecture(name)
    prepared = prepare_inputs(arch, train.subset(np.arange(400)))
    runs = [
        fit_model(
            arch,
            default_hyperparameters(arch),
            prepared,
            steps=60,
            eval_every=60,
            seed=3,
            progress=False,
        )[0]
        for _ in range(2)
    ]
    for first, second in zip(runs[0].weights, runs[1].weights, strict=True):
        np.testing.assert_array_equal(first.numpy(), second.numpy())


@pytest.mark.parametrize(("name", "steps"), [("deepbind", 150), ("ecblstm", 250)])
def test_planted_motif_is_learned(planted, name: str, steps: int) -> None:
    train, test = planted
    arch = resolve_architecture(name)
    prepared = prepare_inputs(arch, train, seed=0)
    model, _ = fit_model(
        arch,
        default_hyperparameters(arch),
        prepared,
        steps=steps,
        eval_every=steps,
        seed=0,
        progress=False,
    )
    prob = predict_sequences(model, prepared.encoder, test.sequences)
    assert binary_metrics(test.labels, prob)["auc_roc"] >= 0.9


def test_binary_metrics() -> None:
    metrics = binary_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    assert metrics == {
        "auc_roc": 0.75,
        "auc_pr": pytest.approx(0.8333, abs=1e-3),
        "n": 4,
        "n_positive": 2,
    }
    with pytest.raises(KerasbindError, match="both classes"):
        binary_metrics(np.ones(3), np.ones(3))


def test_hold_out_is_stratified(planted) -> None:
    train, _ = planted
    rest, held = hold_out(train, 0.1, seed=0)
    assert len(rest) + len(held) == len(train)
    assert held.n_positive == 200 and len(held) == 400
    assert not set(rest.ids) & set(held.ids)


def test_predict_sequences_matches_encoded(planted) -> None:
    train, test = planted
    arch = resolve_architecture("eclstm")
    prepared = prepare_inputs(arch, train.subset(np.arange(300)))
    model = build_model(arch, default_hyperparameters(arch), prepared.encoder)
    compile_model(model, arch, default_hyperparameters(arch))
    subset = test.subset(np.arange(70))
    np.testing.assert_allclose(
        predict_sequences(
            model, prepared.encoder, subset.sequences, batch_size=16, strand="forward"
        ),
        predict_encoded(model, encode_set(prepared.encoder, subset)),
        rtol=1e-5,
    )


def test_progress_without_a_terminal_is_one_line_per_checkpoint(planted, capsys) -> None:
    train, _ = planted
    arch = resolve_architecture("deepbind")
    prepared = prepare_inputs(arch, train.subset(np.arange(300)))
    model = build_model(arch, default_hyperparameters(arch), prepared.encoder)
    compile_model(model, arch, default_hyperparameters(arch))
    validation = (prepared.x[:100], prepared.y[:100])
    train_steps(model, prepared.x, prepared.y, steps=20, eval_every=10, validation=validation)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    assert [line.split("  ")[0] for line in lines] == [
        "training: step 10/20",
        "training: step 20/20",
    ]
    assert all("val auc 0." in line and "loss " in line for line in lines)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_filters_survive_the_first_steps(planted, seed: int) -> None:
    """With the default hyper-parameters, DeepBind's filters on one-hot input stay alive: the
    first Adagrad step (PyTorch's, from accumulator 0) moves every weight by the learning rate,
    which with N(0, 0.01) filters left 1-3 of 16 silent here for good (7-8 of 16 on PUM2)."""
    import keras

    train, _ = planted
    arch = resolve_architecture("deepbind")
    prepared = prepare_inputs(arch, train, seed=0)
    model, _ = fit_model(arch, default_hyperparameters(arch), prepared, steps=50,
                         eval_every=50, seed=seed, progress=False)  # fmt: skip
    conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D))
    response = keras.Model(model.inputs, conv.output).predict(prepared.x, verbose=0)
    silent = int(np.sum(response.max(axis=(0, 1)) <= 0))
    assert silent == 0, f"{silent} of {response.shape[-1]} filters never fire"
