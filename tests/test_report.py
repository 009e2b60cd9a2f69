"""The self-contained HTML report: what it says is what the run's files say."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kerasbind.report import SECTIONS, build_report
from kerasbind.report.trials import outcomes, read_trials, summary

REPO = Path(__file__).resolve().parents[1]
PROTOCOL_RUN = REPO / "benchmarks" / "protocol_runs" / "deepbind_full" / "efficient"


def _motifs(run_dir: Path, test_set, keep: int = 3) -> None:
    """``run_dir/motifs`` with the best-matching ``keep`` filters drawn (all in filters.tsv)."""
    import kerasbind as kb
    from kerasbind.motifs import analyse_filters, write_analysis

    run = kb.load_run(run_dir)
    analysis = analyse_filters(run.model, run.encoder, test_set)
    kept = set(analysis.matches.drop_duplicates("filter")["filter"][:keep])
    analysis.motifs = [m for m in analysis.motifs if m.id in kept]
    analysis.matches = analysis.matches[analysis.matches["filter"].isin(kept)]
    write_analysis(analysis, run_dir / "motifs", progress=False)


@pytest.fixture(scope="module")
def report_run(planted_run, tmp_path_factory):
    """A copy of the planted (trained, not tuned) run with three filters' motifs, loaded."""
    import kerasbind as kb

    run_dir = tmp_path_factory.mktemp("report") / "run"
    shutil.copytree(planted_run["run_dir"], run_dir)
    _motifs(run_dir, planted_run["test_set"])
    return kb.load_run(run_dir)


@pytest.fixture(scope="module")
def report_text(report_run) -> str:
    return build_report(report_run)


@pytest.fixture(scope="module")
def tuned_run(planted_run, tmp_path_factory):
    """A real tuned run (2 trials, 2 folds, 2 checkpoints, 2 final models; ~20 s), loaded."""
    import kerasbind as kb
    from kerasbind.cli import main

    run_dir = tmp_path_factory.mktemp("tuned") / "run"
    arguments = [
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
        "--budget",
        "quick",
        "--out",
        str(run_dir),
        "--quiet",
        "--seed",
        "0",
    ]
    assert main(arguments) == 0
    return kb.load_run(run_dir)


def _section(text: str, title: str) -> str:
    return text.split(f"<h2>{title}</h2>")[1].split("</section>")[0]


def test_report_opens_with_what_the_run_is(report_run, report_text):
    config = report_run.config
    head = report_text.split("<h2>")[0]
    assert "<h1>train · deepbind</h1>" in head  # data set (the training file) · architecture
    test = config["metrics"]["test"]
    assert f"<b>{test['auc_roc']:.3f}</b>test AUC-ROC" in head
    assert f"<b>{test['auc_pr']:.3f}</b>test AUC-PR" in head
    data = config["data"]
    assert f"{data['n_train']:,} ({data['n_train_positive']:,} positive)" in head
    assert f"{test['n']:,} ({test['n_positive']:,} positive)" in head
    assert "trained 600 learning steps" in head and "UTC" in head
    assert [h for h in re.findall(r"<h2>(.*?)</h2>", report_text)] == [
        s for s in SECTIONS if s != "Tuning trials"
    ]
    # the raw description is the appendix, as saved
    appendix = _section(report_text, "Appendix: configuration")
    assert json.dumps(config["architecture"]["name"]) in appendix.replace("&quot;", '"')


def test_report_is_self_contained(report_text):
    sources = re.findall(r'src="([^"]*)"', report_text)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(href|src)=\"(http|//)", report_text)
    # images are shown at the size they were drawn (96 CSS px per inch)
    widths = [float(w) for w in re.findall(r'style="width: (\d+)px"', report_text)]
    assert len(widths) == len(sources) and all(150 < w < 1300 for w in widths)


def test_hyperparameters_are_those_the_model_used(report_text):
    section = _section(report_text, "Hyper-parameters")
    table, note = section.split('<p class="note">')
    assert "learning_rate" in table and "dropout_keep" in table
    # a CNN trained with Adagrad and Xavier initialisation
    for unused in ("rnn_units", "rnn_init_std", "momentum", "dense_init_std"):
        assert f"<th>{unused}</th>" not in table and unused in note
    # conv_1 is drawn from N(0, conv_init_std) under either init; the table says so
    assert "<th>conv_init_std</th>" in table and "under either init" in table
    assert "init is xavier" in note and "optimizer is adagrad" in note
    model = _section(report_text, "Model")
    assert "encoder.kind" in model and "encoder.k<" not in model and "stride" not in model


def test_curves_and_mutation_maps_of_the_best_scored_positives(report_run, report_text):
    curves = _section(report_text, "Test set")
    assert curves.count("<figure>") == 2 and "ROC curve" in curves
    maps = _section(report_text, "Mutation maps")
    import kerasbind as kb

    test_set = kb.read_sequences(report_run.config["data"]["test"])
    probabilities = report_run.predict(test_set)
    positives = np.flatnonzero(np.asarray(test_set.labels) == 1)
    top = positives[np.argsort(-probabilities[positives], kind="stable")[:3]]
    shown = re.findall(r"<figcaption>(\S+): probability ([0-9]\.[0-9]+)", maps)
    assert [name for name, _ in shown] == [test_set.ids[i] for i in top]
    assert [float(p) for _, p in shown] == pytest.approx(list(probabilities[top]), abs=2e-3)


def test_motifs_beside_their_known_match_with_silent_filters_counted(report_run, report_text):
    section = _section(report_text, "Motifs")
    filters = pd.read_csv(report_run.path / "motifs" / "filters.tsv", sep="\t")
    silent = int((filters["status"] == "never activated").sum())
    assert f"{len(filters)} filters: {silent} silent" in section
    first = section.split("<figure>")[1]
    # the planted USF1's filter: its logo, JASPAR's USF1 logo, its positions
    assert "USF1 (MA0093.4)" in first and first.count("<img") == 3
    assert "known motif MA0093.4" in first
    # TF-MoDISco was not run: the command that runs it, ready to paste
    assert (
        f"kerasbind motifs {report_run.path} --input" in section and "--method modisco" in section
    )


def test_history_of_a_trained_run(report_text):
    section = _section(report_text, "Training history")
    assert "validation AUC" in section and "learning steps" in section
    assert "too few for a chart" in section  # one checkpoint: a table, not a stub of a chart


def test_report_without_motifs_says_how_to_make_them(report_run, tmp_path):
    text = build_report(report_run, motifs=tmp_path / "none")
    assert f"kerasbind motifs {report_run.path} --input" in text
    assert "Tuning trials" not in text


def test_report_of_a_tuned_run(tuned_run):
    text = build_report(tuned_run)
    assert re.findall(r"<h2>(.*?)</h2>", text) == [s for s in SECTIONS]
    trials = pd.read_csv(tuned_run.path / "trials.csv")
    best = json.loads((tuned_run.path / "best_hyperparameters.json").read_text())
    assert list(trials["trial"]) == list(range(1, len(trials) + 1))  # 1-based, as the log
    assert f"Trial {best['trial']} was chosen" in text
    assert tuned_run.config["tuning"]["trial"] == best["trial"]
    history = _section(text, "Training history")
    measured = trials.filter(regex=r"fold\d+_auc_step\d+").to_numpy().ravel()
    for value in measured[~np.isnan(measured)]:
        assert f"{value:.4f}" in history
    table = _section(text, "Tuning trials")
    assert f"{len(trials)} trials ran for a budget of 2" in table
    replaced = int((trials["stop_reason"] == "did not learn").sum())  # 2 on this tiny search
    assert table.count("did not learn: replaced") == replaced
    if replaced:
        assert f"{replaced} did not learn" in table and "trials that did not learn" in history
    assert "fold1_<wbr>auc" in table and "_auc_step" not in table
    metrics = _section(text, "Test set")
    assert "figure" in metrics
    assert not re.search(
        r"\d{7}",
        re.sub(r'(src|data-v)="[^"]*"', "", text).split("<details><summary>kerasbind.json")[0],
    )


def test_trial_outcomes_true_to_a_real_search():
    """The 45 trials of the committed DeepBind PUM2 search (trials.csv from before trial numbers
    were 1-based): counts by outcome as trials.csv records them, numbers as the log gave."""
    if not PROTOCOL_RUN.is_dir():
        pytest.skip("benchmarks/protocol_runs not in this checkout")
    raw = pd.read_csv(PROTOCOL_RUN / "trials.csv")
    trials = read_trials(PROTOCOL_RUN)
    assert list(trials["trial"]) == list(raw["trial"] + 1)
    said = outcomes(trials)
    early = raw["stop_reason"].isin(["behind the median", "no longer improving"])
    assert (said.str.startswith("stopped early")).sum() == early.sum()
    assert (said == "reached max steps").sum() == (raw["stop_reason"] == "reached max steps").sum()
    text = summary(trials, {"budget": 40})
    n_early = int(early.sum() + (raw["stop_reason"] == "did not learn").sum())
    assert "45 trials ran for a budget of 40" in text
    assert f"{n_early} of the 45 stopped early" in text
    best = json.loads((PROTOCOL_RUN / "best_hyperparameters.json").read_text())
    assert f"Trial {int(best['trial']) + 1} was chosen" in text


def test_report_command_and_errors(report_run, tmp_path, capsys):
    from kerasbind.cli import main

    assert main(["report", str(report_run.path)]) == 0
    assert (report_run.path / "report.html").stat().st_size > 50_000
    assert main(["report", str(tmp_path)]) == 2
    assert "not a kerasbind run directory" in capsys.readouterr().err
    assert main(["report", str(report_run.path), "--out", str(tmp_path / "no" / "r.html")]) == 2


def test_report_refuses_malformed_tuning_records(tuned_run, tmp_path, capsys):
    """kerasbind.json and trials.csv are read as untrusted input: a ranking row that is not
    one, a figure that is not a number, a trials.csv cell that is not a number, a trials.csv
    too large to read: each a one-line error naming the file and the field (and line), exit 2,
    no traceback."""
    from kerasbind.cli import main

    folder = tmp_path / "run"
    shutil.copytree(tuned_run.path, folder)
    config = json.loads((folder / "kerasbind.json").read_text())
    row = {"architecture": "kegru", "cv_auc": None, "trials": 1, "seconds": 9.0, "steps": 1000}
    config["tuning"]["architectures"] = [row, {**row, "cut": {"cv_auc": 0.7, "stopped_at": "y"}}]
    (folder / "kerasbind.json").write_text(json.dumps(config))
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err
    assert f"{folder / 'kerasbind.json'}: tuning.architectures[1] is not" in error
    assert len(error.strip().splitlines()) == 1
    config["tuning"] = {**config["tuning"], "architectures": [row], "trials": "<i>many</i>"}
    (folder / "kerasbind.json").write_text(json.dumps(config))
    assert main(["report", str(folder)]) == 2
    assert "tuning.trials must be a number, not '<i>many</i>'" in capsys.readouterr().err
    config["tuning"]["trials"] = 2
    for field, value, said in [
        ("metrics", {"test": "perfect"}, "metrics.test must be an object, not str"),
        ("data", {"n_train": "many"}, "data.n_train must be a number, not 'many'"),
    ]:
        (folder / "kerasbind.json").write_text(json.dumps({**config, field: value}))
        assert main(["report", str(folder)]) == 2
        assert f"{folder / 'kerasbind.json'}: {said}" in capsys.readouterr().err
    trials = pd.read_csv(folder / "trials.csv")
    trials["cv_auc"] = trials["cv_auc"].astype(object)
    trials.loc[1, "cv_auc"] = "high"
    trials.to_csv(folder / "trials.csv", index=False)
    (folder / "kerasbind.json").write_text(json.dumps(config))
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err
    assert f"{folder / 'trials.csv'}: line 3: cv_auc must be a number, not 'high'" in error
    with open(folder / "trials.csv", "ab") as huge:  # sparse: nothing is written or read
        huge.truncate(65 * 2**20)
    assert main(["report", str(folder)]) == 2
    assert "68,157,440 bytes; a trials table has at most 67,108,864" in capsys.readouterr().err


def test_report_escapes_what_kerasbind_json_says(tuned_run, tmp_path):
    """Markup in a recorded field the report shows as it is (the model's seed) is shown as
    text, not read as HTML."""
    import kerasbind as kb

    folder = tmp_path / "run"
    shutil.copytree(tuned_run.path, folder)
    config = json.loads((folder / "kerasbind.json").read_text())
    config["training"]["seed"] = "<i>7</i>"
    (folder / "kerasbind.json").write_text(json.dumps(config))
    text = kb.write_report(kb.load_run(folder)).read_text()
    assert "seed &lt;i&gt;7&lt;/i&gt;" in text and "<i>7</i>" not in text


def test_report_on_a_folder_that_is_not_a_run_answers_before_tensorflow(tmp_path):
    code = (
        "import sys\nfrom kerasbind.cli import main\n"
        f"rc = main(['report', {str(tmp_path)!r}])\n"
        "print(rc, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.split() == ["2", "False", "False"], done.stderr


def test_report_of_a_run_in_memory(report_run, tmp_path):
    """A run that was never saved: the page is written where asked, its hints name RUN_DIR."""
    from dataclasses import replace

    from kerasbind.errors import KerasbindError
    from kerasbind.report import write_report

    unsaved = replace(report_run, path=None)
    with pytest.raises(KerasbindError, match="give the report's path"):
        write_report(unsaved)
    text = write_report(unsaved, tmp_path / "r.html").read_text()
    assert "kerasbind motifs RUN_DIR --input" in text and "not saved to a folder" in text
    assert "<b>0." in text  # the headline AUCs are still there


def test_opening_names_the_input_and_which_seed_made_the_model():
    from kerasbind.report.overview import opening

    config = {
        "architecture": {"name": "ecblstm"},
        "encoder": {"kind": "kmer", "length": 99},
        "training": {"steps": 2000, "seed": 4},
        "options": {"cv": {"seed": 3}},
        "tuning": {"trials": 6, "folds": 2},
    }
    line = html.unescape(opening(config, {}, None))  # the page shows the text, quotes escaped
    assert "k-mer embedding input" in line
    assert "search seed 3, kept final model's seed 4" in line
    del config["tuning"]
    assert "seed 4;" in opening(config, {}, None)


def test_opening_says_which_strands_the_run_learnt_from():
    from kerasbind.report.overview import opening

    config = {"architecture": {"name": "deepbind"}, "training": {"steps": 10}}
    both = "both strands: each sequence and its reverse complement, tested on the better"
    dna = {**config, "encoder": {"kind": "onehot", "length": 101, "alphabet": "DNA"}}
    assert both in opening({**dna, "options": {"strand": "auto"}}, {}, None)
    assert both in opening({**dna, "options": {"cv": {"strand": "both"}}}, {}, None)
    assert "one strand" in opening({**dna, "options": {"cv": {"strand": "forward"}}}, {}, None)
    assert "one strand" in opening({**dna, "options": {}}, {}, None)  # recorded before strands
    rna = {**config, "encoder": {"kind": "onehot", "length": 101, "alphabet": "RNA"}}
    assert "one strand" in opening({**rna, "options": {"strand": "auto"}}, {}, None)
