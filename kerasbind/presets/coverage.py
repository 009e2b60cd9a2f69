"""What a preset library covers: the benchmark's cells (finished, failed, unfinished, skipped)
and, given the benchmark's plan, which of its datasets have a preset."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kerasbind.benchmark.cells import IDENTITY, RUNS, read_identity
from kerasbind.benchmark.sources import resolve_datasets


def planned_datasets(plan: Sequence[str | os.PathLike[str]]) -> dict[str, list[str]]:
    """The datasets of the benchmark's ``--datasets`` specs (manifests or TFDS names), by
    spec; checked before anything is built."""
    return {
        Path(spec).name if Path(spec).is_file() else str(spec): [
            source.name for source in resolve_datasets(spec)
        ]
        for spec in plan
    }


def coverage(
    benchmark: Path,
    results: pd.DataFrame,
    failures: pd.DataFrame,
    covered: list[str],
    skipped: list[dict[str, str]],
    plan: dict[str, list[str]],
) -> dict[str, Any]:
    """The index's ``coverage``: cells as ``DATASET/ARCH`` by state, the datasets with a preset
    and, with ``plan`` (`planned_datasets`), the plan's datasets and those it still lacks."""
    done = _cells(results)
    failed = _cells(failures)
    started = []
    for path in sorted((benchmark / RUNS).rglob(IDENTITY)):
        identity = read_identity(path.parent) or {}
        started.append(f"{identity.get('dataset', '?')}/{path.parent.name}")
    found: dict[str, Any] = {
        "cells": {
            "finished": done,
            "failed": failed,
            "unfinished": [cell for cell in started if cell not in done and cell not in failed],
            "skipped": skipped,
        },
        "datasets": sorted(covered),
    }
    if plan:
        planned = list(dict.fromkeys(name for names in plan.values() for name in names))
        found["plan"] = {
            "specs": list(plan),
            "datasets": len(planned),
            "missing": [name for name in planned if name not in covered],
        }
    return found


def _cells(table: pd.DataFrame) -> list[str]:
    return [f"{d}/{a}" for d, a in zip(table["dataset"], table["architecture"], strict=True)]
