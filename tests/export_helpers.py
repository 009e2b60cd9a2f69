"""Small models and run folders for the export and serving tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kerasbind.encoding import EncoderSpec
from kerasbind.models import (
    build_model,
    compile_model,
    default_hyperparameters,
    resolve_architecture,
)
from kerasbind.run import save_run

LENGTH = 80  # the shortest the three-layer dilated stack accepts is 76


def random_sequences(n: int, seed: int = 0, longest: int = 2 * LENGTH) -> list[str]:
    """Odd lengths (1 to ``longest``), lower case, ``U``, ``N`` and other IUPAC codes."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("ACGTACGTACGTacgtUuNnRYkm"))
    return ["".join(rng.choice(letters, size=rng.integers(1, longest + 1))) for _ in range(n)]


def tiny_model(arch_name: str, embedding: bool | None = None, seed: int = 0):
    """An untrained model with weights large enough that every input position matters."""
    overrides = {} if embedding is None else {"embedding": embedding}
    arch = resolve_architecture(arch_name, **overrides)
    encoder = EncoderSpec("kmer" if arch.embedding else "onehot", LENGTH)
    hparams = {**default_hyperparameters(arch), "filters": 4, "rnn_units": 4, "dense_units": 4}
    model = build_model(arch, hparams, encoder)
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        fan_in = int(np.prod(weight.shape[:-1])) if len(weight.shape) > 1 else 10
        scale = 2.0 / np.sqrt(fan_in)
        weight.assign(rng.normal(0.0, scale, weight.shape).astype("float32"))
    return arch, hparams, encoder, model


def tiny_run(path: Path, arch_name: str = "deepbind", seed: int = 0) -> Path:
    """A run folder as ``kerasbind train`` writes it, holding a `tiny_model`."""
    arch, hparams, encoder, model = tiny_model(arch_name, seed=seed)
    config = {
        "architecture": arch.to_dict(),
        "hyperparameters": hparams,
        "encoder": encoder.to_dict(),
    }
    compile_model(model, arch, hparams)
    model.optimizer.build(model.trainable_variables)  # saved as a trained model would be
    save_run(path, model, config)
    return path
