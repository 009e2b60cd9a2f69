"""The benchmark's statistics and figures on known numbers (no training)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from kerasbind.benchmark.figures import common_datasets, draw_figures, size_groups
from kerasbind.benchmark.html import (
    BenchmarkPage,
    benchmark_page,
    comparison_table,
    natural_order,
    per_architecture,
    write_html,
)
from kerasbind.benchmark.progress import CellProgress
from kerasbind.benchmark.published import read_published
from kerasbind.benchmark.stats import adjust, by_mean, holm, pair_table, wilcoxon_table
from kerasbind.errors import InputError
from kerasbind.html import format_duration


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
    bench = BenchmarkPage(results, aucs, failures, ["set7 × deepbind"], figures)
    write_html(tmp_path / "b.html", bench)
    page = (tmp_path / "b.html").read_text()
    assert page.count("data:image/png") == 4 and "set6" in page and "set7 × deepbind" in page
    # the finished cells of finished + 1 failed + 1 pending; every figure has a caption
    assert f"<h1>kerasbind benchmark: {len(results)} of {len(results) + 2} cells</h1>" in page
    assert page.count("<figcaption>") == 4
    assert "Holm" in page and "adjusted P" in page
    table = per_architecture(aucs)
    assert list(table.architecture) == ["ecblstm", "dilated", "deepbind"]
    assert table["median AUC"][2] == pytest.approx(0.90)


def test_one_size_group_draws_no_split(tmp_path: Path) -> None:
    aucs = _aucs()[["deepbind"]]
    results = _results(aucs.dropna(), [5_000] * 5)
    assert size_groups(results) is None
    assert [f.name for f in draw_figures(results, aucs, tmp_path)] == ["auc_distribution.png"]


def test_holm_and_benjamini_hochberg_known_numbers() -> None:
    p = np.array([0.01, 0.04, 0.03])
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 = 0.03, 0.06, 0.04, then made non-decreasing
    assert holm(p) == pytest.approx([0.03, 0.06, 0.06])
    assert holm(np.array([0.5, 0.9])) == pytest.approx([1.0, 1.0])  # capped at 1
    table = pd.DataFrame(np.nan, index=list("abc"), columns=list("abc"))
    for (x, y), value in zip([("a", "b"), ("a", "c"), ("b", "c")], p, strict=True):
        table.loc[x, y] = table.loc[y, x] = value
    assert adjust(table, "holm").loc["c", "a"] == pytest.approx(0.06)
    # BH: 0.01*3/1, 0.03*3/2, 0.04*3/3 = 0.03, 0.045, 0.04, made non-increasing from the top
    bh = adjust(table, "bh")
    assert [bh.loc["a", "b"], bh.loc["a", "c"], bh.loc["b", "c"]] == pytest.approx(
        [0.03, 0.04, 0.04]
    )
    assert np.isnan(bh.loc["a", "a"])
    with pytest.raises(ValueError, match="unknown correction"):
        adjust(table, "bonferroni")


def test_pair_table_counts_wins_and_adjusts() -> None:
    pairs = pair_table(_aucs()).set_index("pair")
    row = pairs.loc["ecblstm − deepbind"]
    assert row["datasets"] == 5 and row["wins"] == 5 and row["P"] == pytest.approx(0.0625)
    assert row["adjusted P"] >= row["P"] and len(pairs) == 3


def _published(tmp_path: Path) -> Path:
    path = tmp_path / "published.tsv"
    rows = ["experiment\tlabel\tDeepBind\tiDeepS"]
    rows += [f"set{i}\tS{i}\t0.8{i}\t0.9{i}" for i in range(6)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_page_sets_each_architecture_beside_published_medians(tmp_path: Path) -> None:
    aucs = _aucs()
    results = _results(aucs, [5_000] * 6)
    published = read_published(_published(tmp_path))
    bench = BenchmarkPage(results, aucs, results.iloc[:0][[]], [], [], published)
    table = comparison_table(bench).set_index("architecture")
    # deepbind ran on set0-4: the published medians over those five, not all six
    assert table.loc["deepbind", "DeepBind"] == pytest.approx(0.82)
    assert table.loc["ecblstm", "iDeepS"] == pytest.approx(0.925)
    assert table.loc["deepbind", "median on the 5 common"] == pytest.approx(0.90)
    page = benchmark_page(bench)
    assert "DeepBind (pub.)" in page and 'data-v="0.93"' in page  # numbers sort as numbers


def test_published_table_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tDeepBind\nx\t0.9\n")
    with pytest.raises(InputError, match="no 'experiment' column"):
        read_published(bad)


def test_names_and_times_read_as_people_read_them() -> None:
    names = pd.Index(["10_b", "2_a", "1_c", "x"])
    assert [names[i] for i in natural_order(names)] == ["1_c", "2_a", "10_b", "x"]
    assert format_duration(100) == "1 min 40 s" and format_duration(35) == "35 s"
    assert format_duration(3900) == "1 h 05 min"


def test_progress_estimates_time_left_per_architecture() -> None:
    import io

    stream = io.StringIO()
    bar = CellProgress(
        ["deepbind", "ecblstm", "ecblstm"], {"deepbind": [60.0], "ecblstm": [600.0]}, stream=stream
    )
    assert bar.seconds_left() == pytest.approx(1260)
    bar.start("a × deepbind")
    bar.finish("deepbind", "a × deepbind: test AUC 0.9")
    line = stream.getvalue().splitlines()[-1]
    assert "1 of 3 cells done, 2 left, about 20 min 00 s left" in line
    assert CellProgress(["deepbind"]).seconds_left() is None
