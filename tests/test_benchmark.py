"""`kerasbind benchmark` end to end on simulated data with a tiny budget: cells, shards, resume,
failed cells, results and figures."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kerasbind.benchmark import run_benchmark
from kerasbind.benchmark.cells import Cell, plan, shard
from kerasbind.benchmark.compute import onednn
from kerasbind.benchmark.runner import cell_budgets
from kerasbind.benchmark.sources import DatasetSource, read_manifest
from kerasbind.cli import main
from kerasbind.readers import write_tsv
from kerasbind.run import load_run
from kerasbind.simulate import simulate_binding

TINY = {"trials": 1, "folds": 2, "max_steps": 60, "eval_every": 30, "final_models": 1}
ARCHS = "deepbind,deepbind_e_star"  # one-hot and embedded; both fit 60-nt sequences


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two simulated datasets (CTCF, USF1 planted) in a manifest, and a tiny budget file."""
    folder = tmp_path_factory.mktemp("benchmark_inputs")
    lines = []
    for name, motif, seed in (("sim_ctcf", "MA0139.2", 0), ("sim_usf1", "MA0093.4", 1)):
        train, test = simulate_binding(300, 200, [motif], length=60, seed=seed)
        write_tsv(train, folder / f"{name}_train.tsv")
        write_tsv(test, folder / f"{name}_test.tsv")
        lines.append(f"{name}\t{name}_train.tsv\t{name}_test.tsv")
    (folder / "manifest.tsv").write_text("# name train test\n" + "\n".join(lines) + "\n")
    (folder / "tiny.json").write_text(json.dumps(TINY))
    return {"manifest": folder / "manifest.tsv", "budget": folder / "tiny.json"}


def _benchmark(inputs: dict[str, Path], out: Path, *extra: str) -> int:
    return main(
        [
            "benchmark",
            "--arch",
            ARCHS,
            "--datasets",
            str(inputs["manifest"]),
            "--budget",
            str(inputs["budget"]),
            "--out",
            str(out),
            "--quiet",
            *extra,
        ]
    )


def _trials_run(text: str) -> int:
    return sum(" done: CV AUC " in line for line in text.splitlines())


def test_shards_then_resume_then_summary(inputs, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench"
    assert _benchmark(inputs, out, "--shard", "1/2") == 0
    first = pd.read_csv(out / "results.csv")
    assert len(first) == 2
    assert "2 not yet run" in capsys.readouterr().out

    assert _benchmark(inputs, out, "--shard", "2/2") == 0
    results = pd.read_csv(out / "results.csv")
    assert len(results) == 4  # the two shards covered the four cells, none twice
    assert sorted(zip(results.dataset, results.architecture, strict=True)) == [
        (d, a) for d in ("sim_ctcf", "sim_usf1") for a in ("deepbind", "deepbind_e_star")
    ]
    assert list(results.columns) == [
        "dataset",
        "architecture",
        "n_train",
        "n_train_positive",
        "test_auc_roc",
        "test_auc_pr",
        "cv_auc",
        "chosen_architecture",
        "learning_steps",
        "trials",
        "total_steps",
        "seconds",
        "cpu_seconds",
        "load",
        "cores",
        "cpu",
        "onednn",
        "budget",
        "seed",
        "kerasbind_version",
        "code",
    ]
    assert set(results.n_train) == {300} and set(results.n_train_positive) == {150}
    assert (results.chosen_architecture == results.architecture).all()
    # the compute each cell used: its search's steps over the folds and the final model's
    assert (results.total_steps >= results.learning_steps + 2 * 30 * results.trials).all()
    assert (results.cpu_seconds > 0).all() and (results.load >= 0).all()
    assert set(results.onednn) == {onednn()}  # "off" under tests/conftest.py's setting
    assert set(results.budget) == {"tiny"} and set(results.learning_steps) <= {30, 60}
    assert results.test_auc_roc.between(0, 1).all()
    # one-hot DeepBind learns the planted motifs in 60 steps (0.966 and 0.925 here); the k-mer
    # embedding needs more steps than this budget gives, so its cells only have to be valid AUCs
    assert (results[results.architecture == "deepbind"].test_auc_roc > 0.8).all()
    for path in ("figures/auc_distribution.png", "figures/wilcoxon.png", "benchmark.html"):
        assert (out / path).stat().st_size > 1000
    html = (out / "benchmark.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "Not yet run" not in html

    # each cell is an ordinary tune run directory
    run = load_run(out / "runs" / "sim_usf1" / "deepbind_e_star")
    metrics = json.loads((out / "runs/sim_usf1/deepbind_e_star/metrics.json").read_text())
    row = results.set_index(["dataset", "architecture"]).loc[("sim_usf1", "deepbind_e_star")]
    assert metrics["test"]["auc_roc"] == pytest.approx(row.test_auc_roc, abs=1e-6)
    assert run.config["training"]["steps"] == row.learning_steps
    capsys.readouterr()

    # everything done: the same command trains nothing and only redraws the summary
    (out / "results.csv").unlink()
    assert _benchmark(inputs, out) == 0
    captured = capsys.readouterr()
    assert _trials_run(captured.err) == 0
    assert "trained 0 cell(s), skipped 4 finished" in captured.out
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), results)

    # a finished benchmark is not silently mixed with other settings
    assert _benchmark(inputs, out, "--seed", "5") == 2
    assert "other settings (seed)" in capsys.readouterr().err
    assert _benchmark(inputs, out, "--strand", "forward") == 2
    assert "other settings (strand)" in capsys.readouterr().err


def test_interrupted_cell_resumes_its_search(inputs, tmp_path: Path, capsys) -> None:
    """A cell whose KerasTuner project holds one finished trial of two runs only the second."""
    from kerasbind.benchmark.budget import Budget

    one_trial = Budget("tiny", **{**TINY, "trials": 1})
    two_trials = Budget("tiny", **{**TINY, "trials": 2})
    source = read_manifest(inputs["manifest"])[:1]
    out = tmp_path / "bench"
    run_benchmark("deepbind", source, out, budget=one_trial, progress=True)
    assert _trials_run(capsys.readouterr().err) == 1
    cell = out / "runs" / "sim_ctcf" / "deepbind"
    first = json.loads((cell / "benchmark.json").read_text())
    # as if stopped after trial 1: the record is gone, KerasTuner's project stays
    (cell / "benchmark.json").unlink()
    summary = run_benchmark("deepbind", source, out, budget=two_trials, progress=True)
    assert summary.trained == ["sim_ctcf × deepbind"]
    # the cell's compute counts both attempts, the first one's time included
    record = json.loads((cell / "benchmark.json").read_text())
    ledger = json.loads((cell / "compute.json").read_text())["attempts"]
    assert first["attempts"] == 1 and record["attempts"] == 2 and len(ledger) == 2
    assert ledger[0]["seconds"] == pytest.approx(first["seconds"], abs=0.1)
    assert record["seconds"] == pytest.approx(sum(a["seconds"] for a in ledger), abs=0.2)
    assert record["cpu_seconds"] > first["cpu_seconds"]
    trials = pd.read_csv(out / "runs" / "sim_ctcf" / "deepbind" / "trials.csv")
    # trial 1 is not run again; a second trial that did not learn is replaced by a new draw
    learned = (trials["stop_reason"] != "did not learn").sum()
    assert learned == 2 and _trials_run(capsys.readouterr().err) == len(trials) - 1


def test_failed_cells_are_listed_then_retried(inputs, tmp_path: Path, capsys) -> None:
    """Positives-only files fail (listed, not dropped); with --negatives shuffle the rerun
    trains the cell and the failure is gone."""
    positives, _ = simulate_binding(80, 10, ["MA0139.2"], length=60, seed=0)
    write_tsv(positives.subset(np.flatnonzero(positives.labels == 1)), tmp_path / "pos.tsv")
    (tmp_path / "m.tsv").write_text("positives_only\tpos.tsv\tpos.tsv\n")
    arguments = [
        "benchmark",
        "--arch",
        "deepbind",
        "--datasets",
        str(tmp_path / "m.tsv"),
        "--budget",
        str(inputs["budget"]),
        "--out",
        str(tmp_path / "out"),
        "--quiet",
    ]
    assert main(arguments) == 2  # a failed cell: exit code 2 and a summary line
    text = capsys.readouterr().err
    assert "1 of 1 cell(s) run failed (positives_only × deepbind: " in text
    assert "--negatives shuffle" in text
    failed = pd.read_csv(tmp_path / "out" / "failed.csv")
    assert list(failed.dataset) == ["positives_only"]
    assert "positives_only" in (tmp_path / "out" / "benchmark.html").read_text()
    assert len(pd.read_csv(tmp_path / "out" / "results.csv")) == 0

    assert main([*arguments, "--negatives", "shuffle"]) == 0
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(results.n_train) == [80] and list(results.n_train_positive) == [40]
    assert len(pd.read_csv(tmp_path / "out" / "failed.csv")) == 0


def test_shards_partition_the_plan() -> None:
    sources = [DatasetSource(f"d{i}", tfds=f"clip_seq/d{i}") for i in range(7)]
    cells = plan(sources, ["deepbind", "dilated", "ecblstm"])
    assert cells[:7] == [Cell(s, "deepbind") for s in sources]  # first architecture first
    for count in (1, 2, 5, 21, 30):
        shards = [shard(cells, index, count) for index in range(1, count + 1)]
        covered = [cell for part in shards for cell in part]
        assert sorted(covered, key=cells.index) == cells
        assert max(map(len, shards)) - min(map(len, shards)) <= 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\tb.tsv\n", "m.tsv:1: expected name<TAB>train<TAB>test, got 2"),
        ("# c\n\nx\tnope.tsv\tnope.tsv\n", "m.tsv:3: "),
        ("../up\tt.tsv\tt.tsv\n", "m.tsv:1: dataset name '../up' is not usable"),
    ],
)
def test_bad_manifest_is_one_line(tmp_path: Path, capsys, text: str, message: str) -> None:
    (tmp_path / "t.tsv").write_text("ACGT\t1\n")
    (tmp_path / "m.tsv").write_text(text)
    code = main(
        [
            "benchmark",
            "--arch",
            "deepbind",
            "--datasets",
            str(tmp_path / "m.tsv"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--arch", "deepbind,nope"], "--arch: unknown nope"),
        (["--shard", "3/2"], "--shard 3/2: expected I/N"),
        (["--datasets", "nodata/*"], "neither a file nor a TFDS name"),
        (["--datasets", "clip_seq/zzz*"], "no clip_seq config matches 'zzz*'"),
        (["--budget", "huge"], "--budget huge: not standard or auto or paper or quick"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, capsys, arguments, message) -> None:
    options = {"--arch": "deepbind", "--datasets": "clip_seq/*", "--out": str(tmp_path)}
    for flag, value in zip(arguments[::2], arguments[1::2], strict=True):
        options[flag] = value
    code = main(["benchmark", *[part for item in options.items() for part in item]])
    assert code == 2 and message in capsys.readouterr().err


def test_distributed_mode_takes_one_cell(inputs, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "chief")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    assert _benchmark(inputs, tmp_path, "--shard", "1/2") == 2
    assert "shard 1/2 has 2; use --shard I/4" in capsys.readouterr().err


def test_budget_file(tmp_path: Path) -> None:
    from kerasbind.benchmark.budget import load_budget
    from kerasbind.errors import InputError

    path = tmp_path / "mine.json"
    path.write_text('{"base": "paper", "trials": 3}')
    budget = load_budget(path)
    assert budget.name == "mine" and budget.trials == 3 and budget.max_steps == 40_000
    path.write_text('{"trails": 3}')
    with pytest.raises(InputError, match="unknown keys trails"):
        load_budget(path)
    path.write_text('{"folds": 1}')
    with pytest.raises(InputError, match="folds must be at least 2"):
        load_budget(path)


def test_tfds_globs() -> None:
    from kerasbind.benchmark.sources import resolve_datasets

    names = [s.name for s in resolve_datasets("clip_seq/2?_PARCLIP_*,chip_seq/USF1*")]
    assert names == [  # the builders' order; a name matched twice is listed once
        "clip_seq/21_PARCLIP_MOV10_Sievers_hg19",
        "clip_seq/23_PARCLIP_PUM2_hg19",
        "clip_seq/24_PARCLIP_QKI_hg19",
        "clip_seq/26_PARCLIP_TAF15_hg19",
        "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha",
    ]
    assert resolve_datasets("clip_seq/23_*,clip_seq/2?_PARCLIP_PUM2*")[0].tfds == names[1]
    assert len(resolve_datasets("clip_seq/23_*,clip_seq/2?_PARCLIP_PUM2*")) == 1


@pytest.mark.slow
def test_two_clip_sets_two_architectures(shared_data: Path, tmp_path: Path, capsys) -> None:
    """The issue's acceptance check on real data: 2 CLIP-seq sets × 2 architectures with a small
    custom budget write four rows, both figures and the page; the rerun trains nothing."""
    clip = shared_data / "CLIP-seq"
    names = ["23_PARCLIP_PUM2_hg19", "8_PARCLIP_ELAVL1_hg19"]
    (tmp_path / "clip.tsv").write_text(
        "".join(
            f"{name}\t{clip / name / '30000/training_sample_0/sequences.fa.gz'}"
            f"\t{clip / name / '30000/test_sample_0/sequences.fa.gz'}\n"
            for name in names
        )
    )
    budget = {"trials": 1, "folds": 2, "max_steps": 100, "eval_every": 50, "final_models": 1}
    (tmp_path / "small.json").write_text(json.dumps(budget))
    arguments = [
        "benchmark",
        "--arch",
        "deepbind,dilated",
        "--datasets",
        str(tmp_path / "clip.tsv"),
        "--budget",
        str(tmp_path / "small.json"),
        "--out",
        str(tmp_path / "out"),
    ]
    assert main(arguments) == 0
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert len(results) == 4 and set(results.n_train) == {30_000}
    assert results.test_auc_roc.between(0.6, 1).all()
    for path in ("figures/auc_distribution.png", "figures/wilcoxon.png", "benchmark.html"):
        assert (tmp_path / "out" / path).is_file()
    capsys.readouterr()
    assert main(arguments) == 0
    captured = capsys.readouterr()
    assert _trials_run(captured.err) == 0 and "trained 0 cell(s), skipped 4" in captured.out


def test_an_auto_cell_records_the_architecture_it_chose(inputs, tmp_path: Path) -> None:
    """``--arch auto`` is a cell like any other; its record names the architecture chosen."""
    budget = tmp_path / "tiny_auto.json"
    budget.write_text(json.dumps({**TINY, "trials": 2, "base": "auto"}))
    code = main(
        [
            "benchmark", "--arch", "auto", "--datasets", str(inputs["manifest"]),
            "--budget", str(budget), "--out", str(tmp_path / "b"), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    results = pd.read_csv(tmp_path / "b" / "results.csv")
    assert set(results.architecture) == {"auto"} and set(results.budget) == {"tiny_auto"}
    assert results.chosen_architecture.isin(["deepbind", "deepbind_star"]).all()
    assert results.test_auc_roc.between(0.5, 1).all()


def test_each_cell_gets_the_budget_tune_would_use() -> None:
    budgets = cell_budgets(["deepbind", "auto"], None)
    assert (budgets["deepbind"].name, budgets["auto"].name) == ("standard", "auto")
    assert budgets["auto"].trials > budgets["deepbind"].trials
    assert {b.name for b in cell_budgets(["deepbind", "auto"], "quick").values()} == {"quick"}


def test_the_recorded_code_changes_only_with_the_package(tmp_path: Path) -> None:
    """A cell records the commit it ran; ``+changes`` marks edits to the package's tracked
    files, not to a benchmark's driver script beside it."""
    import subprocess

    from kerasbind.benchmark.compute import code_commit

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(tmp_path), *args], capture_output=True, text=True)
        return done.stdout.strip()

    (tmp_path / "kerasbind").mkdir()
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "kerasbind" / "model.py").write_text("A = 1\n")
    (tmp_path / "benchmarks" / "run.sh").write_text("echo first\n")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    commit = git("rev-parse", "--short", "HEAD")
    (tmp_path / "benchmarks" / "run.sh").write_text("echo second\n")
    assert code_commit(tmp_path) == commit
    (tmp_path / "kerasbind" / "model.py").write_text("A = 2\n")
    assert code_commit(tmp_path) == f"{commit}+changes"


@pytest.mark.parametrize(
    ("asked", "recorded"),
    [("1", "on"), ("TRUE", "on"), ("0", "off"), ("false", "off"), ("", "TensorFlow's default")],
)
def test_compute_records_what_onednn_was_asked_to_do(monkeypatch, asked, recorded) -> None:
    from kerasbind.benchmark.compute import ComputeMeter

    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", asked)
    assert ComputeMeter(interval=60).read()["onednn"] == recorded
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # TensorFlow does not train there
    assert ComputeMeter(interval=60).read()["onednn"] is None


def test_compute_ledger_sums_attempts_and_refuses_a_strange_one(tmp_path: Path) -> None:
    """A killed attempt's ledger is written while it runs; the next attempt adds to it."""
    from kerasbind.benchmark.compute import ComputeMeter, read_ledger
    from kerasbind.errors import KerasbindError

    ledger = tmp_path / "compute.json"
    ledger.write_text(json.dumps({"attempts": [{"seconds": 100, "cpu_seconds": 150, "load": 4}]}))
    meter = ComputeMeter(interval=0.05, ledger=ledger)
    deadline = time.time() + 5
    while len(read_ledger(ledger)) < 2 and time.time() < deadline:  # a sample was written
        time.sleep(0.05)
    assert len(read_ledger(ledger)) == 2
    spent = meter.read()
    assert spent["attempts"] == 2 and 100 <= spent["seconds"] < 110
    assert spent["cpu_seconds"] >= 150
    assert spent["load"] == pytest.approx(4, abs=0.5 + os.getloadavg()[0])  # weighted by time
    for bad, message in [
        ("[1, 2]", "not a compute ledger"),
        ('{"attempts": [{"seconds": -1, "cpu_seconds": 0, "load": 0}]}', "attempt 1 is not"),
        ('{"attempts": [{"seconds": true, "cpu_seconds": 0, "load": 0}]}', "attempt 1 is not"),
        ('{"attempts": [{"seconds": 1}]}', "attempt 1 is not"),
    ]:
        ledger.write_text(bad)
        with pytest.raises(KerasbindError, match=f"compute.json: {message}"):
            read_ledger(ledger)
