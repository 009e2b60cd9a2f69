"""report.html and benchmark.html as a reader sees them: rendered by headless Chromium (the
system's, driven by Playwright) at 1,280 × 800, with no horizontal overflow, every image loaded,
no console error, the headline AUC on the page, and tables that sort numbers as numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from page_check import render, sort_by, why_no_browser

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "benchmarks" / "clip_comparison"
PUBLISHED = REPO.parent / "shared" / "data" / "published" / "rbp31_test_auc.tsv"

pytestmark = pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))


@pytest.fixture(scope="module")
def report_page(planted_run, tmp_path_factory) -> Path:
    """The report of the planted run (trained on simulated data, tested, no motifs yet)."""
    import kerasbind as kb

    path = tmp_path_factory.mktemp("pages") / "report.html"
    return kb.write_report(kb.load_run(planted_run["run_dir"]), path)


@pytest.fixture(scope="module")
def benchmark_page(tmp_path_factory) -> Path:
    """The committed CLIP-seq comparison's page (41 of 75 cells), drawn from its results.csv
    beside the published AUCs when ../shared/data has them."""
    from kerasbind.benchmark.figures import draw_figures
    from kerasbind.benchmark.html import BenchmarkPage, write_html
    from kerasbind.benchmark.published import read_published
    from kerasbind.benchmark.results import auc_table

    folder = tmp_path_factory.mktemp("bench")
    results = pd.read_csv(COMMITTED / "results.csv")
    aucs = auc_table(results)
    figures = draw_figures(results, aucs, folder / "figures")
    pending = [f"later × {i}" for i in range(75 - len(results))]
    published = read_published(PUBLISHED) if PUBLISHED.is_file() else None
    failures = pd.DataFrame(columns=["dataset", "architecture", "error"])
    page = BenchmarkPage(results, aucs, failures, pending, figures, published)
    return write_html(folder / "benchmark.html", page)


def test_report_renders_at_1280_px(report_page, planted_run):
    import kerasbind as kb

    shown = render(report_page)
    assert not shown.overflows, f"{shown.page_width} px page, too wide: {shown.wide}"
    assert shown.images >= 4 and not shown.broken_images  # curves, mutation maps
    assert not shown.console_errors
    auc = kb.load_run(planted_run["run_dir"]).metrics["test"]["auc_roc"]
    assert f"{auc:.3f}\ntest AUC-ROC" in shown.text
    assert shown.sections[0] == "Test set"


def test_benchmark_page_renders_at_1280_px(benchmark_page):
    shown = render(benchmark_page)
    assert not shown.overflows, f"{shown.page_width} px page, too wide: {shown.wide}"
    assert shown.images == 3 and not shown.broken_images
    assert not shown.console_errors
    assert "kerasbind benchmark: 41 of 75 cells" in shown.text
    median = pd.read_csv(COMMITTED / "results.csv").groupby("architecture")["test_auc_roc"].median()
    assert f"{median.max():.3f}\nbest median test AUC" in shown.text
    assert "1 min 40 s" in shown.text  # 10_PARCLIP_ELAVL1A_hg19 × deepbind took 100 s


def test_tables_sort_numbers_as_numbers(benchmark_page):
    column = sort_by(benchmark_page, "positives")
    values = [float(v.replace(",", "")) for v in column]
    assert values == sorted(values) and values[0] < 6000  # 4,197 before 6,000
    names = sort_by(benchmark_page, "dataset")
    assert names.index("3_HITSCLIP_Ago2_binding_clusters") < names.index("10_PARCLIP_ELAVL1A_hg19")


def test_the_checks_catch_a_broken_page(report_page, tmp_path):
    text = report_page.read_text()
    wide = tmp_path / "wide.html"
    wide.write_text(text.replace("<table", "<table style='width: 3000px'", 1))
    assert render(wide).overflows
    broken = tmp_path / "broken.html"
    broken.write_text(text.replace("base64,", "base64,!!", 1))
    assert render(broken).broken_images
    failing = tmp_path / "failing.html"
    failing.write_text(text.replace("</body>", "<script>undefinedName()</script></body>"))
    assert render(failing).console_errors


def test_a_script_smuggled_into_a_page_does_not_run(report_page, tmp_path):
    """Pages carry a Content-Security-Policy that allows their own sorting script only: markup
    that a stranger's run folder got into the page past an escape cannot run a script."""
    smuggled = tmp_path / "smuggled.html"
    script = "<script>document.body.insertAdjacentText('beforeend', 'SMUGGLED')</script>"
    smuggled.write_text(report_page.read_text().replace("</h1>", f"</h1>{script}", 1))
    shown = render(smuggled)
    assert "SMUGGLED" not in shown.text
    assert any("Content Security Policy" in error for error in shown.console_errors)
    unguarded = tmp_path / "unguarded.html"  # the same page without its policy: the script runs
    policy = smuggled.read_text().split("<meta http-equiv=", 1)[1].split(">", 1)[0]
    unguarded.write_text(smuggled.read_text().replace(f"<meta http-equiv={policy}>", ""))
    assert "SMUGGLED" in render(unguarded).text
