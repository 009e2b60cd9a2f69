"""Acceptance of `kerasbind tune` on real data: dilated on PUM2 PAR-CLIP (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kerasbind.cli import main


@pytest.mark.slow
@pytest.mark.shared_data
def test_dilated_on_pum2_then_one_more_trial(pum2_files, tmp_path: Path, capsys) -> None:
    train, test = pum2_files
    out = tmp_path / "run"
    command = [
        "tune",
        "--arch",
        "dilated",
        "--train",
        str(train),
        "--test",
        str(test),
        "--folds",
        "3",
        "--max-steps",
        "1000",
        "--eval-every",
        "500",
        "--final-models",
        "2",
        "--budget",
        "quick",
        "--out",
        str(out),
    ]
    assert main([*command, "--trials", "3"]) == 0
    table = pd.read_csv(out / "trials.csv")
    replaced = int((table["stop_reason"] == "did not learn").sum())  # each replaced by a draw
    assert len(table) == 3 + replaced
    scored = table.dropna(subset=["learning_steps"])  # trials that reached a checkpoint
    assert len(scored) >= 1  # the others stopped at a rung (the efficient protocol)
    assert scored[["fold1_auc", "fold2_auc", "fold3_auc"]].notna().all().all()
    best = json.loads((out / "best_hyperparameters.json").read_text())
    assert best["learning_steps"] in (500, 1000)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["auc_roc"] >= 0.90
    capsys.readouterr()

    assert main([*command, "--trials", "4"]) == 0
    assert sum(" done: CV AUC " in line for line in capsys.readouterr().err.splitlines()) == 1
    table = pd.read_csv(out / "trials.csv")
    assert len(table) == 4 + int((table["stop_reason"] == "did not learn").sum())
