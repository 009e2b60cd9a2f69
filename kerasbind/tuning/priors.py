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

# benchmarks/study_deepbind_gap.py on the training sets of six CLIP-seq experiments (fold 0 of 3,
# held-out third of the training set; no test file read): more filters won on all six (64 over
# 16 by +0.002 to +0.017 AUC; 128 best on the three where it ran, still rising at 8,000 steps);
# Adagrad at lr 0.1 lost 0.06 to 0.10 and 0.03 peaked at 1,000 steps then fell; SGD + Nesterov
# lost 0.005 to 0.008; the other parameters were not studied and keep Table 2's rules.
# Pooling (same study, 128 filters, 8 sets): the positional pooling gained +0.020 to +0.060
# AUC on five and lost 0.004 to 0.022 on three, so neither is a prior: both are first trials
# and the search's cross-validation chooses (convolution-only architectures only).
STANDARD_SPACE: dict[str, Any] = {
    "filters": {"choice": [16, 32, 64, 128]},
    "learning_rate": {"log_uniform": [0.003, 0.03]},
    "pooling": {"choice": ["global", "positional"]},
    # {}: the architecture's defaults
    FIRST_TRIALS: [{"filters": 128}, {"filters": 128, "pooling": "positional"}, {}],
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
        {ARCHITECTURE: "deepbind", "filters": 128},
        {ARCHITECTURE: "deepbind", "filters": 128, "pooling": "positional"},
        *({ARCHITECTURE: name} for name in AUTO_ORDER if name != "deepbind"),
    ],
}

BUDGET_SPACES: dict[str, dict[str, Any]] = {"standard": STANDARD_SPACE, "auto": AUTO_SPACE}
