"""The k folds of a trial (or the final models of a search) as one grouped model: one step
updates every member on its own batch.

The members share no weights and the loss is the sum of their losses, so each member's gradient
is exactly its own model's: SGD, Adagrad and per-variable gradient clipping act on each member
as they would alone. Each member is built with its fold's seed, so it starts from the weights
the fold would start from on its own. What grouping buys is fewer, larger steps of the compiled
loop (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasbind.files import npy_header
from kerasbind.models import ArchitectureSpec, build_model
from kerasbind.models.builder import compile_model
from kerasbind.pipeline import PreparedInputs
from kerasbind.prediction import held_out_auc
from kerasbind.runtime import set_seed

META = "meta"  # the JSON a saved group carries
MAX_FREE_ELEMENTS = 1 << 20  # the most a saved array of free length may hold


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

    def variables(self) -> list[Any]:
        """What a saved group holds: every variable of the grouped model (its weights and its
        dropout layers' random state) and its optimizer's (built if it is not yet)."""
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        return [*self.model.variables, *self.model.optimizer.variables]

    def save(self, path: Path, meta: dict[str, Any] | None = None) -> None:
        """Every variable (`variables`), and ``meta`` as JSON beside them, so that training
        continues from ``path`` as it would have gone on (Hyperband's next round, an
        interrupted trial)."""
        arrays = {f"v{i}": np.asarray(v) for i, v in enumerate(self.variables())}
        arrays[META] = np.frombuffer(json.dumps(meta or {}).encode(), np.uint8)
        np.savez(path, **arrays)

    def load(
        self, path: Path, accept: Callable[[dict[str, Any]], None] | None = None
    ) -> dict[str, Any]:
        """Restore what `save` wrote; its ``meta``, which ``accept`` sees first (it raises
        ValueError to leave the group as it was). Each array's header is checked against the
        variable it fills before it is read, so a file from elsewhere allocates no more than
        the model holds and is never unpickled."""
        variables = self.variables()
        expected = {f"v{i}": (tuple(v.shape), np.dtype(v.dtype)) for i, v in enumerate(variables)}
        expected[META] = ((None,), np.dtype(np.uint8))
        arrays = read_arrays(path, expected)
        meta = json.loads(arrays[META].tobytes())
        if not isinstance(meta, dict):
            raise ValueError("its meta is not a JSON object")
        if accept:
            accept(meta)
        for i, variable in enumerate(variables):
            variable.assign(arrays[f"v{i}"])
        return meta


def read_arrays(
    path: Path, expected: dict[str, tuple[tuple[int | None, ...], np.dtype]]
) -> dict[str, np.ndarray]:
    """The arrays of an ``np.savez`` file, which must be exactly ``expected``'s: each shape
    (``None``: any length up to `MAX_FREE_ELEMENTS`) and dtype is checked in the array's header
    before the array is read. Raises ValueError naming what is wrong."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError("not an np.savez file") from None
    with archive:
        names = {name.removesuffix(".npy") for name in archive.namelist()}
        if names != set(expected):
            raise ValueError(f"holds {len(names)} arrays where {len(expected)} were expected")
        arrays = {}
        for name, (shape, dtype) in expected.items():
            with archive.open(f"{name}.npy") as member:
                found, _, found_dtype = npy_header(member)
            free = [f for f, e in zip(found, shape, strict=False) if e is None]
            if (
                len(found) != len(shape)
                or any(e is not None and f != e for f, e in zip(found, shape, strict=True))
                or math.prod(free) > MAX_FREE_ELEMENTS
                or found_dtype != dtype
            ):
                raise ValueError(f"{name} is {found} of {found_dtype}, expected {shape} of {dtype}")
            with archive.open(f"{name}.npy") as member:
                arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays
