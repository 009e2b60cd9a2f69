"""The self-contained HTML report, and that it renders in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kerasbind.report import build_report

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report_run(planted_run, tmp_path_factory) -> Path:
    """A copy of the planted run with three filters' motifs and a trials table."""
    from kerasbind.motifs import analyse_filters, write_analysis
    from kerasbind.rundir import load_run

    run_dir = tmp_path_factory.mktemp("report") / "run"
    shutil.copytree(planted_run["run_dir"], run_dir)
    run = load_run(run_dir)
    analysis = analyse_filters(run.model, run.encoder, planted_run["test_set"])
    keep = set(analysis.matches.drop_duplicates("filter")["filter"][:3])
    analysis.motifs = [m for m in analysis.motifs if m.id in keep]
    analysis.matches = analysis.matches[analysis.matches["filter"].isin(keep)]
    write_analysis(analysis, run_dir / "motifs", progress=False)
    (run_dir / "trials.csv").write_text("trial,learning_rate,cv_auc\n0,0.01,0.81\n1,0.05,0.87\n")
    return run_dir


def test_report_is_self_contained_and_complete(report_run):
    text = build_report(report_run)
    for heading in ("Model", "Hyper-parameters", "Metrics", "Curves (test set)",
                    "Training history", "Tuning trials", "Motifs"):
        assert f"<h2>{heading}</h2>" in text
    assert "learning_rate" in text and "0.87" in text  # the trials table
    assert "USF1 (MA0093.4)" in text  # best match under a logo
    sources = re.findall(r'src="([^"]*)"', text)
    assert len(sources) == 2 + 3  # ROC, PR and three logos
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(href|src)=\"(http|//)", text)


def test_report_without_motifs_says_how_to_make_them(planted_run, tmp_path):
    shutil.copytree(planted_run["run_dir"], tmp_path / "run")
    text = build_report(tmp_path / "run")
    assert "kerasbind motifs RUN_DIR" in text
    assert "Tuning trials" not in text


def test_report_command_and_errors(report_run, tmp_path, capsys):
    from kerasbind.cli import main

    assert main(["report", str(report_run)]) == 0
    assert (report_run / "report.html").stat().st_size > 50_000
    assert main(["report", str(tmp_path)]) == 2
    assert "not a kerasbind run directory" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed "
                    "(apt-get install -y chromium) to render report.html")
def test_report_renders_in_headless_chromium(report_run, tmp_path):
    from kerasbind.report import write_report

    script = REPO / "scripts" / "check_report_renders.sh"
    report = write_report(report_run, tmp_path / "report.html")
    done = subprocess.run([script, report, tmp_path / "shot.png"], capture_output=True, text=True,
                          cwd=REPO, timeout=180)
    assert done.returncode == 0, done.stderr
    # the check fails when the embedded images cannot be decoded
    broken = tmp_path / "broken.html"
    broken.write_text(report.read_text().replace("base64,", "base64,!!"))
    done = subprocess.run([script, broken, tmp_path / "broken.png"], capture_output=True,
                          text=True, cwd=REPO, timeout=180)
    assert done.returncode == 1 and "did not render" in done.stderr
