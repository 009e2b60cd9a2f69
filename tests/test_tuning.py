"""`kerasbind tune` end to end on small simulated data: search, record, resume, final model."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kerasbind.cli import build_parser, main
from kerasbind.errors import KerasbindError
from kerasbind.models import ARCHITECTURES, resolve_architecture
from kerasbind.options import CVSettings, TuneOptions
from kerasbind.readers import write_tsv
from kerasbind.run import load_run
from kerasbind.simulate import simulate_binding
from kerasbind.tuning.search import tune

TRAIN_TSV = str(Path(__file__).parent / "files" / "train.tsv")  # an existing file for --train

TINY = CVSettings(folds=2, max_steps=60, eval_every=30, seed=1)


@pytest.fixture(scope="module")
def simulated():
    """300 training and 200 test sequences of 60 nt with CTCF planted in the positives."""
    return simulate_binding(300, 200, ["MA0139.2"], length=60, seed=0)


def _done_lines(text: str) -> int:
    return sum(" done: CV AUC " in line for line in text.splitlines())


def test_tune_records_trials_and_resumes(simulated, tmp_path: Path, capsys) -> None:
    train, test = simulated
    arch = ARCHITECTURES["deepbind"]
    out = tmp_path / "run"
    options = TuneOptions(cv=TINY, trials=1, final_models=1)
    summary = tune(arch, train, test, out, options=options)
    assert _done_lines(capsys.readouterr().err) == 1

    table = pd.read_csv(out / "trials.csv")
    assert len(table) == 1 and set(table["status"]) == {"COMPLETED"}
    assert {"fold1_auc", "fold2_auc", "fold1_auc_step30", "cv_auc_step60"} <= set(table.columns)
    best = json.loads((out / "best_hyperparameters.json").read_text())
    assert best["learning_steps"] in (30, 60)
    assert best["cv_auc"] == pytest.approx(table["cv_auc"].max())
    assert len(best["fold_auc"]) == 2
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["auc_roc"] == pytest.approx(summary["test"]["auc_roc"])
    assert len(metrics["final"]["scores"]) == 1
    assert (out / "roc.png").is_file() and (out / "tuner" / "oracle.json").is_file()
    run = load_run(out)
    assert run.hparams.to_dict() == best["hyperparameters"]
    assert run.config["training"]["steps"] == best["learning_steps"]

    # a larger --trials runs exactly the missing trial and keeps the finished ones
    tune(arch, train, test, out, options=TuneOptions(cv=TINY, trials=2, final_models=1))
    assert _done_lines(capsys.readouterr().err) == 1
    extended = pd.read_csv(out / "trials.csv")
    assert len(extended) == 2
    assert extended["cv_auc"][0] == table["cv_auc"][0]

    # other settings on the same folder need --overwrite
    other = TuneOptions(cv=CVSettings(folds=3, max_steps=60, eval_every=30, seed=1), trials=1)
    with pytest.raises(KerasbindError, match=r"other settings \(folds\).*--overwrite"):
        tune(arch, train, test, out, options=other)


@pytest.mark.parametrize("search", ["hyperband", "bayesian"])
def test_other_oracles(simulated, tmp_path: Path, search: str) -> None:
    train, _ = simulated
    options = TuneOptions(cv=TINY, trials=2, final_models=1, search=search, progress=False)
    summary = tune(ARCHITECTURES["deepbind"], train, None, tmp_path, options=options)
    table = pd.read_csv(tmp_path / "trials.csv")
    assert len(table) >= 1 and summary["test"] is None
    assert summary["best"]["learning_steps"] in (30, 60)


def test_max_time_starts_no_new_trial(simulated, tmp_path: Path, capsys) -> None:
    train, _ = simulated
    options = TuneOptions(cv=TINY, trials=2, max_time=1e-6)
    with pytest.raises(KerasbindError, match="no trial finished"):
        tune(ARCHITECTURES["deepbind"], train, None, tmp_path, options=options)
    assert "run the same command again" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_architecture_name_is_accepted(name: str, tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["tune", "--arch", name, "--train", TRAIN_TSV, "--budget", "quick", "--out", str(tmp_path)]
    )
    assert args.run.__module__ == "kerasbind.cli.tune"
    assert resolve_architecture(args.arch) is ARCHITECTURES[name]


def test_cli_embedded_architecture_with_validation_selection(
    simulated, tmp_path: Path, capsys
) -> None:
    train, test = simulated
    write_tsv(train, tmp_path / "train.tsv")
    write_tsv(test, tmp_path / "test.tsv")
    out = tmp_path / "run"
    code = main(
        [
            "tune",
            "--arch",
            "kegru",
            "--train",
            str(tmp_path / "train.tsv"),
            "--test",
            str(tmp_path / "test.tsv"),
            "--budget",
            "quick",
            "--trials",
            "1",
            "--max-steps",
            "20",
            "--eval-every",
            "10",
            "--final-models",
            "1",
            "--select-by",
            "validation",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert "test AUC" in capsys.readouterr().out
    config = json.loads((out / "kerasbind.json").read_text())
    assert config["architecture"]["name"] == "kegru"
    assert config["tuning"]["final"]["select_by"] == "validation"
    assert (out / "word2vec.npy").is_file() and not (out / "word2vec.model").exists()


def test_cli_refuses_bad_numbers(tmp_path: Path, capsys) -> None:
    code = main(["tune", "--train", TRAIN_TSV, "--folds", "1", "--out", str(tmp_path)])
    assert code == 2
    assert "folds must be at least 2" in capsys.readouterr().err
