"""Do a search's random draws earn their time? (issue 24)

Reads one architecture's cells of a comparison (``OUT/runs/ASSAY/*/ARCH/``: ARCH ``auto``
unless ``--arch`` says; ASSAY e.g. ``clip_seq``, every assay's without it): each cell's trials
(``trials.csv``: CV AUCs on the search's training folds, seconds), first trials
(``search.json``), chosen trial (``kerasbind.json``) and wall time (``benchmark.json``); no
test AUC is read. A search runs its first trials (the portfolio) before any random draw. For
each cell: whether the chosen trial was a first trial, the best draw's CV AUC beside the chosen
one, and what a search of ``--trials N`` (default: the portfolio's size) would have run. Trials
run one after another and each is scored on the same folds whatever follows it, so that search
is the recorded one cut short: its first N trials and one more for each that did not learn (the
budget's replacement rule, `kerasbind.tuning.tuner`); its wall time is the recorded one less the
trials it would not have run (an upper bound where the cell ran beside other work: its load)::

    python benchmarks/study_draws.py benchmarks/published_comparison [clip_seq] [--trials N]
    python benchmarks/study_draws.py benchmarks/published_comparison --arch deepbind
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from study_arguments import study_arguments

from kerasbind.tuning.stopping import DID_NOT_LEARN, STOP_REASONS


def trials_run(trials: pd.DataFrame, budget: int) -> int:
    """How many of the recorded trials a search of ``budget`` trials runs: one more for each
    that did not learn, up to ``budget`` more (`kerasbind.tuning.tuner._LearnersCount`)."""
    replaced = 0
    for count, reason in enumerate(trials.stop_reason, start=1):
        replaced += reason == STOP_REASONS[DID_NOT_LEARN]
        if count >= budget + min(replaced, budget):
            return count
    return len(trials)


def cell_draws(folder: Path, budget: int | None) -> dict:
    """One cell: its portfolio, chosen trial, best draw, and the search of ``budget`` trials."""
    trials = pd.read_csv(folder / "trials.csv")
    portfolio = len(json.loads((folder / "search.json").read_text())["first_trials"])
    tuning = json.loads((folder / "kerasbind.json").read_text())["tuning"]
    compute = json.loads((folder / "benchmark.json").read_text())  # its test AUC is not read
    chosen = int(tuning["trial"])
    draws = trials[trials.trial > portfolio]
    kept = trials_run(trials, budget or portfolio)
    return {
        "cell": folder.parts[-2],
        "portfolio": portfolio,
        "trials": len(trials),
        "chosen": chosen,
        "chosen_cv_auc": float(tuning["cv_auc"]),
        "best_draw_cv_auc": float(draws.cv_auc.max()) if len(draws) else float("nan"),
        "draw_seconds": float(draws.seconds.sum()),
        "kept": kept,
        "same_choice": chosen <= kept,
        "load": float(compute["load"]),
        "cpu_per_core": float(compute["cpu_seconds"]) / int(compute["cores"]),
        "wall": float(compute["seconds"]),
        "wall_kept": float(compute["seconds"] - trials.seconds[kept:].sum()),
    }


def summary(rows: pd.DataFrame, budget: int | None) -> str:
    """A Markdown table per cell, then the counts and costs over all cells."""
    lines = [
        "| cell | trials | chosen trial | chosen CV AUC | best draw's CV AUC | draws' seconds"
        f" | trials run at {budget or 'the portfolio'} | same choice | load | CPU time per core"
        " | wall | wall then |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows.itertuples():
        lines.append(
            f"| {r.cell[:40]} | {r.trials} | {r.chosen} | {r.chosen_cv_auc:.4f}"
            f" | {r.best_draw_cv_auc:.4f} | {r.draw_seconds:,.0f} | {r.kept}"
            f" | {'yes' if r.same_choice else 'no'} | {r.load:.1f} | {r.cpu_per_core / 60:.1f} min"
            f" | {r.wall / 60:.1f} min | {r.wall_kept / 60:.1f} min |"
        )
    from_portfolio = int((rows.chosen <= rows.portfolio).sum())
    gap = rows.chosen_cv_auc - rows.best_draw_cv_auc
    lines.append(
        f"\n{len(rows)} cells: the chosen trial was a first trial in {from_portfolio}; the best "
        f"draw was behind the chosen trial by a median {gap.median():.4f} of CV AUC (least "
        f"{gap.min():.4f}, {rows.cell[gap.idxmin()][:40]}); the same choice at "
        f"{budget or 'the portfolio'} trials in {int(rows.same_choice.sum())}; wall time: median "
        f"{rows.wall.median() / 60:.1f} min, longest {rows.wall.max() / 60:.1f} min as run, median "
        f"{rows.wall_kept.median() / 60:.1f} min, longest {rows.wall_kept.max() / 60:.1f} min "
        "then; draws' seconds: median "
        f"{rows.draw_seconds.median() / 60:.1f} min, most {rows.draw_seconds.max() / 60:.1f} min"
    )
    over = rows[rows.wall_kept > 3600]
    lines += [
        f"over an hour then: {r.cell[:40]}, {r.wall_kept / 60:.1f} min at load {r.load:.1f}"
        f" (CPU time per core as run, all its trials: {r.cpu_per_core / 60:.1f} min)"
        for r in over.itertuples()
    ]
    return "\n".join(lines)


def pop_option(arguments: list[str], name: str, default: str) -> str:
    """The value after ``name`` in ``arguments`` (both removed), or ``default``."""
    if name not in arguments:
        return default
    at = arguments.index(name)
    if at + 1 == len(arguments):
        print(f"{sys.argv[0]}: {name} needs a value (see --help)", file=sys.stderr)
        sys.exit(2)
    value = arguments[at + 1]
    del arguments[at : at + 2]
    return value


def main() -> None:
    arguments = study_arguments(__doc__, {"--trials", "--arch"})
    trials = pop_option(arguments, "--trials", "0")
    arch = pop_option(arguments, "--arch", "auto")
    if not trials.isdigit():
        print(f"{sys.argv[0]}: --trials must be a whole number, not {trials!r}", file=sys.stderr)
        sys.exit(2)
    out, *assay = arguments
    where = f"runs/{assay[0] if assay else '*'}/*/{arch}/"
    folders = sorted(path.parent for path in Path(out).glob(where + "trials.csv"))
    if not folders:
        print(f"{out}: no cell with a trials.csv under {where}", file=sys.stderr)
        sys.exit(2)
    budget = int(trials) or None
    print(summary(pd.DataFrame([cell_draws(folder, budget) for folder in folders]), budget))


if __name__ == "__main__":
    main()
