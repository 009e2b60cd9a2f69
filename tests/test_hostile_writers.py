"""Wrong resumes and concurrent writers (issue 27, items 2 and 12): a search folder refuses
other data of the same size; a second process on a folder in use is told who holds it, and a
killed holder leaves no stale lock. One tiny search (two folds, 20 steps) is trained."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.fingerprint import data_fingerprint
from kerasbind.locking import FolderInUse, folder_lock, lock_path
from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_binding

TINY = dict(
    budget="quick", trials=1, folds=2, max_steps=20, eval_every=10, final_models=1, progress=False
)
HOLD = (
    "import sys, time\n"
    "from kerasbind.locking import folder_lock\n"
    "with folder_lock(sys.argv[1], sys.argv[2]):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(300)\n"
)


@pytest.fixture(scope="module")
def two_sets():
    """Two different training sets of the same size (and one test set)."""
    first, test = simulate_binding(120, 40, ["MA0139.2"], length=40, seed=0)
    second, _ = simulate_binding(120, 40, ["MA0139.2"], length=40, seed=1)
    return first, second, test


@pytest.fixture
def holder(tmp_path: Path) -> Iterator:
    """Start a process that holds a folder's lock; yields a function(folder, command) -> pid."""
    started: list[subprocess.Popen] = []

    def hold(folder: Path, command: str) -> int:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(folder), command],
            stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        started.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        return process.pid

    yield hold
    for process in started:
        process.kill()
        process.wait(timeout=30)


def test_fingerprint_sees_a_letter_an_order_and_a_label(two_sets) -> None:
    first, second, _ = two_sets
    assert data_fingerprint(first) == data_fingerprint(first.subset(range(len(first))))
    assert data_fingerprint(first) != data_fingerprint(second)
    flipped = first.subset(range(len(first)))
    flipped.labels = flipped.labels.copy()
    flipped.labels[0] ^= 1
    assert data_fingerprint(first) != data_fingerprint(flipped)
    order = [*range(1, len(first)), 0]
    assert data_fingerprint(first) != data_fingerprint(first.subset(order))


def test_a_search_refuses_other_data_of_the_same_size(two_sets, tmp_path: Path) -> None:
    first, second, _ = two_sets
    out = tmp_path / "run"
    kb.tune("deepbind", first, out=out, seed=1, **TINY)
    trials = pd.read_csv(out / "trials.csv")
    with pytest.raises(kb.KerasbindError, match=r"on other training data .*--overwrite"):
        kb.tune("deepbind", second, out=out, seed=1, **TINY)
    assert pd.read_csv(out / "trials.csv").equals(trials)  # nothing of the search was touched

    # the same data resume (no new trial); so does a search recorded before fingerprints
    settings = json.loads((out / "search.json").read_text())
    del settings["data"], settings["word2vec"]
    (out / "search.json").write_text(json.dumps(settings))
    with pytest.warns(UserWarning, match="records no fingerprint"):
        kb.tune("deepbind", first, out=out, seed=1, **TINY)
    pd.testing.assert_frame_equal(pd.read_csv(out / "trials.csv"), trials)
    assert json.loads((out / "search.json").read_text())["data"] == data_fingerprint(first)
    with pytest.raises(kb.KerasbindError, match="on other training data"):
        kb.tune("deepbind", second, out=out, seed=1, **TINY)


def test_a_second_tune_on_a_folder_in_use_is_told_who_holds_it(
    two_sets, tmp_path: Path, holder, capsys
) -> None:
    first, _, _ = two_sets
    write_tsv(first, tmp_path / "train.tsv")
    out = tmp_path / "run"
    pid = holder(out, "tune")
    code = main(["tune", "--train", str(tmp_path / "train.tsv"), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"is in use by kerasbind tune, pid {pid} on {socket.gethostname()}, since " in err
    assert not (out / "tuner").exists() and not (out / "search.json").exists()

    os.kill(pid, signal.SIGKILL)  # a crashed holder: the system releases its lock
    os.waitpid(pid, 0)
    with folder_lock(out, "tune"):
        pass


def test_locks_are_reentrant_in_a_process_and_leave_no_file(tmp_path: Path) -> None:
    with folder_lock(tmp_path / "a", "benchmark") as path:
        with folder_lock(tmp_path / "a", "tune"):  # the benchmark's cell, then its tune
            assert path.is_file()
        assert path.is_file()
    assert not lock_path(tmp_path / "a").exists()
    assert lock_path(tmp_path / "a/") == lock_path(tmp_path / "b" / ".." / "a")


def test_a_benchmark_skips_a_cell_another_process_runs(tmp_path: Path, holder, capsys) -> None:
    train, test = simulate_binding(60, 20, ["MA0139.2"], length=40, seed=0)
    write_tsv(train, tmp_path / "train.tsv")
    write_tsv(test, tmp_path / "test.tsv")
    (tmp_path / "m.tsv").write_text("sim\ttrain.tsv\ttest.tsv\n")
    (tmp_path / "b.json").write_text(json.dumps({"trials": 1, "max_steps": 20, "eval_every": 10}))
    out = tmp_path / "out"
    pid = holder(out / "runs" / "sim" / "deepbind", "benchmark")
    arguments = [
        "benchmark", "--arch", "deepbind", "--datasets", str(tmp_path / "m.tsv"),
        "--budget", str(tmp_path / "b.json"), "--out", str(out), "--quiet",
    ]  # fmt: skip
    assert main(arguments) == 0  # nothing failed; the cell is the other process's
    captured = capsys.readouterr()
    assert "skipped: sim × deepbind: run by another process" in captured.out
    assert "trained 0 cell(s)" in captured.out and "1 not yet run" in captured.out
    assert not (out / "runs" / "sim" / "deepbind" / "benchmark.json").exists()
    in_use = pytest.raises(FolderInUse, match=f"kerasbind benchmark, pid {pid}")
    with in_use, folder_lock(out / "runs" / "sim" / "deepbind", "tune"):
        pass
