"""Wall time of `kerasbind tune` on PUM2 (iONMF CLIP-seq): a ``--budget quick`` run, and one
full-protocol trial (3 folds × 40,000 steps, AUC every 5,000).

    .venv/bin/python benchmarks/bench_tuning.py quick --arch deepbind
    .venv/bin/python benchmarks/bench_tuning.py trial --arch ecblstm --max-steps 2000

``trial`` reports the trial's own time from ``trials.csv``; with ``--max-steps`` below 40,000 it
also gives the linear extrapolation to 40,000 steps (labelled as such). Prints a Markdown row
for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

PUM2 = Path(__file__).resolve().parents[2] / "shared/data/CLIP-seq/23_PARCLIP_PUM2_hg19/30000"
PAPER_STEPS = 40_000


def _tune(arch: str, out: Path, extra: list[str]) -> float:
    command = [
        sys.executable, "-m", "kerasbind", "tune", "--arch", arch, "--quiet",
        "--train", str(PUM2 / "training_sample_0/sequences.fa.gz"),
        "--test", str(PUM2 / "test_sample_0/sequences.fa.gz"), "--out", str(out), *extra,
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["quick", "trial"])
    parser.add_argument("--arch", default="deepbind")
    parser.add_argument("--max-steps", type=int, default=PAPER_STEPS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        if args.mode == "quick":
            seconds = _tune(args.arch, out, ["--budget", "quick"])
            test_auc = pd.read_json(out / "metrics.json", typ="series")["test"]["auc_roc"]
            print(f"| {args.arch} | --budget quick (whole command) | {seconds:.0f} s "
                  f"| test AUC {test_auc:.3f} |")
            return
        eval_every = min(5_000, args.max_steps // 2)
        _tune(args.arch, out, [
            "--trials", "1", "--folds", "3", "--max-steps", str(args.max_steps),
            "--eval-every", str(eval_every), "--final-models", "1",
        ])
        trial = pd.read_csv(out / "trials.csv").iloc[0]
        seconds = float(trial["seconds"])
        note = f"{seconds:.0f} s at {args.max_steps} steps"
        if args.max_steps < PAPER_STEPS:
            note += f"; extrapolated to 40,000: {seconds * PAPER_STEPS / args.max_steps:.0f} s"
        print(f"| {args.arch} | one trial, 3 folds | {note} | CV AUC {trial['cv_auc']:.3f} |")


if __name__ == "__main__":
    main()
