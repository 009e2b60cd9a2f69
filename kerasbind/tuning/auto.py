"""``--arch auto``: one search over several architectures, the architecture a hyper-parameter.

Every trial draws (or, among the first trials, is given) an ``architecture`` and the values of
the parameters that architecture uses (`space.tuner_hyperparameters` declares each parameter
conditional on the architectures that use it). The training data are encoded once per input
representation, one-hot and k-mer ids with their word2vec embedding, and split into the same
stratified folds (the labels are the same), so trials of different architectures are scored on
the same validation sequences and the stopping rules (`stopping`) compare them directly: an
architecture behind the others stops at its first rungs and costs little.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kerasbind.errors import KerasbindError
from kerasbind.models import ARCHITECTURES, ArchitectureSpec
from kerasbind.models.blocks import conv_output_length
from kerasbind.options import TuneOptions
from kerasbind.pipeline import PreparedInputs, Validation, prepare_inputs
from kerasbind.sequences import SequenceSet
from kerasbind.tuning import space as space_module
from kerasbind.tuning.priors import ARCHITECTURE
from kerasbind.tuning.progress import SearchProgress
from kerasbind.tuning.results import steps_spent
from kerasbind.tuning.tuner import CrossValidationTuner, fold_splits


def auto_architectures(space: space_module.Space) -> list[ArchitectureSpec]:
    """The architectures the search chooses among (the space's ``architecture`` rule)."""
    return [ARCHITECTURES[name] for name in space_module.architecture_names(space)]


def readable(arch: ArchitectureSpec, encodings: dict[bool, PreparedInputs]) -> bool:
    """Whether ``arch``'s convolutions leave positions on its encoding's input (3 dilated
    layers do not fit short sequences)."""
    encoder = encodings[arch.embedding].encoder
    padding = 0 if arch.embedding else 2 * (arch.filter_width - 1)  # `blocks.pad_unknown`
    return conv_output_length(arch, encoder.input_shape[0] + padding) >= 1


def prepare_encodings(
    archs: list[ArchitectureSpec], train_set: SequenceSet, options: TuneOptions
) -> dict[bool, PreparedInputs]:
    """The training set encoded once per representation ``archs`` read (key: ``embedding``)."""
    first = {arch.embedding: arch for arch in reversed(archs)}
    return {
        embedding: prepare_inputs(
            arch,
            train_set,
            seq_len=options.seq_len,
            seed=options.cv.seed,
            word2vec_path=options.word2vec,
            strand=options.strand,
        )
        for embedding, arch in first.items()
    }


def tuner_first_trials(
    archs: list[ArchitectureSpec], space: space_module.Space, auto: bool
) -> list[dict[str, Any]]:
    """The space's first trials as tuner values, for the architectures searched: under auto
    each names its architecture (default: the first searched); otherwise an entry naming
    another architecture is left out."""
    names = [arch.name for arch in archs]
    chosen = []
    for entry in space_module.first_trials(space):
        name = entry.get(ARCHITECTURE, names[0])
        if name not in names:
            continue
        arch = archs[names.index(name)]
        values = space_module.first_trial_values(arch, space, entry, several=auto)
        trial = {ARCHITECTURE: name, **values} if auto else values
        if trial not in chosen:  # entries differing only in what arch does not use are one
            chosen.append(trial)
    return chosen or [{}]


class AutoTuner(CrossValidationTuner):
    """A `CrossValidationTuner` whose trials choose their architecture."""

    def __init__(
        self,
        oracle: Any,
        *,
        archs: list[ArchitectureSpec],
        encodings: dict[bool, PreparedInputs],
        **kwargs: Any,
    ) -> None:
        self.archs = {arch.name: arch for arch in archs}
        self.encodings = encodings
        settings = kwargs["settings"]
        self.splits = {
            embedding: fold_splits(prepared, settings.folds, settings.seed)
            for embedding, prepared in encodings.items()
        }
        super().__init__(oracle, arch=archs[0], prepared=encodings[archs[0].embedding], **kwargs)

    def trial_architecture(self, values: dict[str, Any]) -> ArchitectureSpec:
        return self.archs[values[ARCHITECTURE]]

    def prepared_for(self, arch: ArchitectureSpec) -> PreparedInputs:
        return self.encodings[arch.embedding]

    def folds_for(self, arch: ArchitectureSpec) -> list[tuple[PreparedInputs, Validation]]:
        return self.splits[arch.embedding]


def architecture_ranking(table: pd.DataFrame, folds: int) -> list[dict[str, Any]]:
    """Per architecture, best first: its best CV AUC (among trials that reached a checkpoint),
    its trials, and what they cost (seconds, learning steps over all folds). An architecture
    none of whose trials reached a checkpoint has no CV AUC but a ``cut``: the best CV AUC its
    trials had at a rung, and the step where that trial was stopped."""
    ranking = []
    for name, rows in table.groupby(ARCHITECTURE, sort=False):
        scored = rows.dropna(subset=["learning_steps"])
        entry = {
            "architecture": str(name),
            "cv_auc": float(scored["cv_auc"].max()) if len(scored) else None,
            "trials": len(rows),
            "seconds": round(float(rows["seconds"].fillna(0).sum()), 1),
            "steps": steps_spent(rows, folds),
        }
        at_rungs = rows.dropna(subset=["cv_auc", "stopped_at"])
        if not len(scored) and len(at_rungs):
            best = at_rungs.loc[at_rungs["cv_auc"].idxmax()]
            entry["cut"] = {"cv_auc": float(best["cv_auc"]), "stopped_at": int(best["stopped_at"])}
        ranking.append(entry)
    return sorted(ranking, key=lambda row: (row["cv_auc"] is None, -(row["cv_auc"] or 0.0)))


def readable_architectures(
    archs: list[ArchitectureSpec],
    encodings: dict[bool, PreparedInputs],
    progress: SearchProgress,
) -> list[ArchitectureSpec]:
    """``archs`` without those too deep for the sequence length (said in one message)."""
    kept = [arch for arch in archs if readable(arch, encodings)]
    left_out = [arch.name for arch in archs if arch not in kept]
    if not kept:
        raise KerasbindError(
            f"the training sequences are too short for every architecture ({', '.join(left_out)})"
        )
    if left_out:
        progress.message(f"too deep for sequences this short, not searched: {', '.join(left_out)}")
    return kept
