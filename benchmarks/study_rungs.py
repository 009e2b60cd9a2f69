"""Do the stopping rule's rungs cut trials that would have caught up? (issue 24)

Reads the `auto` cells of a finished comparison (``OUT/runs/*/*/auto/trials.csv``: CV AUCs on
the search's training folds at every rung and checkpoint; no test AUC is read). For each trial
the stopping rule cut at step *s* (``behind the median`` at a rung or checkpoint, ``no longer
improving`` at a checkpoint), the gain it needed to reach the score the search
chose is set beside the gains that trials of the same architecture made after step *s* where
they went on, in the *other* cells (best CV AUC at the end minus best so far at *s*). A cut is
counted as one that might have caught up when its needed gain is within the largest gain seen::

    python benchmarks/study_rungs.py benchmarks/published_comparison
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from study_arguments import study_arguments

STEP_COLUMN = re.compile(r"^cv_auc_step(\d+)$")
CUT = ("behind the median", "no longer improving")


def curves(trials: pd.DataFrame) -> list[dict[int, float]]:
    """Each trial's best-so-far CV AUC at every step it was scored."""
    steps = sorted(int(m[1]) for c in trials.columns if (m := STEP_COLUMN.match(c)))
    scored = trials[[f"cv_auc_step{s}" for s in steps]].to_numpy(dtype=float)
    best_so_far = np.fmax.accumulate(scored, axis=1)  # fmax passes NaN (not scored) over
    return [
        {s: float(v) for s, v, seen in zip(steps, row, ~np.isnan(raw), strict=True) if seen}
        for row, raw in zip(best_so_far, scored, strict=True)
    ]


def cell_trials(out: Path) -> pd.DataFrame:
    """Every `auto` cell's trials: architecture, stop, curve, gain needed to be chosen."""
    rows = []
    for path in sorted(out.glob("runs/*/*/auto/trials.csv")):
        trials = pd.read_csv(path)
        chosen = float(trials.cv_auc.max())
        winner = trials.cv_auc.idxmax()
        for (row, trial), curve in zip(trials.iterrows(), curves(trials), strict=True):
            if curve:
                rows.append(
                    {
                        "cell": path.parts[-3],
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


def main() -> None:
    out = Path(study_arguments(__doc__, set())[0])
    trials = cell_trials(out)
    if trials.empty:
        raise SystemExit(f"{out}: no auto cell with a trials.csv under runs/*/*/auto/")
    print(f"{trials.cell.nunique()} auto cells, {len(trials)} trials")
    print(summary(cuts(trials)))


if __name__ == "__main__":
    main()
