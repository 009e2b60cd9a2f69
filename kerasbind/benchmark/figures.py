"""deepRAM's Figs. 2 and 3 for a benchmark: AUC distributions and the Wilcoxon heatmap; and,
beside published AUCs, a scatter of kerasbind against them experiment by experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.benchmark.published import published_for
from kerasbind.benchmark.stats import Correction, adjust, by_mean, wilcoxon_table
from kerasbind.benchmark.versus import BEST, at_least_as_good, with_best
from kerasbind.files import write_atomic

LARGE = 10_000  # paper §3.3: < 10,000 positive training sequences vs more
SCATTER = "published_scatter.png"
SCATTER_AGAINST = ("DeepBind", BEST)  # the published method of the same model, and the best


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_distribution(ax: Any, aucs: pd.DataFrame, title: str) -> None:
    """Box plot of each architecture's AUCs (points over it), best mean on top; the triangle
    is the mean, the box's middle line the median, annotated with its value. Where the
    architectures ran on different numbers of datasets, each label says how many."""
    aucs = aucs.dropna(axis=1, how="all")
    order = by_mean(aucs)[::-1]
    values = [aucs[name].dropna().to_numpy() for name in order]
    counts = {name: len(data) for name, data in zip(order, values, strict=True)}
    same = len(set(counts.values())) == 1
    labels = order if same else [f"{name} ({count})" for name, count in counts.items()]
    ax.boxplot(
        values,
        orientation="horizontal",
        widths=0.6,
        showfliers=False,
        medianprops={"color": "black", "linewidth": 1.5},
        tick_labels=labels,
    )
    rng = np.random.default_rng(0)
    for y, data in enumerate(values, start=1):
        ax.scatter(
            data,
            y + rng.uniform(-0.15, 0.15, len(data)),
            s=10,
            alpha=0.5,
            color="tab:blue",
            zorder=2,
        )
        if len(data):
            ax.scatter(
                [data.mean()],
                [y],
                marker="^",
                s=60,
                color="tab:red",
                zorder=3,
                label="mean" if y == 1 else None,
            )
            median = float(np.median(data))
            ax.annotate(f"{median:.3f}", (median, y + 0.32), ha="center", va="bottom", fontsize=8)
    ax.set_xlabel("test AUC-ROC")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)


def draw_heatmap(ax: Any, aucs: pd.DataFrame, fig: Any, correction: Correction = "holm") -> None:
    """Cell (row, column): Wilcoxon signed-rank P-value adjusted by ``correction`` over all
    pairs; red where the row's mean AUC is higher, blue where lower, stronger for a larger
    difference."""
    order = by_mean(aucs)
    pvalues, differences = wilcoxon_table(aucs[order])
    pvalues = adjust(pvalues, correction)
    limit = float(np.abs(differences.to_numpy()).max()) or 1e-3
    image = ax.imshow(differences.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
    for i in range(len(order)):
        for j in range(len(order)):
            p = pvalues.iloc[i, j]
            text = "" if i == j else ("n/a" if np.isnan(p) else f"{p:.2g}")
            dark = abs(differences.iloc[i, j]) > 0.6 * limit
            ax.text(
                j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
            )
    ax.set_xticks(range(len(order)), order, rotation=45, ha="right")
    ax.set_yticks(range(len(order)), order)
    name = "Holm" if correction == "holm" else "Benjamini–Hochberg"
    ax.set_title(f"Wilcoxon signed-rank P-values ({name}-adjusted)")
    fig.colorbar(image, ax=ax, label="mean AUC of row − mean AUC of column")


def draw_scatter(ax: Any, ours: pd.Series, theirs: pd.Series, title: str, low: float) -> None:
    """kerasbind's test AUC (y) against a published one (x), one point per experiment both
    have, both axes from ``low`` to 1 with the diagonal drawn; points on or above it (kerasbind
    at least as good at the published precision) in blue, below in red; the title counts
    them."""
    pair = pd.DataFrame({"ours": ours, "theirs": theirs}).dropna()
    good = at_least_as_good(pair["ours"], pair["theirs"])
    ax.plot([low, 1], [low, 1], color="grey", linewidth=1, zorder=1)
    marks = ((good, "tab:blue", "kerasbind ≥ published"), (~good, "tab:red", "kerasbind below"))
    for mask, color, label in marks:
        ax.scatter(pair["theirs"][mask], pair["ours"][mask], s=18, color=color, label=label)
    ax.set_xlim(low, 1)
    ax.set_ylim(low, 1)
    ax.set_aspect("equal")
    ax.set_title(f"{title}: ≥ on {int(good.sum())} of {len(pair)}", fontsize=9)
    ax.legend(loc="lower right", fontsize=7)


def draw_published_scatter(aucs: pd.DataFrame, published: pd.DataFrame, path: Path) -> Path | None:
    """`SCATTER`: one row of panels per architecture that shares experiments with the published
    table, one panel against published DeepBind and one against the best published AUC of each
    experiment (`SCATTER_AGAINST`, where the table has them); None when nothing is shared."""
    others = published_for(list(aucs.index), with_best(published))
    against = [method for method in SCATTER_AGAINST if method in others]
    shared = [a for a in by_mean(aucs) if (aucs[a].notna() & others[against[0]].notna()).any()]
    if not shared:
        return None
    low = min(aucs[shared].min().min(), others[against].min().min(), 0.9) - 0.02
    plt = _pyplot()
    fig, axes = plt.subplots(
        len(shared), len(against), figsize=(4 * len(against), 4 * len(shared)), squeeze=False
    )
    for row, architecture in zip(axes, shared, strict=True):
        for ax, method in zip(row, against, strict=True):
            title = f"{architecture} vs {method}"
            draw_scatter(ax, aucs[architecture], others[method], title, low)
            ax.set_xlabel(f"{method} test AUC" + ("" if method == BEST else " (published)"))
            ax.set_ylabel(f"kerasbind {architecture} test AUC")
    fig.tight_layout()
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    plt = _pyplot()
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=120, bbox_inches="tight"))
    plt.close(fig)
    return path


def size_groups(results: pd.DataFrame) -> dict[str, list[str]] | None:
    """Datasets with fewer than 10,000 positive training sequences and the others, when the
    results have both kinds (else None)."""
    positives = results.groupby("dataset")["n_train_positive"].first()
    small = list(positives.index[positives < LARGE])
    large = list(positives.index[positives >= LARGE])
    if not small or not large:
        return None
    return {f"< {LARGE:,} positives": small, f"≥ {LARGE:,} positives": large}


def common_datasets(aucs: pd.DataFrame) -> pd.DataFrame | None:
    """The rows of the datasets every architecture ran on, when two or more architectures ran
    on different datasets and at least two datasets are common to all (else None)."""
    common = aucs.dropna()
    if aucs.shape[1] < 2 or len(common) == len(aucs) or len(common) < 2:
        return None
    return common


def draw_figures(
    results: pd.DataFrame,
    aucs: pd.DataFrame,
    folder: Path,
    published: pd.DataFrame | None = None,
) -> list[Path]:
    """``auc_distribution.png``, ``auc_common.png`` (the same on the datasets every
    architecture ran on, when coverage differs), ``wilcoxon.png`` (two or more architectures),
    ``auc_by_size.png`` (when the datasets span both sizes) and, given ``published`` AUCs that
    share experiments with the results, `SCATTER`; returns the paths written."""
    plt = _pyplot()
    if aucs.empty:
        return []
    paths = []
    height = 1.2 + 0.55 * aucs.shape[1]
    fig, ax = plt.subplots(figsize=(7, height))
    draw_distribution(ax, aucs, f"AUC over {len(aucs)} datasets")
    paths.append(_save(fig, folder / "auc_distribution.png"))
    common = common_datasets(aucs)
    if common is not None:
        fig, ax = plt.subplots(figsize=(7, height))
        draw_distribution(ax, common, f"AUC over the {len(common)} datasets all ran on")
        paths.append(_save(fig, folder / "auc_common.png"))
    if aucs.shape[1] >= 2:
        side = 2.5 + 0.7 * aucs.shape[1]
        fig, ax = plt.subplots(figsize=(side + 1.5, side))
        draw_heatmap(ax, aucs, fig)
        paths.append(_save(fig, folder / "wilcoxon.png"))
    groups = size_groups(results)
    if groups:
        fig, axes = plt.subplots(1, 2, figsize=(13, height), sharex=True)
        for ax, (label, names) in zip(axes, groups.items(), strict=True):
            draw_distribution(ax, aucs.loc[names], f"{len(names)} datasets with {label}")
        paths.append(_save(fig, folder / "auc_by_size.png"))
    if published is not None:
        scatter = draw_published_scatter(aucs, published, folder / SCATTER)
        paths.extend([scatter] if scatter else [])
    return paths
