"""What resumable training costs: the size of a saved state and the time to save and restore it.

A trial saves its grouped model (its folds' weights, dropout's random state, the optimizer's
state) at every checkpoint it goes on from (`kerasbind.tuning.resume`), the final models at each
of theirs. For each architecture at its defaults, on simulated 101-nt CLIP-seq-like sequences
(the iONMF sets' length; sizes depend on the shapes only), this builds the group a `standard`
trial trains (2 folds) and the final models of an ensemble (3), trains it a few steps so that
the optimizer has its state, and times `Resume.save` and `Resume.restore` (median of 5)::

    .venv/bin/python benchmarks/bench_resume.py [--archs deepbind,ecblstm]

Prints Markdown rows for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kerasbind.models import ARCHITECTURES, default_hyperparameters
from kerasbind.pipeline import prepare_inputs
from kerasbind.simulate import simulate_binding
from kerasbind.training import train_steps
from kerasbind.tuning.grouped import FoldGroup
from kerasbind.tuning.resume import Resume

REPEATS = 5


def measure(name: str, members: int, folder: Path) -> dict[str, float]:
    """Size (MB) and median save / restore seconds of one group's state."""
    arch = ARCHITECTURES[name]
    train, _ = simulate_binding(2000, 10, ["MA0139.2"], length=101, seed=0)
    prepared = prepare_inputs(arch, train, seed=0).for_training()
    hparams = prepared.model_hyperparameters(default_hyperparameters(arch))
    seeds = list(range(members))
    group = FoldGroup(arch, hparams, prepared, seeds)
    train_steps(
        group.model, [prepared.x] * members, [prepared.y] * members,
        steps=2, eval_every=2, seed=seeds, progress=False,
    )  # fmt: skip
    resume = Resume(folder / f"{name}-{members}.npz", group, {"arch": name})
    saves, restores = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        resume.save(2000, {fold: {2000: 0.9} for fold in range(1, members + 1)})
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert resume.restore(print) is not None
        restores.append(time.perf_counter() - started)
    return {
        "mb": resume.path.stat().st_size / 1e6,
        "save": statistics.median(saves),
        "restore": statistics.median(restores),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archs", default=",".join(ARCHITECTURES))
    args = parser.parse_args()
    print("| architecture | models | state (MB) | save (s) | restore (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.archs.split(","):
            for members, what in ((2, "2 folds"), (3, "3 final")):
                found = measure(name, members, Path(folder))
                print(
                    f"| {name} | {what} | {found['mb']:.2f} | {found['save']:.3f} | "
                    f"{found['restore']:.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
