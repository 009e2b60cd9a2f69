"""Pairwise comparison of architectures across datasets: Wilcoxon signed-rank tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def by_mean(aucs: pd.DataFrame) -> list[str]:
    """Architectures (columns) by mean AUC, highest first."""
    return list(aucs.mean().sort_values(ascending=False, kind="stable").index)


def wilcoxon_table(aucs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For every pair of columns of a dataset × architecture AUC table: the two-sided P-value of
    ``scipy.stats.wilcoxon`` on the datasets both have (NaN when fewer than one differs), and
    the difference of their mean AUCs over those datasets (row minus column)."""
    from scipy.stats import wilcoxon

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
            if np.any(delta != 0):
                p = float(wilcoxon(pair[a], pair[b]).pvalue)
                pvalues.loc[a, b] = pvalues.loc[b, a] = p
    return pvalues, differences
