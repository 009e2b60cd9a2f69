"""Do the stopping rule's rungs cut trials that would have caught up? (issue 24)

Reads the `auto` cells of a finished comparison (``OUT/runs/ASSAY/*/auto/trials.csv``, e.g.
ASSAY ``clip_seq``; every assay's without it: CV AUCs on the search's training folds at every
rung and checkpoint; no test AUC is read). For each trial
the stopping rule cut at step *s* (``behind the median`` at a rung or checkpoint, ``no longer
improving`` at a checkpoint), the gain it needed to reach the score the search
chose is set beside the gains that trials of the same architecture made after step *s* where
they went on, in the *other* cells (best CV AUC at the end minus best so far at *s*). A cut is
counted as one that might have caught up when its needed gain is within the largest gain seen.
Then, for each cell's chosen trial, the step it chose beside the rung where its CV AUC peaked, and
how far the peak was above the chosen score (an optimistic figure: the best of more points on the
same folds)::

    python benchmarks/study_rungs.py benchmarks/published_comparison clip_seq
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from study_arguments import study_arguments

STEP_COLUMN = re.compile(r"^cv_auc_step(\d+)$")
CUT = ("behind the median", "no longer improving")


def auto_cells(out: Path, assay: str = "*") -> list[tuple[str, pd.DataFrame]]:
    """Every `auto` cell's name and trials (of one assay's folder, or all)."""
    paths = sorted(out.glob(f"runs/{assay}/*/auto/trials.csv"))
    return [(path.parts[-3], pd.read_csv(path)) for path in paths]


def scores(trials: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    """The steps at which trials were scored and each trial's CV AUC there (NaN: not scored)."""
    steps = sorted(int(m[1]) for c in trials.columns if (m := STEP_COLUMN.match(c)))
    return steps, trials[[f"cv_auc_step{s}" for s in steps]].to_numpy(dtype=float)


def curves(trials: pd.DataFrame) -> list[dict[int, float]]:
    """Each trial's best-so-far CV AUC at every step it was scored."""
    steps, scored = scores(trials)
    best_so_far = np.fmax.accumulate(scored, axis=1)  # fmax passes NaN (not scored) over
    return [
        {s: float(v) for s, v, seen in zip(steps, row, ~np.isnan(raw), strict=True) if seen}
        for row, raw in zip(best_so_far, scored, strict=True)
    ]


def cell_trials(cells: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Every `auto` cell's trials: architecture, stop, curve, gain needed to be chosen."""
    rows = []
    for cell, trials in cells:
        chosen = float(trials.cv_auc.max())
        winner = trials.cv_auc.idxmax()
        for (row, trial), curve in zip(trials.iterrows(), curves(trials), strict=True):
            if curve:
                rows.append(
                    {
                        "cell": cell,
                        "architecture": trial.architecture,
                        "stop_reason": trial.stop_reason,
                        "stopped_at": max(curve),
                        "curve": curve,
                        "needed": chosen - curve[max(curve)],
                        "chosen": row == winner,
                    }
                )
    return pd.DataFrame(rows)


def gains_after(trials: pd.DataFrame, architecture: str, step: int, cell: str) -> list[float]:
    """Gains after `step` of the architecture's trials in other cells that trained past it."""
    others = trials[
        (trials.architecture == architecture) & (trials.cell != cell) & (trials.stopped_at > step)
    ]
    return [c[max(c)] - c[step] for c in others.curve if step in c]


def cuts(trials: pd.DataFrame) -> pd.DataFrame:
    """Every trial the stopping rule cut, with what it needed and what others gained after."""
    stopped = trials[trials.stop_reason.isin(CUT) & ~trials.chosen].copy()
    seen = [gains_after(trials, t.architecture, t.stopped_at, t.cell) for t in stopped.itertuples()]
    stopped["gains_seen"] = [len(g) for g in seen]
    stopped["largest_gain"] = [max(g, default=np.nan) for g in seen]
    stopped["median_gain"] = [float(np.median(g)) if g else np.nan for g in seen]
    return stopped


def summary(stopped: pd.DataFrame) -> str:
    """A Markdown table: a row per architecture, then one per stop reason, then all."""
    lines = [
        "| architecture | cuts | median step | median gain needed | cuts with gains seen"
        " | largest gain seen after the cut (median) | within the largest | within the median |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    groups = [
        *stopped.groupby("architecture"),
        *((f"all, {reason}", group) for reason, group in stopped.groupby("stop_reason")),
        ("all", stopped),
    ]
    for name, group in groups:
        judged = group[group.gains_seen > 0]
        lines.append(
            f"| {name} | {len(group)} | {group.stopped_at.median():,.0f}"
            f" | {group.needed.median():.4f} | {len(judged)}"
            f" | {judged.largest_gain.median():.4f}"
            f" | {int((judged.needed <= judged.largest_gain).sum())}"
            f" | {int((judged.needed <= judged.median_gain).sum())} |"
        )
    return "\n".join(lines)


def winners(cells: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Each cell's chosen trial: the step it chose, the rung where its CV AUC peaked, the gap."""
    rows = []
    for cell, trials in cells:
        winner = trials.cv_auc.idxmax()
        steps, scored = scores(trials)
        curve = scored[trials.index.get_loc(winner)]
        peak = int(np.nanargmax(curve))
        rows.append(
            {
                "cell": cell,
                "architecture": trials.architecture[winner],
                "chosen_step": int(trials.learning_steps[winner]),
                "peak_step": steps[peak],
                "above_chosen": float(curve[peak] - trials.cv_auc[winner]),
            }
        )
    return pd.DataFrame(rows)


def peak_summary(chosen: pd.DataFrame) -> str:
    """How many winners chose each step, how many peaked before it, and by how much."""
    counts = chosen.chosen_step.value_counts().sort_index()
    steps = ", ".join(f"{n} at {step:,}" for step, n in counts.items())
    top = chosen.loc[chosen.above_chosen.idxmax()]
    earlier = chosen.peak_step[chosen.peak_step < chosen.chosen_step]
    return (
        f"winners' chosen steps: {steps}; {len(earlier)} of {len(chosen)} peaked at an earlier"
        f" rung (most often {earlier.mode().min():,});"
        f" best rung above the chosen CV AUC: median {chosen.above_chosen.median():.4f},"
        f" at most {top.above_chosen:.4f} ({top.cell})"
    )


def main() -> None:
    out, *assay = study_arguments(__doc__, set())
    cells = auto_cells(Path(out), *assay[:1])
    if not cells:
        where = f"runs/{assay[0] if assay else '*'}/*/auto/"
        print(f"{out}: no auto cell with a trials.csv under {where}", file=sys.stderr)
        sys.exit(2)
    trials = cell_trials(cells)
    print(f"{len(cells)} auto cells, {len(trials)} trials")
    print(summary(cuts(trials)))
    print(peak_summary(winners(cells)))


if __name__ == "__main__":
    main()
