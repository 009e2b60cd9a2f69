"""The self-contained HTML report, and that it renders in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kerasbind.report import SECTIONS, build_report

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="chromium not installed (apt-get install -y chromium) to render report.html",
)


def _motifs(run_dir: Path, test_set, keep: int = 3) -> None:
    """``run_dir/motifs`` with the best-matching ``keep`` filters."""
    from kerasbind.motifs import analyse_filters, write_analysis
    from kerasbind.rundir import load_run

    run = load_run(run_dir)
    analysis = analyse_filters(run.model, run.encoder, test_set)
    kept = set(analysis.matches.drop_duplicates("filter")["filter"][:keep])
    analysis.motifs = [m for m in analysis.motifs if m.id in kept]
    analysis.matches = analysis.matches[analysis.matches["filter"].isin(kept)]
    write_analysis(analysis, run_dir / "motifs", progress=False)


@pytest.fixture(scope="module")
def report_run(planted_run, tmp_path_factory) -> Path:
    """A copy of the planted (trained, not tuned) run with three filters' motifs."""
    run_dir = tmp_path_factory.mktemp("report") / "run"
    shutil.copytree(planted_run["run_dir"], run_dir)
    _motifs(run_dir, planted_run["test_set"])
    return run_dir


@pytest.fixture(scope="module")
def tuned_run(planted_run, tmp_path_factory) -> Path:
    """A real tuned run (2 trials, 2 folds, 2 checkpoints, 2 final models; ~20 s) with motifs,
    and two columns trials.csv may gain that this report does not know."""
    from kerasbind.cli import main

    run_dir = tmp_path_factory.mktemp("tuned") / "run"
    assert (
        main(
            [
                "tune",
                "--arch",
                "deepbind",
                "--train",
                str(planted_run["train"]),
                "--test",
                str(planted_run["test"]),
                "--trials",
                "2",
                "--folds",
                "2",
                "--max-steps",
                "60",
                "--eval-every",
                "30",
                "--final-models",
                "2",
                "--out",
                str(run_dir),
                "--quiet",
                "--seed",
                "0",
            ]
        )
        == 0
    )
    trials = pd.read_csv(run_dir / "trials.csv")
    trials["stopped"] = False
    trials["reason"] = "ran every checkpoint of every fold"
    trials.to_csv(run_dir / "trials.csv", index=False)
    _motifs(run_dir, planted_run["test_set"], keep=2)
    return run_dir


def _headings(text: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", text)


def test_report_is_self_contained_and_complete(report_run):
    text = build_report(report_run)
    assert _headings(text) == [s for s in SECTIONS if s != "Tuning trials"]
    assert "USF1 (MA0093.4)" in text  # best match under a logo
    sources = re.findall(r'src="([^"]*)"', text)
    assert len(sources) == 2 + 1 + 3  # ROC, PR, the history and three logos
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(href|src)=\"(http|//)", text)
    # images are shown at the size they were drawn (150 dpi -> 96 CSS px per inch)
    widths = [float(w) for w in re.findall(r'style="width: (\d+)px"', text)]
    assert len(widths) == len(sources) and all(200 < w < 700 for w in widths)


def test_hyperparameters_are_those_the_model_used(report_run):
    text = build_report(report_run)
    section = text.split("<h2>Hyper-parameters</h2>")[1].split("</section>")[0]
    table, note = section.split('<p class="note">')
    assert "learning_rate" in table and "dropout_keep" in table
    # a CNN trained with Adagrad and Xavier initialisation
    for unused in ("rnn_units", "rnn_init_std", "momentum", "dense_init_std"):
        assert unused not in table and unused in note
    assert "conv_init_std" in table  # conv_1 is drawn from N(0, conv_init_std) under any init
    assert "init is xavier" in note and "optimizer is adagrad" in note
    model = text.split("<h2>Model</h2>")[1].split("</section>")[0]
    assert "encoder.kind" in model and "encoder.k<" not in model and "stride" not in model


def test_history_of_a_trained_run(report_run):
    section = build_report(report_run).split("<h2>Training history</h2>")[1]
    assert "validation AUC" in section and "learning steps" in section


def test_report_of_a_tuned_run(tuned_run):
    text = build_report(tuned_run)
    assert _headings(text) == list(SECTIONS)
    trials = pd.read_csv(tuned_run / "trials.csv")
    history = text.split("<h2>Training history</h2>")[1].split("</section>")[0]
    # every trial's every fold at every checkpoint, and their means
    assert history.count("<tr>") == 1 + len(trials) * (2 + 1)
    measured = trials.filter(regex=r"fold\d+_auc_step\d+").to_numpy().ravel()
    for value in measured[~np.isnan(measured)]:
        assert f"{value:.4f}" in history
    if np.isnan(measured).any():  # checkpoints after a trial stopped early
        assert "–" in history
    table = text.split("<h2>Tuning trials</h2>")[1].split("</section>")[0]
    assert "fold1_<wbr>auc" in table and "_step" not in table  # per-step AUCs: in the history
    assert "stopped" in table and "ran every checkpoint of every fold" in table  # unknown columns
    metrics = text.split("<h2>Metrics</h2>")[1].split("</section>")[0]
    assert "Final models" in metrics and "final.scores" not in metrics
    assert not re.search(r"\d{7}", re.sub(r'src="[^"]*"', "", text))  # no 0.9993322499999999


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


def _check(report: Path, shot: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [REPO / "scripts" / "check_report_renders.sh", report, shot],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


@CHROMIUM
def test_tuned_report_fits_1280_px_and_has_every_section(tuned_run, tmp_path):
    from kerasbind.report import write_report

    report = write_report(tuned_run, tmp_path / "report.html")
    done = _check(report, tmp_path / "shot.png")
    assert done.returncode == 0, done.stderr
    assert f"sections: {' | '.join(SECTIONS)}" in done.stdout
    # the check fails when a table is too wide for the page ...
    wide = tmp_path / "wide.html"
    wide.write_text(report.read_text().replace("<table>", "<table style='width: 3000px'>", 1))
    done = _check(wide, tmp_path / "wide.png")
    assert done.returncode == 1 and "overflows" in done.stderr
    # ... and when the embedded images cannot be decoded
    broken = tmp_path / "broken.html"
    broken.write_text(report.read_text().replace("base64,", "base64,!!"))
    done = _check(broken, tmp_path / "broken.png")
    assert done.returncode == 1 and "did not render" in done.stderr
