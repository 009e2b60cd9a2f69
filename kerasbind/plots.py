"""Figures: ROC and precision–recall curves (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

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
