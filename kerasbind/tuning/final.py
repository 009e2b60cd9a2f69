"""Final training: several models with the chosen setting, keep the best (paper section 2.3).

``select_by="training"`` is the paper's rule: every model trains on all training data for the
chosen number of learning steps and the one with the highest AUC on the training data is kept.
``select_by="validation"`` trains on a stratified 90 % and keeps the model with the highest AUC
on the held-out 10 %: it does not reward overfitting, at the cost of a little training data.
``select_by="ensemble"`` (unlike deepRAM) keeps them all: the models train on all training data
and become one model of the same architecture that averages their logits (`kerasbind.models.merge`);
where the convolution widths do not scale with the number of models (a rare filter count), one
model is trained instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kerasbind.models import ArchitectureSpec
from kerasbind.models.merge import can_merge, merge_models, merged_hyperparameters
from kerasbind.options import ENSEMBLE, SELECT_BY
from kerasbind.pipeline import PreparedInputs, Validation, hold_out, labelled_inputs
from kerasbind.sequences import SequenceSet
from kerasbind.training import train_steps
from kerasbind.tuning.grouped import FoldGroup
from kerasbind.tuning.progress import SearchProgress
from kerasbind.tuning.resume import Resume

HOLDOUT_FRACTION = 0.1


@dataclass
class FinalSelection:
    """The kept model and how every candidate scored."""

    model: Any
    kept: int  # index into scores (the first member of an ensemble)
    scores: list[float] = field(default_factory=list)
    select_by: str = "training"
    hparams: dict[str, Any] | None = None  # the kept model's (an ensemble's are wider)
    ensemble: int = 1  # members averaged in the kept model

    def to_dict(self) -> dict[str, Any]:
        found = {
            "select_by": self.select_by,
            "scores": self.scores,
            "kept": self.kept + 1,
            "score": self.scores[self.kept],
        }
        if self.select_by == ENSEMBLE:
            found["ensemble"] = self.ensemble  # 1: the models would not merge
        return found


def _selection_data(
    prepared: PreparedInputs, train_set: SequenceSet, select_by: str, seed: int
) -> tuple[PreparedInputs, Validation]:
    """What the candidates train on, and what they are scored on."""
    if select_by != "validation":
        return prepared.for_training(), prepared.for_validation()
    fit_set, held_out = hold_out(train_set, HOLDOUT_FRACTION, seed)
    fit = labelled_inputs(prepared, fit_set).for_training()
    return fit, labelled_inputs(prepared, held_out).for_validation()


def final_model_count(
    arch: ArchitectureSpec, hparams: dict[str, Any], n_models: int, select_by: str
) -> int:
    """How many final models `train_final` trains: ``n_models``, or one for an ensemble whose
    models would not merge (nothing to average into one model: more would only be a lottery)."""
    return 1 if select_by == ENSEMBLE and not can_merge(arch, hparams, n_models) else n_models


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
    resume: Path | None = None,
    eval_every: int = 0,
) -> FinalSelection:
    """Train ``n_models`` models (seeds ``seed``, ``seed + 1``, …) on ``prepared`` (the encoded
    ``train_set``) and keep the best, or (``ensemble``) all of them merged into one model — or
    a single model where they would not merge. They train together as one grouped
    model (`grouped.FoldGroup`): each member is the model ``fit_model`` would train with its
    seed. With ``resume``, their state is saved there every ``eval_every`` steps (where that
    divides ``steps``) and training goes on from a state saved there before (`resume`)."""
    if select_by not in SELECT_BY:
        raise ValueError(f"select_by must be one of {SELECT_BY}")
    progress = progress or SearchProgress(enabled=False)
    hparams = prepared.model_hyperparameters(hparams)
    n_models = final_model_count(arch, hparams, n_models, select_by)
    inputs, scoring = _selection_data(prepared, train_set, select_by, seed)
    seeds = [seed + index for index in range(n_models)]
    group = FoldGroup(arch, hparams, inputs, seeds, freeze_embedding)
    every = eval_every if resume and eval_every and steps % eval_every == 0 else steps
    key = {"hyperparameters": hparams, "seeds": seeds, "steps": steps, "every": every}
    saved = None if resume is None else Resume(resume, group, {**key, "select_by": select_by})
    done = _restored(saved, progress) if saved else 0

    def checkpoint(step: int, _: float | None) -> bool:
        if saved and done + step < steps:
            saved.save(done + step, {})
        return False

    train_steps(
        group.model,
        [inputs.x] * n_models,
        [inputs.y] * n_models,
        steps=steps - done,
        eval_every=every,
        seed=seeds,
        progress=progress.enabled,
        on_checkpoint=checkpoint,
        skip=done,
    )
    scores = group.validation_auc([scoring] * n_models)
    for index, score in enumerate(scores, start=1):
        progress.message(f"final model {index}/{n_models}: {select_by} AUC {score:.4f}")
    if select_by == ENSEMBLE and n_models > 1:
        model = merge_models(group.members, arch, hparams, prepared.encoder)
        progress.message(f"final model: the {n_models} averaged (logits) as one model")
        return FinalSelection(
            model, 0, scores, select_by, merged_hyperparameters(arch, hparams, n_models), n_models
        )
    kept = int(np.argmax(scores))
    model = group.members[kept]
    model.name = group.built_name
    return FinalSelection(model, kept, scores, select_by, dict(hparams))


def _restored(saved: Resume, progress: SearchProgress) -> int:
    """The steps the final models had trained before an interruption (0: none)."""
    resumed = saved.restore(progress.message)
    if not resumed:
        return 0
    progress.message(f"final models: go on from step {resumed.step}")
    return resumed.step
