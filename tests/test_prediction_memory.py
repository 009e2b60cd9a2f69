"""Training and prediction keep nothing alive: models that trained and predicted, and the
graphs their training traced, are garbage-collected."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from kerasbind.encoding import EncoderSpec, encode
from kerasbind.models import (
    build_model,
    compile_model,
    default_hyperparameters,
    resolve_architecture,
)
from kerasbind.prediction import predict_encoded
from kerasbind.simulate import simulate_config
from kerasbind.training import train_steps


@pytest.fixture(scope="module")
def easy() -> tuple[EncoderSpec, np.ndarray, np.ndarray]:
    """256 one-hot sequences of the easy simulation with their labels."""
    train, _ = simulate_config("easy")
    encoder = EncoderSpec("onehot", len(train.sequences[0]))
    x = encode(train.sequences[:256], encoder)
    return encoder, x, np.asarray(train.labels[:256], dtype=np.float32)


def test_models_that_predicted_are_collected(easy) -> None:
    """20 models each train briefly (validation AUC through `predict_encoded` at every
    checkpoint) and predict; once dropped, every one is collected."""
    encoder, x, y = easy
    arch = resolve_architecture("deepbind")
    references = []
    for seed in range(20):
        model = build_model(arch, default_hyperparameters(arch), encoder)
        compile_model(model, arch, default_hyperparameters(arch))
        train_steps(
            model, x, y, steps=4, eval_every=2, validation=(x, y), seed=seed, progress=False
        )
        assert predict_encoded(model, x[:10]).shape == (10,)
        references.append(weakref.ref(model))
        del model
    gc.collect()
    alive = sum(reference() is not None for reference in references)
    assert alive == 0, f"{alive} of 20 models are still alive"


def _training_graphs() -> int:
    """Live traced graphs of Keras training steps."""
    import tensorflow as tf

    return sum(
        isinstance(o, tf.Graph) and getattr(o, "name", "").startswith("one_step_on_data")
        for o in gc.get_objects()
    )


def test_training_graphs_are_collected_with_their_models(easy) -> None:
    """Each trace of a training step used to leave its graph in TensorFlow's gradient registry
    (through the optimizer's ``tf.custom_gradient``): a search's process grew by each trial's
    graphs. Five models train, each traced anew; once dropped, none of their graphs is alive."""
    encoder, x, y = easy
    arch = resolve_architecture("deepbind")
    gc.collect()
    before = _training_graphs()
    for seed in range(5):
        model = build_model(arch, default_hyperparameters(arch), encoder)
        compile_model(model, arch, default_hyperparameters(arch))
        train_steps(model, x, y, steps=4, eval_every=2, seed=seed, progress=False)
        del model
    gc.collect()
    assert _training_graphs() - before == 0
