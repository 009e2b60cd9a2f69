"""Evidence-informed search settings of the ``standard`` and ``auto`` budgets, as plain data.

Each is a ``--space`` file's worth of entries (`kerasbind.tuning.space`): rules that replace
Table 2's, and ``first_trials``, the portfolio of settings tried before any random draw. How each
was made and what it saw: docs/tuning.md, "The standard budget". Light to import (no Keras):
`kerasbind.options` fills `TuneOptions.space` from here.
"""

from __future__ import annotations

from typing import Any

FIRST_TRIALS = "first_trials"  # the portfolio's key in a space
ARCHITECTURE = "architecture"  # the architecture as a hyper-parameter (``--arch auto``)
PER_ARCHITECTURE = "per_architecture"  # rules for one architecture, replacing the space's own

# benchmarks/study_deepbind_gap.py on the training sets of six CLIP-seq experiments (fold 0 of 3,
# held-out third of the training set; no test file read): more filters won on all six (64 over
# 16 by +0.002 to +0.017 AUC; 128 best on the three where it ran, still rising at 8,000 steps);
# Adagrad at lr 0.1 lost 0.06 to 0.10 and 0.03 peaked at 1,000 steps then fell; SGD + Nesterov
# lost 0.005 to 0.008; the other parameters were not studied and keep Table 2's rules.
# Pooling (same study, 128 filters, 8 sets): the positional pooling gained +0.020 to +0.060
# AUC on five and lost 0.004 to 0.022 on three, so neither is a prior: both are first trials
# and the search's cross-validation chooses (convolution-only architectures only).
# The study trained deepbind alone, so its wider filters choice and its 128-filter first trials
# are deepbind's (`PER_ARCHITECTURE`, first trials naming it); the other architectures keep Table
# 2's {16, 32}: with three convolution layers, each 50 % wider than the last, 128 filters cost
# 15-26x the learning-step time of 16 (deepbind_star, dilated, deepbind_e_star; 3-10x for the
# convolutional-recurrent models) for a gain no study has measured (docs/tuning.md).
STANDARD_SPACE: dict[str, Any] = {
    "filters": {"choice": [16, 32]},
    "learning_rate": {"log_uniform": [0.003, 0.03]},
    "pooling": {"choice": ["global", "positional"]},
    PER_ARCHITECTURE: {"deepbind": {"filters": {"choice": [16, 32, 64, 128]}}},
    # {}: the architecture's defaults
    FIRST_TRIALS: [
        {ARCHITECTURE: "deepbind", "filters": 128},
        {ARCHITECTURE: "deepbind", "filters": 128, "pooling": "positional"},
        {},
    ],
}

# ``--arch auto``: one first trial per architecture at its defaults (deepbind with the 128
# filters the study favoured, with each pooling; the study saw no other architecture). Order,
# by expected cost, no test AUC read: deepbind first, as its study-backed setting sets the
# stopping rule's reference; then the other convolutional models; the recurrent ones, the
# slowest per step, last, so they meet a reference early and stop at their rungs where they
# are behind.
AUTO_ORDER = (
    "deepbind",
    "deepbind_star",
    "dilated",
    "deepbind_e_star",
    "danq",
    "eclstm",
    "ecblstm",
    "kegru",
    "danq_star",
)
AUTO_SPACE: dict[str, Any] = {
    **STANDARD_SPACE,
    FIRST_TRIALS: [
        *STANDARD_SPACE[FIRST_TRIALS][:2],
        *({ARCHITECTURE: name} for name in AUTO_ORDER if name != "deepbind"),
    ],
}

BUDGET_SPACES: dict[str, dict[str, Any]] = {"standard": STANDARD_SPACE, "auto": AUTO_SPACE}


def rule_allows(kind: str, bounds: Any, value: Any) -> bool:
    """Whether a space rule (``kind``: choice, fixed or a range) can give ``value``."""
    if kind == "fixed":
        return bool(value == bounds)
    if kind == "choice":
        return value in bounds
    return bool(bounds[0] <= value <= bounds[1])


def with_overrides(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a budget's space) under a ``--space`` file's entries. Each entry replaces the
    base's; a rule given for a parameter also replaces ``base``'s ``per_architecture`` rules
    for it, and a first trial of ``base`` keeps its value for it only where the new rule can
    give that value (else the defaults or the search fill it)."""
    merged = {**base, **overrides}
    keys = (FIRST_TRIALS, ARCHITECTURE, PER_ARCHITECTURE)
    given = {k: v for k, v in overrides.items() if k not in keys}
    if given and PER_ARCHITECTURE in base and PER_ARCHITECTURE not in overrides:
        kept = {
            arch: {name: rule for name, rule in rules.items() if name not in given}
            for arch, rules in base[PER_ARCHITECTURE].items()
        }
        merged[PER_ARCHITECTURE] = {arch: rules for arch, rules in kept.items() if rules}
    if given and FIRST_TRIALS in base and FIRST_TRIALS not in overrides:
        entries: list[dict[str, Any]] = []
        for entry in base[FIRST_TRIALS]:
            kept_entry = {
                name: value
                for name, value in entry.items()
                if name not in given or rule_allows(*next(iter(given[name].items())), value)
            }
            if kept_entry not in entries:
                entries.append(kept_entry)
        merged[FIRST_TRIALS] = entries
    return merged
