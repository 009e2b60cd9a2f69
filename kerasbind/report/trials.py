"""What a search did, true to its record (``trials.csv``): how many trials ran for the budget,
which were replaced, which stopped early and why, the chosen one; the validation AUC of every
trial against learning steps on one shared axis; and each trial's scores and values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.errors import KerasbindError
from kerasbind.html import (
    NOT_SET,
    escape,
    figure_tag,
    format_duration,
    frame_table,
    note_tag,
)

TRIALS_FILE = "trials.csv"
REACHED, DID_NOT_LEARN = "reached max steps", "did not learn"
_FOLD_STEP = re.compile(r"fold(\d+)_auc_step(\d+)")
_PER_STEP = re.compile(r"(cv|fold\d+)_auc_step\d+")
# the columns the report computes with (the hyper-parameters' are shown as they are)
_NUMERIC = re.compile(r"trial|cv_auc|learning_steps|stopped_at|seconds|(cv|fold\d+)_auc(_step\d+)?")
MAX_TRIALS_BYTES = 64 * 2**20  # the paper's 40-trial search writes under 100 KiB
AUC_FLOOR = 0.5  # the history's y axis starts at chance, or lower when a trial went below it


def read_trials(run_dir: Path | None) -> pd.DataFrame | None:
    """A tuned run's ``trials.csv`` with ``trial`` the 1-based number the log uses (files
    written before ``trial_id`` was recorded held KerasTuner's 0-based id there)."""
    if run_dir is None or not (run_dir / TRIALS_FILE).is_file():
        return None
    path = run_dir / TRIALS_FILE
    size = path.stat().st_size
    if size > MAX_TRIALS_BYTES:
        limit = f"a trials table has at most {MAX_TRIALS_BYTES:,}"
        raise KerasbindError(f"{path}: {size:,} bytes; {limit}")
    try:
        trials = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as error:  # pandas' ParserError is a ValueError
        raise KerasbindError(f"{path}: not a trials table ({error})") from None
    for column in [c for c in trials.columns if _NUMERIC.fullmatch(str(c))]:
        numbers = pd.to_numeric(trials[column], errors="coerce")
        wrong = numbers.isna() & trials[column].notna()
        if wrong.any():
            row = int(wrong.to_numpy().argmax())
            raise KerasbindError(
                f"{path}: line {row + 2}: {column} must be a number, not"
                f" {trials[column].iloc[row]!r:.60}"
            )
        trials[column] = numbers
    if "trial_id" not in trials and "trial" in trials:
        trials = trials.assign(trial=trials["trial"].astype(int) + 1)
    return trials


def outcomes(trials: pd.DataFrame) -> pd.Series:
    """Each trial's outcome in words: reached max steps, stopped early (why), did not learn and
    replaced, or failed."""
    status = trials.get("status", pd.Series("COMPLETED", index=trials.index))
    reason = trials.get("stop_reason", pd.Series(None, index=trials.index, dtype=object))
    words = []
    for state, why in zip(status, reason, strict=True):
        if state != "COMPLETED":
            words.append(str(state).lower())
        elif why == DID_NOT_LEARN:
            words.append("did not learn: replaced")
        elif isinstance(why, str) and why != REACHED:
            words.append(f"stopped early: {why}")
        else:
            words.append(REACHED)
    return pd.Series(words, index=trials.index)


def best_trial(trials: pd.DataFrame) -> int | None:
    """The number of the trial with the best CV AUC among those that reached a checkpoint."""
    scored = trials.dropna(subset=["cv_auc"]) if "cv_auc" in trials else trials.iloc[:0]
    if "learning_steps" in scored:
        scored = scored.dropna(subset=["learning_steps"])
    return int(scored.loc[scored["cv_auc"].idxmax(), "trial"]) if len(scored) else None


def summary(trials: pd.DataFrame, tuning: dict[str, Any]) -> str:
    """One paragraph: trials run for the budget, replacements, early stops by reason, the
    chosen trial."""
    said = outcomes(trials)
    ran = len(trials)
    budget = tuning.get("budget")
    replaced = int((said == "did not learn: replaced").sum())
    parts = [f"{ran} trial{'s' * (ran != 1)} ran"]
    if budget is not None:
        parts[0] += f" for a budget of {budget}"
    if replaced:
        parts.append(
            f"{replaced} did not learn (validation AUC at chance at the first checkpoint) and "
            "did not count: a new trial was drawn in the place of each"
        )
    early = said[said.str.startswith("stopped early")].str.removeprefix("stopped early: ")
    stopped = replaced + len(early)
    if stopped:
        reasons = early.value_counts()
        why = [f"{n} {reason}" for reason, n in reasons.items()]
        if replaced:
            why.insert(0, f"{replaced} {DID_NOT_LEARN}")
        parts.append(f"{stopped} of the {ran} stopped early ({', '.join(why)})")
    reached = int((said == REACHED).sum())
    if reached:
        parts.append(f"{reached} trained to the last checkpoint")
    failed = said[~said.isin([REACHED, "did not learn: replaced"]) & ~said.str.startswith("stop")]
    if len(failed):
        parts.append(f"{len(failed)} ended without a score ({', '.join(sorted(set(failed)))})")
    best = best_trial(trials)
    text = "; ".join(parts) + "."
    if best is not None:
        row = trials.loc[trials["trial"] == best].iloc[0]
        steps = row.get("learning_steps")
        at = f" at {steps:,.0f} learning steps" if pd.notna(steps) else ""
        text += f" Trial {best} was chosen: cross-validated AUC {row['cv_auc']:.4f}{at}."
    ranking = [  # --arch auto: each architecture's best CV AUC and cost, the chosen one first
        f"{r['architecture']} {_ranked_score(r)} "
        f"({r['trials']} trial{'s' * (r['trials'] != 1)}, {format_duration(r['seconds'])},"
        f" {r['steps']:,} steps)"
        for r in tuning.get("architectures", [])
    ]
    if ranking:
        text += f" Architectures by best CV AUC (cost): {'; '.join(ranking)}."
    return f"<p>{escape(text)}</p>"


def _ranked_score(row: dict[str, Any]) -> str:
    """An architecture's best CV AUC, or where its trials were cut before any checkpoint."""
    if row["cv_auc"] is not None:
        return format(row["cv_auc"], ".4f")
    cut = row.get("cut")  # absent in run folders written before kerasbind recorded it
    if cut is None:
        return "-"
    return f"cut at {cut['stopped_at']:,} steps, best CV AUC {cut['cv_auc']:.4f} by then"


def trial_curves(trials: pd.DataFrame) -> dict[int, dict[int, dict[int, float]]]:
    """``{trial: {fold: {step: auc}}}`` from trials.csv's ``fold<f>_auc_step<s>`` columns."""
    columns = [(c, _FOLD_STEP.fullmatch(c)) for c in trials.columns]
    curves: dict[int, dict[int, dict[int, float]]] = {}
    for row in trials.to_dict("records"):
        folds: dict[int, dict[int, float]] = {}
        for column, match in columns:
            if match and pd.notna(row[column]):
                folds.setdefault(int(match[1]), {})[int(match[2])] = float(row[column])
        if folds:
            curves[int(row["trial"])] = folds
    return curves


def mean_curve(folds: dict[int, dict[int, float]]) -> tuple[list[int], list[float]]:
    """Steps and the mean AUC over the folds measured at each."""
    steps = sorted({step for curve in folds.values() for step in curve})
    return steps, [float(np.mean([c[s] for c in folds.values() if s in c])) for s in steps]


def _axes(title: str) -> tuple[Any, Any]:
    from kerasbind.motifs.logos import pyplot

    figure, axes = pyplot().subplots(figsize=(7, 3.6))
    axes.set_xlabel("learning steps (batches of 128 sequences)")
    axes.set_ylabel("validation AUC")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    return figure, axes


def _honest_limits(axes: Any, lowest: float, max_step: float) -> None:
    # from chance (or below it when a trial went lower), with room for the crosses drawn there
    axes.set_ylim(min(AUC_FLOOR, np.floor(lowest * 20) / 20) - 0.02, 1.0)
    axes.set_xlim(0, max_step * 1.03)


def plot_search_history(
    curves: dict[int, dict[int, dict[int, float]]], best: int | None, did_not_learn: set[int]
) -> Any:
    """Every trial's mean validation AUC over folds against learning steps, on one axis from
    step 0 and AUC 0.5 (chance): the chosen trial in colour with its folds dashed, the others in
    grey, and the trials that did not learn as crosses where they were stopped."""
    figure, axes = _axes("Validation AUC of every trial (mean over the CV folds)")
    every = [auc for folds in curves.values() for c in folds.values() for auc in c.values()]
    max_step = max(s for folds in curves.values() for c in folds.values() for s in c)
    failed_points = []
    for trial, folds in curves.items():
        steps, mean = mean_curve(folds)
        if trial in did_not_learn:
            failed_points.append((steps[-1], mean[-1]))
        elif trial != best:
            axes.plot(steps, mean, color="0.65", lw=1, marker=".", ms=3)
    if failed_points:
        xs, ys = zip(*failed_points, strict=True)
        axes.scatter(
            xs,
            ys,
            marker="x",
            color="tab:purple",
            zorder=3,
            label=f"did not learn ({len(failed_points)}), stopped here",
        )
    axes.plot([], [], color="0.65", lw=1, label="other trials")
    if best is not None and best in curves:
        for fold, curve in sorted(curves[best].items()):
            points = sorted(curve.items())
            axes.plot(
                *zip(*points, strict=True),
                color="tab:red",
                lw=0.8,
                ls="--",
                alpha=0.6,
                label="chosen trial's folds" if fold == min(curves[best]) else None,
            )
        steps, mean = mean_curve(curves[best])
        axes.plot(
            steps,
            mean,
            color="tab:red",
            lw=2,
            marker="o",
            ms=4,
            label=f"trial {best} (chosen), mean",
        )
    _honest_limits(axes, min(every), max_step)
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    figure.tight_layout()
    return figure


def plot_training_history(steps: list[int], auc: list[float]) -> Any:
    """One run's validation AUC against learning steps, from step 0 and AUC 0.5 (chance)."""
    figure, axes = _axes("Validation AUC during training")
    axes.plot(steps, auc, marker="o", color="tab:blue")
    _honest_limits(axes, min(auc), max(steps))
    figure.tight_layout()
    return figure


def search_history(trials: pd.DataFrame, config: dict[str, Any]) -> str:
    """A tuned run's history: the figure, each trial's mean AUC at every checkpoint, and every
    fold (folded away)."""
    curves = trial_curves(trials)
    if not curves:
        return note_tag("trials.csv records no checkpoint.")
    said = outcomes(trials).set_axis(trials["trial"].astype(int))
    did_not_learn = {t for t in curves if said.get(t) == "did not learn: replaced"}
    best = best_trial(trials)
    figure = figure_tag(
        plot_search_history(curves, best, did_not_learn), "validation AUC of every trial"
    )
    steps = sorted({s for folds in curves.values() for c in folds.values() for s in c})
    means = []
    folds_rows = []
    for trial, folds in curves.items():
        at, mean = mean_curve(folds)
        means.append({"trial": trial, **{f"step {s}": m for s, m in zip(at, mean, strict=True)}})
        for fold, curve in sorted(folds.items()):
            folds_rows.append(
                {"trial": trial, "fold": fold, **{f"step {s}": curve.get(s) for s in steps}}
            )
    table = pd.DataFrame(means).reindex(columns=["trial", *[f"step {s}" for s in steps]])
    every = pd.DataFrame(folds_rows)
    formats = {c: ".4f" for c in table.columns[1:]}
    chosen = config.get("training", {}).get("steps", "?")
    note = note_tag(
        "Validation AUC of each trial's cross-validation folds at every checkpoint (and at the "
        f"rungs where trials are compared), from trials.csv; {NOT_SET}: not measured (the trial "
        f"had stopped). The final models then trained on all the training data for the chosen "
        f"{escape(format(chosen, ',') if isinstance(chosen, int) else chosen)} steps."
    )
    if did_not_learn:
        listed = ", ".join(str(t) for t in sorted(did_not_learn))
        note += note_tag(
            f"Crosses: the {len(did_not_learn)} trials that did not learn (trials {listed}), "
            "where they were stopped; they are not drawn as lines."
        )
    opened = " open" if len(table) <= 12 else ""
    return (
        figure
        + note
        + f"<details{opened}><summary>Mean over folds, {len(table)} trials</summary>"
        + frame_table(table, formats, wide=True, sortable=True, max_rows=None)
        + "</details><details><summary>Every fold</summary>"
        + frame_table(every, formats, wide=True, sortable=True, max_rows=None)
        + "</details>"
    )


def training_history(config: dict[str, Any]) -> str:
    """A trained run's validation AUC per checkpoint: a figure from three checkpoints on, the
    values as a table always."""
    history = config.get("training", {}).get("history")
    if not (isinstance(history, dict) and history.get("steps")):
        return note_tag("No training history recorded in this run.")
    steps = list(history["steps"])
    auc = [np.nan if a is None else a for a in history.get("val_auc") or [None] * len(steps)]
    frame = pd.DataFrame({"learning steps": steps, "validation AUC": auc})
    if history.get("loss"):
        frame["training loss"] = history["loss"]
    table = frame_table(frame, {"validation AUC": ".4f", "training loss": ".4f"}, max_rows=None)
    measured = [(s, a) for s, a in zip(steps, auc, strict=True) if not np.isnan(a)]
    if len(measured) < 3:
        return table + note_tag(
            f"{len(measured)} checkpoint{'s' * (len(measured) != 1)} with a validation AUC: too "
            "few for a chart."
        )
    xs, ys = zip(*measured, strict=True)
    figure = figure_tag(plot_training_history(list(xs), list(ys)), "validation AUC per checkpoint")
    return figure + table


def _legend(columns: list[str]) -> str:
    """What ``–`` means in the values table, for the conditional columns present."""
    from kerasbind.tuning.space import CONDITIONS

    rules = [
        f"{name} only when {parent} is {value}"
        for name, (parent, value) in CONDITIONS.items()
        if name in columns and parent in columns
    ]
    if not rules:
        return ""
    text = f"{NOT_SET}: the hyper-parameter played no part in that trial ({'; '.join(rules)})."
    if "conv_init_std" in columns and "init" in columns:
        text += " conv_init_std sets the first convolution under either init, as in deepRAM."
    return note_tag(escape(text))


def trials_section(trials: pd.DataFrame, tuning: dict[str, Any]) -> str:
    """The outcome paragraph, then two tables in trial order: scores (outcome, CV AUC, chosen
    steps, time, each fold's AUC at the chosen steps, and any column this page does not know),
    and the values each trial set."""
    from kerasbind.models import HYPERPARAMETER_KEYS

    shown = trials[[c for c in trials.columns if not _PER_STEP.fullmatch(c)]].copy()
    shown.insert(1, "outcome", outcomes(trials))
    best = best_trial(trials)
    if best is not None:
        shown.loc[shown["trial"] == best, "outcome"] += " (chosen)"
    hidden = ["status", "stop_reason", "trial_id"]
    values = [c for c in shown.columns if c in HYPERPARAMETER_KEYS]
    scores = shown.drop(columns=[*values, *[c for c in hidden if c in shown]])
    scores = scores.rename(columns={"seconds": "time"})
    formats: dict[str, Any] = {
        c: ".4f" for c in scores.columns if re.fullmatch(r"(cv|fold\d+)_auc", c)
    }
    formats.update({"time": format_duration, "learning_steps": ",.0f", "stopped_at": ",.0f"})
    settings = shown[["trial", *values]]
    return (
        summary(trials, tuning)
        + frame_table(scores, formats, wide=True, sortable=True, max_rows=None)
        + note_tag(
            "Trial numbers are those of the log and trials.csv. learning_steps: the checkpoint "
            "chosen for the trial (best CV AUC); stopped_at: where its training ended."
        )
        + "<h3>Hyper-parameters of each trial</h3>"
        + _legend(values)
        + frame_table(settings, {c: ".3g" for c in values}, wide=True, sortable=True, max_rows=None)
    )
