"""kerasbind beside published methods, experiment by experiment: the AUC table, medians over the
experiments both have, and paired Wilcoxon signed-rank tests with Holm's correction.

Published AUCs are printed with three decimals, so kerasbind's are rounded to the same precision
(`PRECISION`) before any comparison with them: a tie is equal at that precision, and "at least
as good" counts ties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from kerasbind.benchmark.published import published_for
from kerasbind.benchmark.results import auc_table
from kerasbind.benchmark.stats import by_mean, holm, wilcoxon_p

PRECISION = 3
BEST = "best published"  # the highest published AUC of each experiment, any method
PUBLISHED_SUFFIX = " (pub.)"
COMPARISON_COLUMNS = [
    "architecture",
    "method",
    "experiments",
    "kerasbind median",
    "published median",
    "median difference",
    "wins",
    "ties",
    "losses",
]


def rounded(aucs: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """AUCs at the published precision."""
    return aucs.round(PRECISION)


def format_auc(value: float) -> str:
    """An AUC at the published precision, with one more digit where a median of an even number
    of values falls between two (0.8815, not a rounded 0.881 or 0.882)."""
    units = value * 10**PRECISION
    digits = PRECISION if abs(units - round(units)) < 1e-6 else PRECISION + 1
    return f"{value:.{digits}f}"


def format_difference(value: float) -> str:
    """An AUC difference as `format_auc`, signed."""
    return ("+" if value >= 0 else "−") + format_auc(abs(value))


def with_best(published: pd.DataFrame) -> pd.DataFrame:
    """The published table with a `BEST` column: each experiment's highest published AUC."""
    return published.assign(**{BEST: published.max(axis=1)})


def chosen_architectures(results: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, the architecture each searching cell (such as ``auto``) chose, one column
    ``ARCH chose`` per architecture whose cells chose another; empty when none did."""
    if "chosen_architecture" not in results:
        return pd.DataFrame(index=pd.Index([], name="dataset"))
    chose = results.dropna(subset=["chosen_architecture"])
    chose = chose[chose["chosen_architecture"] != chose["architecture"]]
    table = chose.pivot(index="dataset", columns="architecture", values="chosen_architecture")
    return table.add_suffix(" chose").rename_axis(columns=None)


def per_experiment(results: pd.DataFrame, published: pd.DataFrame | None) -> pd.DataFrame:
    """One row per dataset: each architecture's test AUC (best mean first; for a searching
    cell, then the architecture it chose), each published method's AUC suffixed ``(pub.)`` and
    the `BEST` of them (NaN where an experiment has none)."""
    aucs = auc_table(results).rename_axis(columns=None)
    aucs = aucs[by_mean(aucs)]
    chose = chosen_architectures(results)
    for column in chose.columns:
        at = aucs.columns.get_loc(column.removesuffix(" chose")) + 1
        aucs.insert(at, column, chose[column].reindex(aucs.index))
    if published is None:
        return aucs
    others = published_for(list(aucs.index), published)
    return aucs.join(others.add_suffix(PUBLISHED_SUFFIX)).assign(**{BEST: others.max(axis=1)})


def in_units(aucs: ArrayLike) -> np.ndarray:
    """AUCs in whole units of the published precision (thousandths), so that equal values
    and differences are exact."""
    return np.round(np.asarray(aucs, dtype=np.float64) * 10**PRECISION)


def at_least_as_good(ours: ArrayLike, theirs: ArrayLike) -> np.ndarray:
    """Where kerasbind's AUC is at least the published one, at the published precision."""
    return in_units(ours) >= in_units(theirs)


def _pairs(aucs: pd.Series, published: pd.Series) -> pd.DataFrame:
    """kerasbind and published AUCs on the experiments both have, `in_units`."""
    pair = pd.DataFrame({"kerasbind": aucs, "published": published}).dropna()
    return pair.apply(in_units)


def comparisons(aucs: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """One row per kerasbind architecture (``aucs``' columns, datasets as rows) × published
    method (with `BEST`), on the experiments both have: their number, both medians, the median
    of the differences, wins / ties / losses of kerasbind, the two-sided Wilcoxon signed-rank P
    and the Holm-adjusted P over the family of every row's test. Pairs with no shared
    experiment are left out."""
    others = published_for(list(aucs.index), with_best(published))
    scale = 10**PRECISION
    rows = []
    for architecture in aucs.columns:
        for method in others.columns:
            pair = _pairs(aucs[architecture], others[method])
            if pair.empty:
                continue
            difference = pair["kerasbind"] - pair["published"]
            rows.append(
                {
                    "architecture": architecture,
                    "method": method,
                    "experiments": len(pair),
                    "kerasbind median": pair["kerasbind"].median() / scale,
                    "published median": pair["published"].median() / scale,
                    "median difference": difference.median() / scale,
                    "wins": int((difference > 0).sum()),
                    "ties": int((difference == 0).sum()),
                    "losses": int((difference < 0).sum()),
                    "P": wilcoxon_p(pair["kerasbind"], pair["published"]),
                }
            )
    table = pd.DataFrame(rows, columns=[*COMPARISON_COLUMNS, "P"])
    table["Holm P"] = _holm_where_tested(table["P"].to_numpy(dtype=np.float64))
    return table


def _holm_where_tested(p_values: np.ndarray) -> np.ndarray:
    """Holm over the P-values that are tests (NaN: no pair differed, not a test)."""
    adjusted = np.full_like(p_values, np.nan)
    tested = ~np.isnan(p_values)
    if tested.any():
        adjusted[tested] = holm(p_values[tested])
    return adjusted


def medians(aucs: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """One row per kerasbind architecture: the experiments it shares with the published table,
    its median test AUC there, and each published method's median over the same experiments."""
    others = published_for(list(aucs.index), with_best(published))
    rows = []
    for architecture in aucs.columns:
        shared = aucs[architecture].notna() & others.notna().all(axis=1)
        if shared.any():
            row = {
                "architecture": architecture,
                "experiments": int(shared.sum()),
                "kerasbind": rounded(aucs.loc[shared, architecture]).median(),
            }
            rows.append(row | others.loc[shared].median().to_dict())
    return pd.DataFrame(rows, columns=["architecture", "experiments", "kerasbind", *others])
