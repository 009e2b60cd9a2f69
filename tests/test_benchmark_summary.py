"""The benchmark's statistics and figures on known numbers (no training)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from kerasbind.benchmark.figures import common_datasets, draw_figures, size_groups
from kerasbind.benchmark.html import per_architecture, write_html
from kerasbind.benchmark.stats import by_mean, wilcoxon_table


def _aucs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deepbind": [0.90, 0.85, 0.92, 0.88, 0.95, np.nan],
            "ecblstm": [0.93, 0.90, 0.94, 0.91, 0.96, 0.97],
            "dilated": [0.91, 0.87, 0.90, 0.89, 0.97, 0.94],
        },
        index=[f"set{i}" for i in range(6)],
    )


def test_wilcoxon_table_known_numbers() -> None:
    aucs = _aucs()
    pvalues, differences = wilcoxon_table(aucs)
    # ecblstm beats deepbind on all 5 shared datasets: exact two-sided P = 2 / 2**5
    assert pvalues.loc["ecblstm", "deepbind"] == pytest.approx(0.0625)
    assert pvalues.loc["deepbind", "ecblstm"] == pvalues.loc["ecblstm", "deepbind"]
    assert differences.loc["ecblstm", "deepbind"] == pytest.approx(0.028)
    assert differences.loc["deepbind", "ecblstm"] == pytest.approx(-0.028)
    # paired on all six datasets, as scipy computes it
    expected = wilcoxon(aucs["ecblstm"], aucs["dilated"]).pvalue
    assert pvalues.loc["dilated", "ecblstm"] == pytest.approx(expected)
    assert np.isnan(pvalues.loc["dilated", "dilated"])
    assert by_mean(aucs) == ["ecblstm", "dilated", "deepbind"]


def test_identical_columns_have_no_p_value() -> None:
    aucs = pd.DataFrame({"a": [0.9, 0.8], "b": [0.9, 0.8]})
    pvalues, differences = wilcoxon_table(aucs)
    assert np.isnan(pvalues.loc["a", "b"]) and differences.loc["a", "b"] == 0


def _results(aucs: pd.DataFrame, positives: list[int]) -> pd.DataFrame:
    rows = aucs.stack().rename("test_auc_roc").reset_index()
    rows.columns = ["dataset", "architecture", "test_auc_roc"]
    rows["n_train_positive"] = rows.dataset.map(dict(zip(aucs.index, positives, strict=True)))
    return rows


def test_figures_and_html(tmp_path: Path) -> None:
    aucs = _aucs()
    results = _results(aucs, [5_000, 6_000, 20_000, 30_000, 9_999, 10_000])
    assert size_groups(results) == {
        "< 10,000 positives": ["set0", "set1", "set4"],
        "≥ 10,000 positives": ["set2", "set3", "set5"],
    }
    figures = draw_figures(results, aucs, tmp_path / "figures")
    names = ["auc_distribution.png", "auc_common.png", "wilcoxon.png", "auc_by_size.png"]
    assert [f.name for f in figures] == names
    assert all(f.stat().st_size > 5000 for f in figures)
    # deepbind lacks set5: the common-datasets figure uses the five sets all three ran on
    assert list(common_datasets(aucs).index) == [f"set{i}" for i in range(5)]
    assert common_datasets(aucs.dropna()) is None and common_datasets(aucs[["deepbind"]]) is None

    failures = pd.DataFrame({"dataset": ["set6"], "architecture": ["dilated"], "error": ["x"]})
    write_html(tmp_path / "b.html", "t", results, aucs, failures, ["set7 × deepbind"], figures)
    page = (tmp_path / "b.html").read_text()
    assert page.count("data:image/png") == 4 and "set6" in page and "set7 × deepbind" in page
    table = per_architecture(aucs)
    assert list(table.architecture) == ["ecblstm", "dilated", "deepbind"]
    assert table["median AUC"][2] == pytest.approx(0.90)


def test_one_size_group_draws_no_split(tmp_path: Path) -> None:
    aucs = _aucs()[["deepbind"]]
    results = _results(aucs.dropna(), [5_000] * 5)
    assert size_groups(results) is None
    assert [f.name for f in draw_figures(results, aucs, tmp_path)] == ["auc_distribution.png"]
