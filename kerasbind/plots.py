"""Figures: ROC and precision–recall curves, training histories (matplotlib, no display
needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def plot_roc_pr(y: np.ndarray, prob: np.ndarray, out_dir: Path | str) -> list[Path]:
    """Write ``roc.png`` and ``pr.png`` into ``out_dir`` and return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    from kerasbind.files import write_atomic

    out_dir = Path(out_dir)
    fpr, tpr, _ = roc_curve(y, prob)
    precision, recall, _ = precision_recall_curve(y, prob)
    curves = {
        "roc.png": (
            fpr,
            tpr,
            "false positive rate",
            "true positive rate",
            f"ROC (AUC = {auc(fpr, tpr):.3f})",
            [0, 1],
            [0, 1],
        ),
        "pr.png": (
            recall,
            precision,
            "recall",
            "precision",
            f"precision–recall (AUC = {average_precision_score(y, prob):.3f})",
            [0, 1],
            [np.mean(y)] * 2,
        ),
    }
    written = []
    for name, (xs, ys, xlabel, ylabel, title, chance_x, chance_y) in curves.items():
        figure, axes = plt.subplots(figsize=(4.5, 4.5))
        axes.plot(xs, ys, lw=1.5)
        axes.plot(chance_x, chance_y, ls="--", c="grey", lw=1)
        axes.set(xlabel=xlabel, ylabel=ylabel, title=title, xlim=(0, 1), ylim=(0, 1.01))
        figure.tight_layout()
        write_atomic(
            out_dir / name, lambda tmp, fig=figure: fig.savefig(tmp, dpi=120, format="png")
        )
        plt.close(figure)
        written.append(out_dir / name)
    return written


def plot_training_history(steps: list[int], val_auc: list[float | None], loss: list[float]) -> Any:
    """One run's validation AUC (left axis) and mean training loss (right axis) per checkpoint;
    returns the figure."""
    from kerasbind.motifs.logos import pyplot

    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5.5, 3))
    if any(auc is not None for auc in val_auc):
        auc = [np.nan if a is None else a for a in val_auc]
        axes.plot(steps, auc, marker="o", color="tab:blue", label="validation AUC")
        axes.set_ylabel("validation AUC", color="tab:blue")
    if loss:
        other = axes.twinx()
        other.plot(steps, loss, marker=".", ls="--", color="tab:grey", label="training loss")
        other.set_ylabel("training loss", color="tab:grey")
    axes.set_xlabel("learning steps")
    axes.set_title("AUC per checkpoint", fontsize=10)
    figure.tight_layout()
    return figure


def plot_cv_history(curves: dict[str, dict[int, dict[int, float]]], best: str | None) -> Any:
    """Cross-validated AUC per checkpoint for every trial (``{trial: {fold: {step: auc}}}``):
    each trial's mean over folds in grey, the best trial in colour with its folds dashed."""
    from kerasbind.motifs.logos import pyplot

    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6.5, 3.4))
    for trial, folds in curves.items():
        steps = sorted({step for curve in folds.values() for step in curve})
        mean = [np.mean([c[s] for c in folds.values() if s in c]) for s in steps]
        if trial != best:
            axes.plot(steps, mean, color="0.7", lw=1)
            continue
        axes.plot(
            steps, mean, color="tab:red", lw=2, marker="o", label=f"trial {trial} (best), mean"
        )
        for fold, curve in sorted(folds.items()):
            points = sorted(curve.items())
            axes.plot(
                *zip(*points, strict=True),
                color="tab:red",
                lw=1,
                ls="--",
                alpha=0.7,
                label=f"trial {trial}, fold {fold}",
            )
    axes.plot([], [], color="0.7", lw=1, label="other trials, mean over folds")
    axes.set_xlabel("learning steps")
    axes.set_ylabel("validation AUC")
    axes.set_title("Cross-validated AUC per checkpoint", fontsize=10)
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    figure.tight_layout()
    return figure
