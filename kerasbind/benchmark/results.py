"""The cells' records → ``results.csv`` and the table of failed cells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kerasbind.benchmark.cells import RECORD, RUNS, read_record
from kerasbind.files import write_atomic

COLUMNS = [
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
FAILED_COLUMNS = ["dataset", "architecture", "error"]


def collect(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every finished and every failed cell recorded under ``OUT/runs``, sorted."""
    records = [read_record(path.parent) for path in sorted((out / RUNS).rglob(RECORD))]
    done = [r for r in records if r and r.get("status") == "done"]
    failed = [r for r in records if r and r.get("status") == "failed"]
    results = pd.DataFrame(done, columns=COLUMNS).sort_values(["dataset", "architecture"])
    failures = pd.DataFrame(failed, columns=FAILED_COLUMNS).sort_values(["dataset", "architecture"])
    return results.reset_index(drop=True), failures.reset_index(drop=True)


def auc_table(results: pd.DataFrame) -> pd.DataFrame:
    """Test AUC-ROC, one row per dataset and one column per architecture (NaN: not done)."""
    return results.pivot(index="dataset", columns="architecture", values="test_auc_roc")


def write_csv(table: pd.DataFrame, path: Path) -> None:
    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))
