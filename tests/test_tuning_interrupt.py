"""Ctrl-C during `kerasbind tune` (a real process and a real SIGINT): exit 130 within seconds,
one line, nothing half-written, and the same command resumes.

The process starts with SIGINT ignored, as a script's ``command &`` starts it: Python then
installs no handler, which is how tune came to ignore SIGINTs (issue 10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_binding

pytestmark = pytest.mark.slow


def _command(folder: Path) -> list[str]:
    return [
        sys.executable, "-m", "kerasbind", "tune", "--arch", "deepbind",
        "--train", str(folder / "train.tsv"), "--test", str(folder / "test.tsv"),
        "--trials", "3", "--folds", "2", "--max-steps", "200", "--eval-every", "50",
        "--final-models", "2", "--budget", "quick", "--seed", "1", "--out", str(folder / "run"),
    ]  # fmt: skip


def _interrupt_at(folder: Path, marker: str) -> tuple[int, str, float]:
    """Run tune, send SIGINT when stderr shows ``marker``; exit code, stderr after the
    signal, and seconds from the signal to the exit."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        _command(folder), stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    assert process.stderr is not None
    for line in process.stderr:
        if marker in line:
            break
    else:
        pytest.fail(f"tune ended before {marker!r}")
    sent = time.perf_counter()
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    process.wait(timeout=120)
    return process.returncode, rest, time.perf_counter() - sent


@pytest.mark.parametrize("marker", ["trial 2/", "final model"])
def test_ctrl_c_stops_tune_and_the_same_command_resumes(tmp_path: Path, marker: str) -> None:
    train, test = simulate_binding(300, 100, ["MA0139.2"], length=60, seed=0)
    write_tsv(train, tmp_path / "train.tsv")
    write_tsv(test, tmp_path / "test.tsv")
    code, err, seconds = _interrupt_at(tmp_path, marker)
    assert code == 130 and err.strip().splitlines()[-1] == "kerasbind tune: interrupted"
    assert "Traceback" not in err
    assert seconds < 120  # stopped, not run to its end (timings: benchmarks/RESULTS.md)
    assert not list((tmp_path / "run").rglob(".*.tmp*")) and not list(
        (tmp_path / "run").rglob(".*.json")
    )  # no temporary file left behind
    assert not (tmp_path / "run" / "model.keras").exists()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    again = subprocess.run(_command(tmp_path), capture_output=True, text=True, env=env)
    assert again.returncode == 0, again.stderr
    assert "test AUC" in again.stdout
    table = pd.read_csv(tmp_path / "run" / "trials.csv")
    assert len(table) >= 3 and set(table["status"]) == {"COMPLETED"}


def test_ctrl_c_stops_train_started_with_sigint_ignored(tmp_path: Path) -> None:
    train, _ = simulate_binding(400, 100, ["MA0139.2"], length=60, seed=0)
    write_tsv(train, tmp_path / "train.tsv")
    command = [
        sys.executable, "-m", "kerasbind", "train", "--arch", "deepbind",
        "--train", str(tmp_path / "train.tsv"), "--steps", "100000", "--eval-every", "20",
        "--out", str(tmp_path / "run"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    assert process.stderr is not None
    for line in process.stderr:
        if "step 40/" in line:
            break
    else:
        pytest.fail("train ended before its second checkpoint")
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 130
    assert rest.strip().splitlines()[-1] == "kerasbind train: interrupted"
    assert not (tmp_path / "run" / "kerasbind.json").exists()
