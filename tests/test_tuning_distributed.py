"""KerasTuner's distributed mode: one chief and two workers on 127.0.0.1 share one search."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd

from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_binding

TRIALS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_chief_and_two_workers_run_every_trial_once(tmp_path: Path) -> None:
    train, _ = simulate_binding(300, 10, ["MA0139.2"], length=60, seed=0)
    write_tsv(train, tmp_path / "train.tsv")
    out = tmp_path / "run"
    command = [
        sys.executable, "-m", "kerasbind", "tune", "--arch", "deepbind",
        "--train", str(tmp_path / "train.tsv"), "--trials", str(TRIALS), "--folds", "2",
        "--max-steps", "20", "--eval-every", "10", "--final-models", "1", "--budget", "quick",
        "--out", str(out),
    ]  # fmt: skip
    port = str(_free_port())
    processes = {}
    for role in ("chief", "tuner1", "tuner2"):
        env = {
            **os.environ,
            "KERASTUNER_TUNER_ID": role,
            "KERASTUNER_ORACLE_IP": "127.0.0.1",
            "KERASTUNER_ORACLE_PORT": port,
        }
        processes[role] = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    logs = {}
    try:
        for role, process in processes.items():
            _, logs[role] = process.communicate(timeout=900)
            assert process.returncode == 0, logs[role][-2000:]
    finally:
        for process in processes.values():
            process.kill()

    # every trial was run by exactly one worker, once
    ran = [
        (match[1], role)
        for role in ("tuner1", "tuner2")
        for match in re.finditer(r"\(id (\d+), (tuner\d)\) done", logs[role])
    ]
    # (a trial that did not learn is replaced by another, so there may be more than TRIALS)
    table = pd.read_csv(out / "trials.csv")
    assert sorted(int(trial) for trial, _ in ran) == list(range(len(table)))
    oracle = json.loads((out / "tuner" / "oracle.json").read_text())
    assert sorted(oracle["run_times"].values()) == [1] * len(table)
    # the chief recorded the search and trained the final model
    replaced = (table["stop_reason"] == "did not learn").sum()
    assert len(table) == TRIALS + min(replaced, TRIALS) and set(table["status"]) == {"COMPLETED"}
    assert (out / "model.keras").is_file() and (out / "best_hyperparameters.json").is_file()
