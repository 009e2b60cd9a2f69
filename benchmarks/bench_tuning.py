"""Wall time of `kerasbind tune` on PUM2 (iONMF CLIP-seq).

    .venv/bin/python benchmarks/bench_tuning.py quick --arch deepbind
    .venv/bin/python benchmarks/bench_tuning.py trial --arch ecblstm --max-steps 2000
    .venv/bin/python benchmarks/bench_tuning.py compare --arch deepbind --trials 8 \\
        --max-steps 8000 --eval-every 2000 --final-models 1 --seed 1 --work runs/bench

``quick``: a ``--budget quick`` run. ``trial``: one full-protocol trial (3 folds × 40,000 steps,
AUC every 5,000); with ``--max-steps`` below 40,000 it also gives the linear extrapolation to
40,000 steps (labelled as such). ``compare``: the same search with ``--exhaustive`` (the paper's
protocol) and without (the efficient default), one after the other; each setting's figures
(wall time, CPU time, search time, peak RSS, chosen trial and setting, CV and test AUC, where
trials stopped) are appended to ``WORK/results.jsonl`` as soon as it finishes. Resumable: a setting
already in the results is skipped, and an interrupted one resumes its KerasTuner search (its
wall time then covers only the last invocation; ``search_seconds``, the sum of the trials' own
times, covers all). Runs under any Keras backend: ``KERAS_BACKEND=jax`` is passed on to the
``kerasbind`` processes (TensorFlow must still be installed: the input pipeline is tf.data).
Prints Markdown rows for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

PUM2 = Path(__file__).resolve().parents[2] / "shared/data/CLIP-seq/23_PARCLIP_PUM2_hg19/30000"
PAPER_STEPS = 40_000
SETTINGS = {"exhaustive": ["--exhaustive"], "efficient": []}


def _command(arch: str, out: Path, extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "kerasbind", "tune", "--arch", arch, "--quiet",
        "--train", str(PUM2 / "training_sample_0/sequences.fa.gz"),
        "--test", str(PUM2 / "test_sample_0/sequences.fa.gz"), "--out", str(out), *extra,
    ]  # fmt: skip


def _tune(arch: str, out: Path, extra: list[str]) -> dict[str, float]:
    """Run one ``kerasbind tune``: its wall time and CPU time (s), peak resident memory (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(_command(arch, out, extra))
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"kerasbind tune exited with {process.returncode}")
    return {
        "wall_seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def _summary(name: str, out: Path, run: dict[str, float]) -> dict[str, Any]:
    trials = pd.read_csv(out / "trials.csv")
    best = json.loads((out / "best_hyperparameters.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    return {
        "setting": name,
        **run,
        "search_seconds": round(float(trials["seconds"].sum()), 1),
        "trials": len(trials),
        "steps_trained": int(trials["stopped_at"].sum()),
        "stopped": trials["stop_reason"].value_counts().to_dict(),
        "best_trial": best["trial"],
        "learning_steps": best["learning_steps"],
        "cv_auc": round(best["cv_auc"], 4),
        "test_auc": round(metrics["test"]["auc_roc"], 4),
        "searched": best["searched"],
    }


def compare(args: argparse.Namespace) -> None:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = work / "results.jsonl"
    done = {}
    if results.is_file():
        done = {r["setting"]: r for r in map(json.loads, results.read_text().splitlines())}
    common = [
        "--trials", str(args.trials), "--folds", str(args.folds),
        "--max-steps", str(args.max_steps), "--eval-every", str(args.eval_every),
        "--final-models", str(args.final_models), "--seed", str(args.seed),
    ]  # fmt: skip
    for name in args.settings:
        if name not in done:
            out = work / name
            done[name] = _summary(name, out, _tune(args.arch, out, [*common, *SETTINGS[name]]))
            with results.open("a") as handle:
                handle.write(json.dumps(done[name]) + "\n")
        row = done[name]
        print(
            f"| {args.arch} | {name} | {row['wall_seconds']:.0f} s (CPU "
            f"{row['cpu_seconds']:.0f} s, search {row['search_seconds']:.0f} s) | "
            f"{row['steps_trained']} steps per fold | "
            f"trial {row['best_trial']} at {row['learning_steps']} steps | CV AUC "
            f"{row['cv_auc']:.4f} | test AUC {row['test_auc']:.4f} | {row['peak_rss_mib']} MiB |",
            flush=True,
        )
    if {"exhaustive", "efficient"} <= set(done):
        slow, fast = done["exhaustive"], done["efficient"]
        print(
            f"efficient: {slow['wall_seconds'] / fast['wall_seconds']:.2f}x less wall time, "
            f"{slow['cpu_seconds'] / fast['cpu_seconds']:.2f}x less CPU time, "
            f"test AUC {fast['test_auc'] - slow['test_auc']:+.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["quick", "trial", "compare"])
    parser.add_argument("--arch", default="deepbind")
    parser.add_argument("--max-steps", type=int, default=PAPER_STEPS)
    parser.add_argument("--trials", type=int, default=40, help="compare (default 40)")
    parser.add_argument("--folds", type=int, default=3, help="compare (default 3)")
    parser.add_argument("--eval-every", type=int, default=5_000, help="compare (default 5000)")
    parser.add_argument("--final-models", type=int, default=5, help="compare (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="compare (default 1)")
    parser.add_argument("--work", help="compare: folder for the runs and results.jsonl")
    parser.add_argument(
        "--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS),
        help="compare: which protocols, in this order (default both)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.mode == "compare":
        if not args.work:
            parser.error("compare needs --work DIR")
        compare(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        if args.mode == "quick":
            seconds = _tune(args.arch, out, ["--budget", "quick"])["wall_seconds"]
            test_auc = pd.read_json(out / "metrics.json", typ="series")["test"]["auc_roc"]
            print(
                f"| {args.arch} | --budget quick (whole command) | {seconds:.0f} s "
                f"| test AUC {test_auc:.3f} |"
            )
            return
        eval_every = min(5_000, args.max_steps // 2)
        _tune(args.arch, out, [
            "--trials", "1", "--folds", "3", "--max-steps", str(args.max_steps),
            "--eval-every", str(eval_every), "--final-models", "1", "--exhaustive",
        ])  # fmt: skip
        trial = pd.read_csv(out / "trials.csv").iloc[0]
        seconds = float(trial["seconds"])
        note = f"{seconds:.0f} s at {args.max_steps} steps"
        if args.max_steps < PAPER_STEPS:
            note += f"; extrapolated to 40,000: {seconds * PAPER_STEPS / args.max_steps:.0f} s"
        print(f"| {args.arch} | one trial, 3 folds | {note} | CV AUC {trial['cv_auc']:.3f} |")


if __name__ == "__main__":
    main()
