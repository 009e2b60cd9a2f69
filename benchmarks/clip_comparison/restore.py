"""Write the committed ``results.csv`` rows back into a benchmark folder as finished cell records
(``OUT/runs/DATASET/ARCH/benchmark.json``), so a run whose folder was lost can be continued:
``kerasbind benchmark`` then skips those cells and trains only the missing ones. Each restored
record says so (``restored_from``); its model and trials are not restored.

    python benchmarks/clip_comparison/restore.py OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from kerasbind.benchmark.budget import load_budget
from kerasbind.benchmark.cells import RECORD, RUNS, settings
from kerasbind.files import write_json

HERE = Path(__file__).parent
ROW_FIELDS = ("n_train", "n_train_positive", "test_auc_roc", "test_auc_pr", "cv_auc",
              "learning_steps", "seconds")  # fmt: skip


def main(out: Path) -> None:
    wanted = settings(load_budget("quick"), 0, "none", 1.0)
    rows = pd.read_csv(HERE / "results.csv")
    for row in rows.to_dict("records"):
        record = {
            "dataset": row["dataset"],
            "architecture": row["architecture"],
            **wanted,
            "kerasbind_version": row["kerasbind_version"],
            "status": "done",
            **{key: row[key] for key in ROW_FIELDS},
            "restored_from": "benchmarks/clip_comparison/results.csv",
        }
        write_json(out / RUNS / row["dataset"] / row["architecture"] / RECORD, record)
    print(f"restored {len(rows)} cell records into {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
