"""Does averaging final models beat one? On CLIP-seq training folds (issue 24).

No test file is read. For each CLIP-seq training set (``training_sample_0``), the held-out
third of `study_deepbind_gap` (fold 0, seed 0) scores `MEMBERS` models of one architecture
(``--arch``, default deepbind), each trained on the other two thirds for the architecture's
`STEPS` from its own seed with its `SETTINGS` (DeepBind: the standard budget's first setting,
128 filters, Adagrad lr 0.01; the others: their defaults; k-mer architectures: word2vec trained
on the two thirds): each member's AUC, and the AUC of the mean of their probabilities (an
ensemble of 2 and of all) and of their logits. One JSON line per (set, architecture); finished
ones are skipped::

    python benchmarks/study_ensemble.py [--arch NAME] OUT.jsonl [SET...]   (default: every set)
    python benchmarks/study_ensemble.py --summary OUT.jsonl
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from study_arguments import study_arguments
from study_deepbind_gap import CLIP, FOLD, LENGTH, read_training_set

MEMBERS = 3
# learning steps: DeepBind's where the 128-filter curves of study_deepbind_gap.jsonl level off
# on average; the others' the most that --arch auto chose in its first cells (2,000-4,000)
STEPS = {"deepbind": 6000}
OTHER_STEPS = 4000
SETTINGS = {"deepbind": {"filters": 128}}


def run_set(set_name: str, arch_name: str = "deepbind") -> dict[str, Any]:
    """Train the members on two thirds; AUCs on the held-out third."""
    from sklearn.metrics import roc_auc_score

    from kerasbind.models import (
        build_model,
        compile_model,
        default_hyperparameters,
        resolve_architecture,
    )
    from kerasbind.pipeline import encode_set, prepare_inputs
    from kerasbind.runtime import set_seed
    from kerasbind.training import train_steps

    data, third = read_training_set(set_name)
    labels = data.labels
    arch = resolve_architecture(arch_name)
    hparams = {**default_hyperparameters(arch), **SETTINGS.get(arch_name, {})}
    steps = STEPS.get(arch_name, OTHER_STEPS)
    held_out = third == FOLD
    started = time.perf_counter()
    prepared = prepare_inputs(arch, data.subset(np.flatnonzero(~held_out)), seq_len=LENGTH)
    x_held_out = encode_set(prepared.encoder, data.subset(np.flatnonzero(held_out)))
    probabilities = []
    for seed in range(MEMBERS):
        set_seed(seed)
        model = build_model(arch, hparams, prepared.encoder, prepared.embedding_matrix)
        compile_model(model, arch, hparams)
        train_steps(
            model, prepared.x, prepared.y, steps=steps, eval_every=steps, seed=seed,
            progress=False,
        )  # fmt: skip
        probabilities.append(model.predict(x_held_out, batch_size=1024, verbose=0).ravel())
    truth = labels[held_out]
    clipped = np.clip(np.array(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    logits = np.log(clipped / (1 - clipped))
    members = [roc_auc_score(truth, p) for p in probabilities]
    return {
        "set": set_name,
        "architecture": arch_name,
        "fold": FOLD,
        "steps": steps,
        "member_auc": [round(float(a), 4) for a in members],
        "ensemble2_auc": round(float(roc_auc_score(truth, np.mean(probabilities[:2], 0))), 4),
        "ensemble_auc": round(float(roc_auc_score(truth, np.mean(probabilities, 0))), 4),
        # what kerasbind's merged ensemble computes (kerasbind.models.merge): the mean logit
        "ensemble_logit_auc": round(float(roc_auc_score(truth, np.mean(logits, 0))), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _architecture(row: dict[str, Any]) -> str:
    return row.get("architecture", "deepbind")  # the first rows were DeepBind's alone


def study(out: Path, sets: list[str], arch_name: str) -> None:
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()
    rows = list(map(json.loads, out.open())) if out.exists() else []
    done = {(row["set"], _architecture(row)) for row in rows}
    for set_name in sets:
        if (set_name, arch_name) in done:
            continue
        result = run_set(set_name, arch_name)
        with out.open("a") as lines:
            lines.write(json.dumps(result) + "\n")
        print(json.dumps(result), flush=True)


def summary(out: Path) -> str:
    """Per set and architecture: the mean member, the first member (what one final model
    gives), the ensembles; then per architecture the mean gain and on how many sets the
    ensemble beat the first member."""
    rows = [json.loads(line) for line in out.open()]
    lines = ["set | architecture | mean member | first member | ensemble of 2 | ensemble of 3"]
    for row in rows:
        lines.append(
            f"{row['set'][:40]} | {_architecture(row)} | {np.mean(row['member_auc']):.4f} "
            f"| {row['member_auc'][0]:.4f} | {row['ensemble2_auc']:.4f} "
            f"| {row['ensemble_auc']:.4f}"
        )
    for arch_name in dict.fromkeys(map(_architecture, rows)):
        own = [row for row in rows if _architecture(row) == arch_name]
        gain = np.array([row["ensemble_auc"] - row["member_auc"][0] for row in own])
        lines.append(
            f"{arch_name}, {len(own)} sets: ensemble of {MEMBERS} minus one model: mean "
            f"{gain.mean():+.4f}, min {gain.min():+.4f}, better on {(gain > 0).sum()} of "
            f"{len(own)}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    argv = study_arguments(__doc__, {"--summary", "--arch"})
    if argv[0] == "--summary":
        print(summary(Path(argv[1])))
    else:
        chosen = "deepbind"
        if argv[0] == "--arch":
            chosen, argv = argv[1], argv[2:]
        every = sorted(path.name for path in CLIP.iterdir() if (path / "30000").is_dir())
        study(Path(argv[0]), argv[1:] or every, chosen)
