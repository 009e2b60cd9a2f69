"""Does averaging final models beat one? DeepBind on CLIP-seq training folds (issue 24).

No test file is read. For each CLIP-seq training set (``training_sample_0``), the held-out
third of `study_deepbind_gap` (fold 0, seed 0) scores `MEMBERS` DeepBind models with the
standard budget's first setting (128 filters, Adagrad lr 0.01), each trained on the other two
thirds for `STEPS` steps from its own seed: each member's AUC, and the AUC of the mean of their
probabilities (an ensemble of 2 and of all). One JSON line per set; finished sets are skipped::

    python benchmarks/study_ensemble.py OUT.jsonl [SET...]     (default: every CLIP-seq set)
    python benchmarks/study_ensemble.py --summary OUT.jsonl
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from study_arguments import study_arguments
from study_deepbind_gap import CLIP, FOLD, LENGTH, _load

MEMBERS = 3
STEPS = 6000  # where the 128-filter curves of study_deepbind_gap.jsonl level off on average
SETTING = {"filters": 128}


def run_set(set_name: str) -> dict[str, Any]:
    """Train the members on two thirds; AUCs on the held-out third."""
    from sklearn.metrics import roc_auc_score

    from kerasbind.encoding import EncoderSpec, encode_codes
    from kerasbind.models import (
        build_model,
        compile_model,
        default_hyperparameters,
        resolve_architecture,
    )
    from kerasbind.runtime import set_seed
    from kerasbind.training import train_steps

    codes, labels, third = _load(set_name)
    arch = resolve_architecture("deepbind")
    encoder = EncoderSpec("onehot", LENGTH)
    hparams = {**default_hyperparameters(arch), **SETTING}
    held_out = third == FOLD
    x = encode_codes(codes, encoder)
    started = time.perf_counter()
    probabilities = []
    for seed in range(MEMBERS):
        set_seed(seed)
        model = build_model(arch, hparams, encoder)
        compile_model(model, arch, hparams)
        train_steps(
            model, x[~held_out], labels[~held_out], steps=STEPS, eval_every=STEPS, seed=seed,
            progress=False,
        )  # fmt: skip
        probabilities.append(model.predict(x[held_out], batch_size=1024, verbose=0).ravel())
    truth = labels[held_out]
    clipped = np.clip(np.array(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    logits = np.log(clipped / (1 - clipped))
    members = [roc_auc_score(truth, p) for p in probabilities]
    return {
        "set": set_name,
        "fold": FOLD,
        "steps": STEPS,
        "member_auc": [round(float(a), 4) for a in members],
        "ensemble2_auc": round(float(roc_auc_score(truth, np.mean(probabilities[:2], 0))), 4),
        "ensemble_auc": round(float(roc_auc_score(truth, np.mean(probabilities, 0))), 4),
        # what kerasbind's merged ensemble computes (kerasbind.models.merge): the mean logit
        "ensemble_logit_auc": round(float(roc_auc_score(truth, np.mean(logits, 0))), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def study(out: Path, sets: list[str]) -> None:
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()
    done = {row["set"] for row in map(json.loads, out.open())} if out.exists() else set()
    for set_name in sets:
        if set_name in done:
            continue
        result = run_set(set_name)
        with out.open("a") as lines:
            lines.write(json.dumps(result) + "\n")
        print(json.dumps(result), flush=True)


def summary(out: Path) -> str:
    """Per set: the mean member, the first member (what one final model gives), the ensembles;
    then the means and on how many sets the ensemble beat the first member."""
    rows = [json.loads(line) for line in out.open()]
    lines = ["set | mean member | first member | ensemble of 2 | ensemble of 3"]
    for row in rows:
        lines.append(
            f"{row['set'][:40]} | {np.mean(row['member_auc']):.4f} | {row['member_auc'][0]:.4f} "
            f"| {row['ensemble2_auc']:.4f} | {row['ensemble_auc']:.4f}"
        )
    gain = np.array([row["ensemble_auc"] - row["member_auc"][0] for row in rows])
    lines.append(
        f"{len(rows)} sets: ensemble of {MEMBERS} minus one model: mean {gain.mean():+.4f}, "
        f"min {gain.min():+.4f}, better on {(gain > 0).sum()} of {len(rows)}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    argv = study_arguments(__doc__, {"--summary"})
    if argv[0] == "--summary":
        print(summary(Path(argv[1])))
    else:
        every = sorted(path.name for path in CLIP.iterdir() if (path / "30000").is_dir())
        study(Path(argv[0]), argv[1:] or every)
