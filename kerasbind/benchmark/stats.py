"""Pairwise comparison of architectures across datasets: Wilcoxon signed-rank tests, and the
multiple-testing corrections (Holm, Benjamini–Hochberg) over the family of pairs."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kerasbind.motifs.matching import benjamini_hochberg

Correction = Literal["holm", "bh"]
CORRECTIONS: dict[str, str] = {
    "holm": "Holm's step-down correction (family-wise error rate)",
    "bh": "Benjamini–Hochberg correction (false discovery rate)",
}


def by_mean(aucs: pd.DataFrame) -> list[str]:
    """Architectures (columns) by mean AUC, highest first."""
    return list(aucs.mean().sort_values(ascending=False, kind="stable").index)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-adjusted P-values of one family of tests (1-D): the i-th smallest P times
    ``m - i + 1``, made non-decreasing in that order, at most 1."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (len(p) - np.arange(len(p)))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def adjust(pvalues: pd.DataFrame, method: Correction = "holm") -> pd.DataFrame:
    """A symmetric P-value table adjusted over its pairs (the upper triangle; NaN cells, such
    as the diagonal, are not tests and stay NaN)."""
    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r} (one of {', '.join(CORRECTIONS)})")
    values = pvalues.to_numpy(dtype=np.float64)
    rows, columns = np.triu_indices(len(values), k=1)
    tested = ~np.isnan(values[rows, columns])
    rows, columns = rows[tested], columns[tested]
    adjusted = np.full_like(values, np.nan)
    if len(rows):
        family = values[rows, columns]
        fixed = holm(family) if method == "holm" else benjamini_hochberg(family)
        adjusted[rows, columns] = adjusted[columns, rows] = fixed
    return pd.DataFrame(adjusted, index=pvalues.index, columns=pvalues.columns)


def wilcoxon_p(first: pd.Series, second: pd.Series) -> float:
    """Two-sided P-value of ``scipy.stats.wilcoxon`` on paired values (NaN when no pair
    differs: there is nothing to test)."""
    from scipy.stats import wilcoxon

    if not np.any(np.asarray(first) != np.asarray(second)):
        return float("nan")
    return float(wilcoxon(first, second).pvalue)


def wilcoxon_table(aucs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For every pair of columns of a dataset × architecture AUC table: the two-sided P-value of
    ``scipy.stats.wilcoxon`` on the datasets both have (NaN when fewer than one differs), and
    the difference of their mean AUCs over those datasets (row minus column)."""
    names = list(aucs.columns)
    pvalues = pd.DataFrame(np.nan, index=names, columns=names)
    differences = pd.DataFrame(0.0, index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            pair = aucs[[a, b]].dropna()
            delta = pair[a] - pair[b]
            if len(pair):
                differences.loc[a, b] = delta.mean()
                differences.loc[b, a] = -delta.mean()
            pvalues.loc[a, b] = pvalues.loc[b, a] = wilcoxon_p(pair[a], pair[b])
    return pvalues, differences


def pair_table(aucs: pd.DataFrame, method: Correction = "holm") -> pd.DataFrame:
    """One row per pair of architectures (by mean AUC, better first): datasets both ran on,
    wins of the first, mean difference, Wilcoxon P and the adjusted P."""
    order = by_mean(aucs)
    pvalues, differences = wilcoxon_table(aucs[order])
    adjusted = adjust(pvalues, method)
    rows = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            pair = aucs[[a, b]].dropna()
            rows.append(
                {
                    "pair": f"{a} − {b}",
                    "datasets": len(pair),
                    "wins": int((pair[a] > pair[b]).sum()),
                    "mean difference": differences.loc[a, b],
                    "P": pvalues.loc[a, b],
                    "adjusted P": adjusted.loc[a, b],
                }
            )
    return pd.DataFrame(rows)
