"""What holds DeepBind back on CLIP-seq (issue 24): validation-AUC curves on training folds.

No test file is read. For each training set of `SETS` (``training_sample_0``; by default the
three sets the defaults were already chosen on; ``--all`` every CLIP-seq experiment in
../shared/data, for choices made leaving each experiment out), deepRAM's thirds are
made with seed 0 (as ``choose_defaults.py``); each candidate trains on two thirds and its AUC on
the held-out third is measured every `EVAL_EVERY` steps up to `STEPS`, so one run shows both how
fast a setting learns and where it levels off. One JSON line per (candidate, set, fold);
finished jobs are skipped, so the same command resumes::

    python benchmarks/study_deepbind_gap.py [--all] OUT.jsonl [CANDIDATE...]
    python benchmarks/study_deepbind_gap.py --summary OUT.jsonl [CANDIDATE...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

CLIP = Path(__file__).resolve().parents[2] / "shared/data/CLIP-seq"
SETS = {
    "PUM2": "23_PARCLIP_PUM2_hg19",
    "ELAVL1": "8_PARCLIP_ELAVL1_hg19",
    "TDP43": "27_ICLIP_TDP43_hg19",
}
FOLD = 0
STEPS = 8000
EVAL_EVERY = 1000
LENGTH = 101
# hyper-parameters changed from DeepBind's defaults ({} = the defaults themselves)
CANDIDATES: dict[str, dict[str, Any]] = {
    "default": {},
    "adagrad_0.03": {"learning_rate": 0.03},
    "adagrad_0.1": {"learning_rate": 0.1},
    "sgd_0.02_nesterov": {"optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.98},
    "filters_64": {"filters": 64},
    "no_dropout": {"dropout_keep": 1.0},
    "filters_128": {"filters": 128},
}


def jobs(names: list[str], sets: list[str]) -> list[dict[str, Any]]:
    """Every (candidate, set), set-major so an interrupted study compares complete sets."""
    return [
        {"candidate": name, "set": set_name, "fold": FOLD} for set_name in sets for name in names
    ]


def _load(set_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from kerasbind.readers import read_sequences

    data = read_sequences(CLIP / set_name / "30000" / "training_sample_0" / "sequences.fa.gz")
    third = np.random.default_rng(0).permutation(len(data.labels)) % 3
    return data.codes(LENGTH), data.labels.astype("float32"), third


def run_job(job: dict[str, Any], data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict:
    """Train one candidate on two thirds; AUC of the third at every checkpoint."""
    from kerasbind.encoding import EncoderSpec, encode_codes
    from kerasbind.models import (
        build_model,
        compile_model,
        default_hyperparameters,
        resolve_architecture,
    )
    from kerasbind.runtime import set_seed
    from kerasbind.training import train_steps

    codes, labels, third = data
    arch = resolve_architecture("deepbind")
    encoder = EncoderSpec("onehot", LENGTH)
    hparams = {**default_hyperparameters(arch), **CANDIDATES[job["candidate"]]}
    set_seed(job["fold"])
    model = build_model(arch, hparams, encoder)
    compile_model(model, arch, hparams)
    held_out = third == job["fold"]
    x = encode_codes(codes, encoder)
    started = time.perf_counter()
    history = train_steps(
        model, x[~held_out], labels[~held_out], steps=STEPS, eval_every=EVAL_EVERY,
        validation=(x[held_out], labels[held_out]), seed=job["fold"], progress=False,
    )  # fmt: skip
    return {
        **job,
        "hparams": hparams,
        "steps": history.steps,
        "val_auc": [round(float(auc), 4) for auc in history.val_auc],
        "seconds": round(time.perf_counter() - started, 1),
    }


def study(out: Path, names: list[str], sets: list[str]) -> None:
    """Run the jobs not yet in ``out``, appending one line each."""
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()
    done = set()
    if out.exists():
        done = {(r["candidate"], r["set"], r["fold"]) for r in map(json.loads, out.open())}
    loaded: dict[str, Any] = {}
    for job in jobs(names, sets):
        if (job["candidate"], job["set"], job["fold"]) in done:
            continue
        if job["set"] not in loaded:
            loaded = {job["set"]: _load(job["set"])}
        result = run_job(job, loaded[job["set"]])
        with out.open("a") as lines:
            lines.write(json.dumps(result) + "\n")
        print(json.dumps(result), flush=True)


def summary(out: Path, names: list[str]) -> str:
    """Mean validation AUC per candidate and checkpoint over the sets all ``names`` (default:
    every candidate in ``out``) finished."""
    rows = [json.loads(line) for line in out.open()]
    sets_per: dict[str, set[str]] = {}
    for row in rows:
        if not names or row["candidate"] in names:
            sets_per.setdefault(row["candidate"], set()).add(row["set"])
    common = set.intersection(*sets_per.values())
    lines = [f"{len(common)} sets: {', '.join(sorted(common))} (fold {FOLD}, one seed)"]
    steps = rows[0]["steps"]
    lines.append("candidate | " + " | ".join(str(s) for s in steps) + " | best")
    for name in sets_per:
        curves = np.array(
            [r["val_auc"] for r in rows if r["candidate"] == name and r["set"] in common]
        )
        mean = curves.mean(axis=0)
        cells = " | ".join(f"{v:.4f}" for v in mean)
        lines.append(f"{name} | {cells} | {mean.max():.4f}")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        print(summary(Path(sys.argv[2]), sys.argv[3:]))
    elif sys.argv[1] == "--all":
        every = sorted(path.name for path in CLIP.iterdir() if (path / "30000").is_dir())
        study(Path(sys.argv[2]), sys.argv[3:] or list(CANDIDATES), every)
    else:
        study(Path(sys.argv[1]), sys.argv[2:] or list(CANDIDATES), list(SETS.values()))
