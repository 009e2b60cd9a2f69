"""The ``standard`` budget, first trials (a portfolio) and ``--arch auto`` on small simulated
data; ``--arch auto``'s ranking of architectures on a committed cell of the comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.options import BUDGETS, TuneOptions, most_learning_steps
from kerasbind.readers import write_tsv
from kerasbind.report.trials import summary
from kerasbind.simulate import simulate_binding
from kerasbind.tuning.priors import STANDARD_SPACE

TINY = dict(folds=2, max_steps=40, eval_every=20, final_models=1, seed=1)
COMPARISON = Path(__file__).resolve().parents[1] / "benchmarks" / "published_comparison"


@pytest.fixture(scope="module")
def simulated():
    """300 training and 200 test sequences of 60 nt with CTCF planted in the positives."""
    return simulate_binding(300, 200, ["MA0139.2"], length=60, seed=0)


def test_standard_is_the_default_and_costs_at_most_a_thirtieth_of_the_paper() -> None:
    paper = BUDGETS["paper"]
    paper_search = paper["trials"] * paper["folds"] * paper["max_steps"]  # 4,800,000
    assert 30 * most_learning_steps(BUDGETS["standard"]) <= paper_search
    options = TuneOptions.from_budget()
    assert options.trials == BUDGETS["standard"]["trials"]
    assert options.cv.max_steps == BUDGETS["standard"]["max_steps"]
    assert options.space["first_trials"] == STANDARD_SPACE["first_trials"]
    # a --space entry replaces the budget's, the rest of the budget's space stays
    mine = TuneOptions.from_budget(space={"first_trials": [{}]})
    assert mine.space["first_trials"] == [{}] and mine.space["filters"] == STANDARD_SPACE["filters"]
    assert TuneOptions.from_budget("paper").space is None  # the paper's protocol: Table 2
    auto = TuneOptions.from_budget("auto")  # recorded in kerasbind.json, read back for --like
    assert TuneOptions.from_dict(json.loads(json.dumps(auto.to_dict()))) == auto
    assert [e["architecture"] for e in auto.space["first_trials"]][:1] == ["deepbind"]
    # auto runs its first trials and no random draw (docs/tuning.md, benchmarks/study_draws.py)
    assert auto.trials == len(auto.space["first_trials"])


def test_first_trials_run_first_in_order(simulated, tmp_path: Path) -> None:
    train, _ = simulated
    first = [{"filters": 32, "learning_rate": 0.02}, {"dropout_keep": 1.0}]
    kb.tune(
        "deepbind", train, budget="quick", trials=2, space={"first_trials": first},
        out=tmp_path / "run", progress=False, **TINY,
    )  # fmt: skip
    table = pd.read_csv(tmp_path / "run" / "trials.csv")
    assert len(table) >= 2
    assert (table.loc[0, "filters"], table.loc[0, "learning_rate"]) == (32, pytest.approx(0.02))
    assert table.loc[0, "dropout_keep"] == pytest.approx(0.85)  # the default fills the rest
    assert (table.loc[1, "filters"], table.loc[1, "dropout_keep"]) == (16, pytest.approx(1.0))
    assert json.loads((tmp_path / "run" / "search.json").read_text())["first_trials"] == first


def test_a_first_trial_outside_the_space_is_one_line(simulated, tmp_path: Path) -> None:
    train, _ = simulated
    with pytest.raises(kb.KerasbindError, match="first_trials: filters 48 is not in the search"):
        kb.tune("deepbind", train, space={"first_trials": [{"filters": 48}]}, out=tmp_path, **TINY)
    with pytest.raises(kb.KerasbindError, match="first_trials entry 1: unknown hyper-parameter"):
        kb.tune("deepbind", train, space={"first_trials": [{"filter": 48}]}, **TINY)


def test_auto_chooses_an_architecture_and_the_run_loads(simulated, tmp_path: Path, capsys) -> None:
    """Two encodings in one search (one-hot deepbind, k-mer deepbind_e_star); dilated is too
    deep for 60 nt and is left out; the chosen architecture is what the run folder records."""
    train, test = simulated
    write_tsv(train, tmp_path / "train.tsv")
    write_tsv(test, tmp_path / "test.tsv")
    space = {
        "architecture": {"choice": ["deepbind_e_star", "deepbind", "dilated"]},
        "first_trials": [{"architecture": "deepbind_e_star"}, {"architecture": "deepbind"}],
    }
    (tmp_path / "space.json").write_text(json.dumps(space))
    out = tmp_path / "run"
    code = main(
        ["tune", "--arch", "auto", "--train", str(tmp_path / "train.tsv"), "--test",
         str(tmp_path / "test.tsv"), "--space", str(tmp_path / "space.json"), "--trials", "2",
         "--folds", "2", "--max-steps", "60", "--eval-every", "30", "--final-models", "1",
         "--seed", "1", "--out", str(out)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "not searched: dilated" in captured.err

    table = pd.read_csv(out / "trials.csv")
    assert list(table.columns[:2]) == ["trial", "architecture"]
    assert list(table["architecture"][:2]) == ["deepbind_e_star", "deepbind"]
    assert set(table["architecture"]) <= {"deepbind", "deepbind_e_star"}
    assert table.loc[table["architecture"] == "deepbind_e_star", "filters"].notna().all()

    run = kb.load_run(out)
    tuning = run.config["tuning"]
    ranking = tuning["architectures"]
    assert ranking[0]["architecture"] == run.architecture.name
    assert ranking[0]["cv_auc"] == pytest.approx(tuning["cv_auc"])
    assert all(row["seconds"] > 0 and row["steps"] > 0 for row in ranking)
    chosen = table.loc[table["cv_auc"].idxmax(), "architecture"]
    assert run.architecture.name == chosen
    assert run.config["architecture"]["name"] == chosen
    assert run.encoder.kind == ("kmer" if run.architecture.embedding else "onehot")
    probabilities = run.predict(test)
    assert len(probabilities) == len(test)
    assert run.metrics["test"]["auc_roc"] > 0.8  # the planted motif was learned
    assert f"tuned {chosen}:" in captured.out
    paragraph = summary(table, tuning)  # the report's tuning paragraph
    assert f"Architectures by best CV AUC (cost): {chosen} " in paragraph


def test_auto_draws_no_more_of_an_architecture_that_did_not_learn(tmp_path: Path) -> None:
    """The random oracle under --arch auto: once every trial of an architecture stopped because
    it did not learn, later draws skip it; one that learned keeps being drawn."""
    import keras_tuner

    from kerasbind.options import CVSettings
    from kerasbind.tuning.stopping import DID_NOT_LEARN
    from kerasbind.tuning.tuner import OBJECTIVE, architectures_that_did_not_learn, make_oracle

    hp = keras_tuner.HyperParameters()
    hp.Choice("architecture", ["danq", "deepbind", "kegru"])
    hp.Float("learning_rate", 0.001, 0.1)
    first = [{"architecture": name} for name in ("danq", "deepbind", "kegru")]
    oracle = make_oracle("random", hp, trials=40, settings=CVSettings(), first_trials=first)
    oracle._set_project_dir(str(tmp_path), "oracle")
    drawn = []
    for _ in range(30):
        trial = oracle.create_trial("tuner0")
        name = trial.hyperparameters.values["architecture"]
        drawn.append(name)
        failed = name in ("danq", "kegru")  # their first trials do not learn
        metrics = {OBJECTIVE: 0.5 if failed else 0.8, "stop_code": DID_NOT_LEARN if failed else 0}
        oracle.update_trial(trial.trial_id, metrics)
        trial.status = keras_tuner.engine.trial.TrialStatus.COMPLETED
        oracle.end_trial(trial)
    assert drawn[:3] == ["danq", "deepbind", "kegru"]  # the first trials, as given
    assert drawn[3:] == ["deepbind"] * 27  # danq and kegru failed their only trial
    assert architectures_that_did_not_learn(oracle.trials.values()) == {"danq", "kegru"}


def test_auto_ranking_says_where_architectures_without_a_checkpoint_were_cut() -> None:
    """On a committed `auto` cell's trials.csv (ChIP-seq SERBP1, budget auto): the ranking
    matches what the run recorded, and each architecture whose trials were all cut at rungs
    gets its best CV AUC there and the step its best trial was stopped at, in the report too."""
    from kerasbind.tuning.auto import architecture_ranking

    cell = COMPARISON / "runs/chip_seq/SERBP1_H1-hESC_HudsonAlpha/auto"
    table = pd.read_csv(cell / "trials.csv")
    recorded = json.loads((cell / "kerasbind.json").read_text())["tuning"]["architectures"]
    ranking = architecture_ranking(table, folds=2)
    assert len(ranking) == len(recorded)
    assert [{key: row[key] for key in old} for row, old in zip(ranking, recorded, strict=True)] == (
        recorded
    )
    for row in ranking:
        trials = table[table["architecture"] == row["architecture"]]
        if trials["learning_steps"].notna().any():
            assert "cut" not in row and row["cv_auc"] is not None
            continue
        best = trials.loc[trials["cv_auc"].idxmax()]
        assert row["cut"] == {"cv_auc": best["cv_auc"], "stopped_at": best["stopped_at"]}
    assert [row["architecture"] for row in ranking if "cut" in row] == [
        "deepbind_star", "dilated", "danq", "eclstm", "ecblstm", "kegru", "danq_star"
    ]  # fmt: skip
    paragraph = summary(table, {"architectures": ranking})
    assert "kegru cut at 1,500 steps, best CV AUC 0.7623 by then (2 trials," in paragraph
    assert "danq cut at 500 steps, best CV AUC 0.5989 by then (1 trial," in paragraph
