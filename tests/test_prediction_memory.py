"""Prediction keeps no model alive: models that trained and predicted are garbage-collected."""

from __future__ import annotations

import gc
import weakref

import numpy as np

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


def test_models_that_predicted_are_collected() -> None:
    """20 models each train briefly (validation AUC through `predict_encoded` at every
    checkpoint) and predict; once dropped, every one is collected."""
    train, _ = simulate_config("easy")
    encoder = EncoderSpec("onehot", len(train.sequences[0]))
    x = encode(train.sequences[:256], encoder)
    y = np.asarray(train.labels[:256], dtype=np.float32)
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
