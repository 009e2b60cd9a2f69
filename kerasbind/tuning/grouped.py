"""The k folds of a trial (or the final models of a search) as one grouped model: one step
updates every member on its own batch.

The members share no weights and the loss is the sum of their losses, so each member's gradient
is exactly its own model's: SGD, Adagrad and per-variable gradient clipping act on each member
as they would alone. Each member is built with its fold's seed, so it starts from the weights
the fold would start from on its own. What grouping buys is fewer, larger steps of the compiled
loop (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasbind.models import ArchitectureSpec, build_model
from kerasbind.models.builder import compile_model
from kerasbind.pipeline import PreparedInputs
from kerasbind.prediction import held_out_auc
from kerasbind.runtime import set_seed


class FoldGroup:
    """``members[f]`` is fold ``f``'s model; ``model`` trains them all at once."""

    def __init__(
        self,
        arch: ArchitectureSpec,
        hparams: dict[str, Any],
        prepared: PreparedInputs,
        seeds: list[int],
        freeze_embedding: bool = False,
    ) -> None:
        self.members = []
        self.built_name = ""  # the builder's model name; members are renamed to be unique
        for fold, seed in enumerate(seeds, start=1):
            set_seed(seed)
            member = build_model(
                arch, hparams, prepared.encoder, prepared.embedding_matrix, freeze_embedding
            )
            self.built_name, member.name = member.name, f"fold{fold}"
            self.members.append(member)
        inputs = [
            keras.Input(m.input_shape[1:], dtype=m.inputs[0].dtype, name=f"fold{f}_encoded")
            for f, m in enumerate(self.members, start=1)
        ]
        self.model = keras.Model(
            inputs, [m(i) for m, i in zip(self.members, inputs, strict=True)], name="folds"
        )
        compile_model(self.model, arch, hparams)

    def validation_auc(self, validation: list[tuple[np.ndarray, ...]]) -> list[float]:
        """Each member's AUC on its own validation fold (``(x, y)`` or ``(x, y, x_reverse)``,
        see `kerasbind.prediction.held_out_auc`)."""
        return [
            held_out_auc(member, *fold)
            for member, fold in zip(self.members, validation, strict=True)
        ]

    def save(self, path: Path) -> None:
        """Weights and optimizer state (Hyperband continues a trial from them)."""
        arrays = [*self.model.get_weights(), *(v.numpy() for v in self.model.optimizer.variables)]
        np.savez(path, *arrays)

    def load(self, path: Path) -> None:
        """Restore what `save` wrote."""
        with np.load(path) as saved:
            arrays = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        weights = len(self.model.weights)
        self.model.set_weights(arrays[:weights])
        self.model.optimizer.build(self.model.trainable_variables)
        for variable, value in zip(self.model.optimizer.variables, arrays[weights:], strict=True):
            variable.assign(value)
