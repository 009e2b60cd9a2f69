"""The options of ``train`` and ``tune`` as typed, checked objects, and the search budgets.

`TrainOptions` and `TuneOptions` are what `kerasbind.train` / `kerasbind.tune` take (their
keyword arguments fill them), what ``kerasbind.json`` records under ``"options"`` and what
`Run.options` gives back, so ``kb.train(arch, data, options=run.options)`` repeats a run.
`BUDGETS` is the one definition of the ``paper`` and ``quick`` search budgets. Light to import
(no Keras), so the command line checks values before TensorFlow starts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from kerasbind.errors import KerasbindError

# tune's budget presets (deepRAM's protocol is "paper"); numbers given explicitly win.
# "standard" (the default) and "auto" (the default of --arch auto) also bring a search space
# and first trials (`kerasbind.tuning.priors`); docs/tuning.md gives the evidence for each.
# "auto" runs its 10 first trials and no random draw (on 31 comparison cells no draw was chosen,
# and on CLIP-seq the draws were where its wall time went past an hour: study_draws.py).
BUDGETS: dict[str, dict[str, int]] = {
    "standard": dict(trials=5, folds=2, max_steps=10_000, eval_every=2_000, final_models=3),
    "auto": dict(trials=10, folds=2, max_steps=10_000, eval_every=2_000, final_models=3),
    "paper": dict(trials=40, folds=3, max_steps=40_000, eval_every=5_000, final_models=5),
    "quick": dict(trials=4, folds=2, max_steps=1_500, eval_every=500, final_models=2),
}
# how a budget keeps its final models (TuneOptions.select_by; the others: the paper's rule)
ENSEMBLE = "ensemble"  # keep every final model, averaged (kerasbind.tuning.final)
BUDGET_SELECT_BY = {"standard": ENSEMBLE, "auto": ENSEMBLE}
# a budget's time budget (TuneOptions.max_time; the others: none): auto's whole tune plans to
# end within 55 min, so that it takes under an hour also on 20,000 ChIP-seq peaks on both
# strands (study_time_budget.py: on 30 of 31 comparison cells the same choice)
BUDGET_MAX_TIME = {"auto": 55 * 60}
DEFAULT_BUDGET = "standard"
AUTO = "auto"  # the ``--arch`` value whose search chooses the architecture too
AUTO_BUDGET = "auto"  # the default budget of ``--arch auto``
BUDGET_KEYS = ("trials", "folds", "max_steps", "eval_every", "final_models")
# which strands a run learns from and is scored on (``strand``): "auto" = both for DNA (each
# sequence and its reverse complement; validation, CV and test take the larger score, as
# predict and scan do), the given one for RNA; "forward" = the given strand (deepRAM's
# protocol). A run recorded without it was made on one strand (`RECORDED_BEFORE_STRANDS`).
STRANDS = ("auto", "both", "forward")
RECORDED_BEFORE_STRANDS = {"strand": "forward"}


def most_learning_steps(numbers: dict[str, int]) -> int:
    """The most learning steps a budget can spend, counting every fold and final model: each
    trial trains ``folds`` models to ``max_steps``; up to ``trials`` trials that did not learn
    are replaced, each stopped by its first checkpoint; then the final models."""
    per_trial = numbers["folds"] * numbers["max_steps"]
    replaced = numbers["trials"] * numbers["folds"] * numbers["eval_every"]
    return numbers["trials"] * per_trial + replaced + numbers["final_models"] * numbers["max_steps"]


_PAPER = BUDGETS["paper"]
NEGATIVES = ("none", "shuffle")
SEARCHES = ("random", "hyperband", "bayesian")
SELECT_BY = ("training", "validation", "ensemble")
# upper bounds: an options object (also one read from a shared run folder) never asks for
# unbounded work or memory
MAX_STEPS = 10_000_000
MAX_SEQ_LEN = 100_000
MAX_TRIALS = 100_000
MAX_FOLDS = 100
MAX_NEG_RATIO = 100.0
MAX_SEED = 2**32 - 1

# motif matching (`kerasbind.motifs`): its choices and defaults, here so that the command line
# shows them without importing the motifs package
DEFAULT_JASPAR_RELEASE = "JASPAR2026"
DEFAULT_TAXON = "vertebrates"
JASPAR_TAXA = (
    "vertebrates",
    "insects",
    "nematodes",
    "plants",
    "fungi",
    "urochordates",
    "trematodes",
    "diatoms",
    "all",
)
DEFAULT_DISTANCE = "pearson"
DISTANCE_METRIC = {  # the TOMTOM column scores (`kerasbind.motifs.tomtom.DISTANCES`)
    "pearson": "Pearson correlation between columns (TOMTOM complete score)",
    "ed": "negative Euclidean distance between columns (TOMTOM complete score)",
}


class MotifMatching:
    """The choices and defaults of motif matching in one public object (``kb.MOTIF_MATCHING``)."""

    release = DEFAULT_JASPAR_RELEASE
    taxon = DEFAULT_TAXON
    taxa = JASPAR_TAXA
    distance = DEFAULT_DISTANCE
    distances = DISTANCE_METRIC  # name -> what it measures


def whole(name: str, value: Any, smallest: int = 1, largest: int | None = None) -> None:
    """Refuse ``value`` unless it is an ``int`` (not a bool) in [smallest, largest]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise KerasbindError(f"{name} must be a whole number, not {value!r}")
    if value < smallest or (largest is not None and value > largest):
        upper = f" and at most {largest:,}" if largest is not None else ""
        raise KerasbindError(f"{name} must be at least {smallest}{upper}, not {value!r}")


def number(name: str, value: Any, test: Any, wanted: str) -> None:
    """Refuse ``value`` unless it is a finite number for which ``test`` holds."""
    plain = isinstance(value, int | float) and not isinstance(value, bool)
    if not (plain and math.isfinite(value) and test(value)):
        raise KerasbindError(f"{name} must be {wanted}, not {value!r}")


def choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise KerasbindError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def flag(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise KerasbindError(f"{name} must be True or False, not {value!r}")


def optional_path(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise KerasbindError(f"{name} must be a path, not {value!r}")


def _check_data(options: Any) -> None:
    """The fields `TrainOptions` and `TuneOptions` share."""
    if options.seq_len is not None:
        whole("seq_len", options.seq_len, 1, MAX_SEQ_LEN)
    optional_path("word2vec", options.word2vec)
    check_negatives(options.negatives, options.neg_ratio)


def check_negatives(negatives: Any, neg_ratio: Any) -> None:
    """Refuse an unknown ``negatives`` option or a ratio that is not a positive number."""
    if negatives not in NEGATIVES:
        raise KerasbindError(f"unknown negatives option {negatives!r}; use 'none' or 'shuffle'")
    number(
        "--neg-ratio",
        neg_ratio,
        lambda v: 0 < v <= MAX_NEG_RATIO,
        f"a positive number of negatives per positive (at most {MAX_NEG_RATIO:g})",
    )


@dataclass(frozen=True)
class TrainOptions:
    """How `kerasbind.train` trains one model: ``steps`` learning steps of 128 sequences, the
    validation AUC of a held-out ``val_fraction`` every ``eval_every`` steps. ``hparams``: the
    hyper-parameters (a dict; missing keys take the architecture's defaults)."""

    steps: int = 5000
    eval_every: int = 1000
    val_fraction: float = 0.1
    hparams: dict[str, Any] | None = None
    seed: int = 0
    seq_len: int | None = None
    word2vec: str | None = None  # word2vec vectors to reuse (docs/security.md: formats)
    freeze_embedding: bool = False
    negatives: str = "none"
    neg_ratio: float = 1.0
    strand: str = "auto"

    def __post_init__(self) -> None:
        whole("steps", self.steps, 1, MAX_STEPS)
        whole("eval_every", self.eval_every, 1, MAX_STEPS)
        number("val_fraction", self.val_fraction, lambda v: 0 <= v < 1, "in [0, 1)")
        if self.hparams is not None and not isinstance(self.hparams, dict):
            raise KerasbindError(f"hparams must be a dict, not {self.hparams!r}")
        whole("seed", self.seed, 0, MAX_SEED)
        flag("freeze_embedding", self.freeze_embedding)
        choice("strand", self.strand, STRANDS)
        _check_data(self)

    def to_dict(self) -> dict[str, Any]:
        """The ``"options"`` entry of ``kerasbind.json`` (the hyper-parameters are recorded
        beside it, under ``"hyperparameters"``)."""
        return {"command": "train", **{k: v for k, v in asdict(self).items() if k != "hparams"}}

    @classmethod
    def from_dict(cls, data: dict[str, Any], hparams: dict[str, Any] | None) -> TrainOptions:
        return _from_dict(cls, {**RECORDED_BEFORE_STRANDS, **data}, hparams=hparams)


@dataclass(frozen=True)
class CVSettings:
    """How each tuning trial is cross-validated (defaults: the ``paper`` budget)."""

    folds: int = _PAPER["folds"]
    max_steps: int = _PAPER["max_steps"]
    eval_every: int = _PAPER["eval_every"]
    exhaustive: bool = False  # the paper's protocol: no trial stops early
    seed: int = 0
    freeze_embedding: bool = False
    strand: str = "auto"

    def __post_init__(self) -> None:
        whole("folds", self.folds, 2, MAX_FOLDS)
        whole("max_steps", self.max_steps, 1, MAX_STEPS)
        whole("eval_every", self.eval_every, 1, MAX_STEPS)
        if self.eval_every > self.max_steps:
            raise KerasbindError(
                f"eval_every ({self.eval_every}) must not exceed max_steps ({self.max_steps})"
            )
        flag("exhaustive", self.exhaustive)
        whole("seed", self.seed, 0, MAX_SEED)
        flag("freeze_embedding", self.freeze_embedding)
        choice("strand", self.strand, STRANDS)

    @property
    def max_checkpoints(self) -> int:
        return max(1, -(-self.max_steps // self.eval_every))

    @property
    def checkpoint_steps(self) -> list[int]:
        """Where learning steps are chosen: every ``eval_every`` steps and at ``max_steps``."""
        from kerasbind.training import checkpoints

        return checkpoints(self.max_steps, self.eval_every)


@dataclass(frozen=True)
class TuneOptions:
    """How `kerasbind.tune` searches (defaults: the ``paper`` budget's numbers and Table 2;
    `from_budget` defaults to ``standard``): ``trials`` settings, each scored by ``cv``;
    ``final_models`` models with the best one, kept by ``select_by``. ``space``: Table 2
    entries to replace, and ``first_trials`` (docs/tuning.md). ``overwrite`` and ``progress``
    concern one call and are not recorded."""

    cv: CVSettings = field(default_factory=CVSettings)
    trials: int = _PAPER["trials"]
    final_models: int = _PAPER["final_models"]
    select_by: str = "training"
    search: str = "random"
    max_time: float | None = None  # seconds; None or 0: no time budget
    seq_len: int | None = None
    word2vec: str | None = None
    space: dict[str, Any] | None = None
    negatives: str = "none"
    neg_ratio: float = 1.0
    overwrite: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.cv, CVSettings):
            raise KerasbindError(f"cv must be CVSettings, not {self.cv!r}")
        whole("trials", self.trials, 1, MAX_TRIALS)
        whole("final_models", self.final_models, 1, MAX_TRIALS)
        choice("select_by", self.select_by, SELECT_BY)
        choice("search", self.search, SEARCHES)
        if self.max_time is not None:
            number("max_time", self.max_time, lambda v: v >= 0, "a number of seconds (0: none)")
        if self.space is not None and not isinstance(self.space, dict):
            raise KerasbindError(
                f"space must be a dict of hyper-parameter rules, not {self.space!r}"
            )
        flag("overwrite", self.overwrite)
        flag("progress", self.progress)
        _check_data(self)

    @property
    def seed(self) -> int:
        return self.cv.seed

    @property
    def freeze_embedding(self) -> bool:
        return self.cv.freeze_embedding

    @property
    def strand(self) -> str:
        return self.cv.strand

    @classmethod
    def from_budget(cls, budget: str = DEFAULT_BUDGET, **given: Any) -> TuneOptions:
        """Options with ``budget``'s five numbers where ``given`` (the other fields, and the
        `CVSettings` fields) has ``None`` or nothing; a budget's search space
        (`kerasbind.tuning.priors.BUDGET_SPACES`) under the entries of ``given["space"]``
        (`kerasbind.tuning.priors.with_overrides`)."""
        from kerasbind.tuning.priors import BUDGET_SPACES, with_overrides

        if budget not in BUDGETS:
            raise KerasbindError(f"unknown budget {budget!r}; choose from {', '.join(BUDGETS)}")
        values = {k: v for k, v in given.items() if v is not None}
        values.setdefault("select_by", BUDGET_SELECT_BY.get(budget, "training"))
        values.setdefault("max_time", BUDGET_MAX_TIME.get(budget))
        if budget in BUDGET_SPACES:
            values["space"] = with_overrides(BUDGET_SPACES[budget], values.get("space", {}))
        numbers = {**BUDGETS[budget], **{k: values.pop(k) for k in BUDGET_KEYS if k in values}}
        cv_names = {f.name for f in fields(CVSettings)}
        cv = CVSettings(
            **{k: numbers[k] for k in cv_names & set(numbers)},
            **{k: values.pop(k) for k in cv_names & set(values)},
        )
        return cls(cv=cv, trials=numbers["trials"], final_models=numbers["final_models"], **values)

    def to_dict(self) -> dict[str, Any]:
        """The ``"options"`` entry of ``kerasbind.json``."""
        data = asdict(self)
        del data["overwrite"], data["progress"]
        return {"command": "tune", **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TuneOptions:
        cv = data.get("cv")
        if not isinstance(cv, dict):
            raise KerasbindError(f"options.cv must be an object, not {cv!r}")
        cv = _from_dict(CVSettings, {**RECORDED_BEFORE_STRANDS, **cv})
        return _from_dict(cls, {**data, "cv": cv})


def _from_dict(cls: Any, data: dict[str, Any], **extra: Any) -> Any:
    """``cls`` from a recorded dict: unknown keys are an error, missing ones take defaults."""
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k != "command"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise KerasbindError(f"unknown options {', '.join(unknown)}")
    return cls(**values, **extra)


def with_changes(options: Any, **given: Any) -> Any:
    """``options`` with the fields given (not ``None``) replaced, checked again."""
    changes = {k: v for k, v in given.items() if v is not None}
    return replace(options, **changes) if changes else options
