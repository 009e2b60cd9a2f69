"""Final training: several models with the chosen setting, keep the best (paper section 2.3).

``select_by="training"`` is the paper's rule: every model trains on all training data for the
chosen number of learning steps and the one with the highest AUC on the training data is kept.
``select_by="validation"`` trains on a stratified 90 % and keeps the model with the highest AUC
on the held-out 10 %: it does not reward overfitting, at the cost of a little training data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kerasbind.models import ArchitectureSpec
from kerasbind.options import SELECT_BY
from kerasbind.pipeline import PreparedInputs, encode_set, hold_out
from kerasbind.sequences import SequenceSet
from kerasbind.training import train_steps
from kerasbind.tuning.grouped import FoldGroup
from kerasbind.tuning.progress import SearchProgress

HOLDOUT_FRACTION = 0.1


@dataclass
class FinalSelection:
    """The kept model and how every candidate scored."""

    model: Any
    kept: int  # index into scores
    scores: list[float] = field(default_factory=list)
    select_by: str = "training"

    def to_dict(self) -> dict[str, Any]:
        return {
            "select_by": self.select_by,
            "scores": self.scores,
            "kept": self.kept + 1,
            "score": self.scores[self.kept],
        }


def _selection_data(
    prepared: PreparedInputs, train_set: SequenceSet, select_by: str, seed: int
) -> tuple[PreparedInputs, tuple[np.ndarray, np.ndarray]]:
    """What the candidates train on, and what they are scored on."""
    if select_by == "training":
        return prepared, (prepared.x, prepared.y)
    fit_set, held_out = hold_out(train_set, HOLDOUT_FRACTION, seed)
    assert fit_set.labels is not None and held_out.labels is not None
    fit = replace(
        prepared, x=encode_set(prepared.encoder, fit_set), y=fit_set.labels.astype(np.float32)
    )
    return fit, (encode_set(prepared.encoder, held_out), held_out.labels)


def train_final(
    arch: ArchitectureSpec,
    hparams: dict[str, Any],
    prepared: PreparedInputs,
    train_set: SequenceSet,
    *,
    steps: int,
    n_models: int = 5,
    select_by: str = "training",
    seed: int = 0,
    freeze_embedding: bool = False,
    progress: SearchProgress | None = None,
) -> FinalSelection:
    """Train ``n_models`` models (seeds ``seed``, ``seed + 1``, …) on ``prepared`` (the encoded
    ``train_set``) and keep the best. They train together as one grouped model
    (`grouped.FoldGroup`): each member is the model ``fit_model`` would train with its seed."""
    if select_by not in SELECT_BY:
        raise ValueError(f"select_by must be one of {SELECT_BY}")
    progress = progress or SearchProgress(enabled=False)
    inputs, scoring = _selection_data(prepared, train_set, select_by, seed)
    seeds = [seed + index for index in range(n_models)]
    group = FoldGroup(arch, hparams, inputs, seeds, freeze_embedding)
    train_steps(
        group.model,
        [inputs.x] * n_models,
        [inputs.y] * n_models,
        steps=steps,
        eval_every=steps,
        seed=seeds,
        progress=progress.enabled,
    )
    scores = group.validation_auc([scoring] * n_models)
    for index, score in enumerate(scores, start=1):
        progress.message(f"final model {index}/{n_models}: {select_by} AUC {score:.4f}")
    kept = int(np.argmax(scores))
    model = group.members[kept]
    model.name = group.built_name
    return FinalSelection(model=model, kept=kept, scores=scores, select_by=select_by)
