"""``kerasbind presets build``: a preset library from a ``kerasbind benchmark`` folder.

Per dataset the cell with the best cross-validation AUC (never the test AUC) becomes the preset.
Its weights are stored as float16 when that moves the test AUC by less than ``tolerance``
(measured here, on the cell's own test set), else as float32; the card records the figure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from kerasbind import __version__
from kerasbind.benchmark.cells import RUNS, read_identity, read_record
from kerasbind.benchmark.published import published_for, read_published
from kerasbind.benchmark.results import collect
from kerasbind.benchmark.sources import DatasetSource, load_source
from kerasbind.errors import KerasbindError
from kerasbind.files import check_new_folder, replace_folder, write_atomic, write_json
from kerasbind.presets.archive import ARCHIVE_FILES, write_archive
from kerasbind.presets.card import card_markdown, data_source
from kerasbind.presets.compact import compact_model
from kerasbind.presets.library import INDEX_FILE, Preset, list_presets
from kerasbind.presets.names import aliases, file_stem, preset_name, subject
from kerasbind.run.layout import MODEL_FILE

TOLERANCE = 0.001  # largest test-AUC change float16 weights may cause
LIBRARY_LIMIT_BYTES = 30 * 2**20  # issue 30: all presets in at most 30 MB
CARDS = "cards"


def build_presets(
    benchmark: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    url: str | None = None,
    published: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    manual_dir: str | os.PathLike[str] | None = None,
    tolerance: float = TOLERANCE,
    overwrite: bool = False,
    progress: bool = True,
) -> list[Preset]:
    """Build the preset library of a benchmark folder into ``out`` (default ``BENCHMARK/
    presets``; an existing folder only with ``overwrite``, then replaced whole). ``url``: the
    base URL the archives will be published under (recorded per preset; without it they are
    read from the library folder); ``published``: a TSV of other methods' test AUCs (as for
    ``kerasbind benchmark --published``); ``data_dir`` / ``manual_dir``: where TFDS finds
    the cells' test sets."""
    benchmark = Path(benchmark)
    out = Path(out) if out is not None else benchmark / "presets"
    results, _ = collect(benchmark)
    if results.empty:
        raise KerasbindError(
            f"{benchmark}: no finished benchmark cells under {benchmark / RUNS} "
            "(a preset library is built from 'kerasbind benchmark' output)"
        )
    check_new_folder(out, overwrite, "preset library")
    chosen = best_cells(results)
    others = read_published(published) if published is not None else None
    names = aliases(list(chosen["dataset"]))
    where = {"data_dir": data_dir, "manual_dir": manual_dir}
    origin = _benchmark_origin(benchmark, results)

    def fill(folder: Path) -> None:
        entries = []
        rows = tqdm(list(chosen.itertuples()), desc="presets", unit="preset", disable=not progress)
        for row in rows:
            run_dir = benchmark / RUNS / row.dataset / row.architecture
            entries.append(
                _preset(run_dir, row, folder, names[row.dataset], origin, others, where, tolerance)
            )
        for entry in entries:
            if url is not None:
                entry["url"] = f"{url.rstrip('/')}/{entry['file']}"
        index = {
            "format": 1,
            "kerasbind_version": __version__,
            "benchmark": origin,
            "presets": entries,
        }
        write_json(folder / INDEX_FILE, index)

    replace_folder(out, fill)
    return list_presets(out)


def best_cells(results: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset: the architecture with the best CV AUC (ties: the first by name)."""
    ordered = results.sort_values(
        ["dataset", "cv_auc", "architecture"], ascending=[True, False, True]
    )
    return ordered.groupby("dataset", sort=False).head(1).reset_index(drop=True)


def _benchmark_origin(benchmark: Path, results: pd.DataFrame) -> dict[str, Any]:
    """Which benchmark made the library: its folder, budgets and the cells' fingerprint."""
    cells = results[["dataset", "architecture", "test_auc_roc", "cv_auc"]].to_csv(index=False)
    return {
        "folder": str(benchmark.resolve()),
        "name": benchmark.resolve().name,
        "budgets": sorted(set(results["budget"].astype(str))),
        "cells": len(results),
        "results_sha256": hashlib.sha256(cells.encode()).hexdigest(),
    }


def _preset(
    run_dir: Path,
    row: Any,
    library: Path,
    other_names: list[str],
    origin: dict[str, Any],
    others: pd.DataFrame | None,
    where: dict[str, Any],
    tolerance: float,
) -> dict[str, Any]:
    """Write one preset's archive and card into ``library``; its index entry."""
    from kerasbind.pipeline import score
    from kerasbind.run import load_run

    (library / CARDS).mkdir(parents=True, exist_ok=True)
    record = read_record(run_dir) or {}
    test_set = _test_set(run_dir, record, where)
    original = load_run(run_dir)
    float32_auc = score(original.model, original.encoder, test_set)[0]["auc_roc"]
    files = {
        name: (run_dir / name).read_bytes() for name in ARCHIVE_FILES if (run_dir / name).is_file()
    }
    model_file = files[MODEL_FILE]
    stored: dict[str, float] = {}
    for dtype in ("float16", "float32"):
        files[MODEL_FILE] = compact_model(model_file, dtype)
        stored[dtype] = _stored_auc(files, test_set, score, load_run)
        if abs(stored[dtype] - float32_auc) < tolerance:
            break
    name = preset_name(row.dataset)
    stem = file_stem(name)
    data = write_archive(files, library / f"{stem}.zip")
    card = _card(name, other_names, row, original.config, record, origin, test_set, others)
    card["weights"] = dtype
    card["auc"] = {
        "cv": float(row.cv_auc),
        "test": stored[dtype],
        "benchmark_test": float32_auc,
        "float16_change": stored["float16"] - float32_auc,
    }
    card["motif_logo"] = _copy_logo(run_dir, library / CARDS, stem)
    write_json(library / CARDS / f"{stem}.json", card)
    markdown = card_markdown(card)
    write_atomic(library / CARDS / f"{stem}.md", lambda tmp: tmp.write_text(markdown))
    return {
        "name": name,
        "aliases": other_names,
        "file": f"{stem}.zip",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "url": None,
        "benchmark": origin["name"],
        "kerasbind_version": __version__,
        "card": card,
    }


def _test_set(run_dir: Path, record: dict[str, Any], where: dict[str, Any]) -> Any:
    """The cell's test set, as the benchmark read it (its data checked by fingerprint)."""
    identity = read_identity(run_dir)
    if not identity:
        raise KerasbindError(f"{run_dir}: no cell.json; not a benchmark cell")
    recorded = str(identity.get("source", ""))
    if identity.get("files"):
        train, test = (Path(path) for path in identity["files"])
        source = DatasetSource(identity["dataset"], train=train, test=test)
    else:
        source = DatasetSource(identity["dataset"], tfds=recorded.removeprefix("tfds:"))
    if source.fingerprint() != recorded:
        raise KerasbindError(
            f"{run_dir / 'cell.json'}: the cell's data changed since it was benchmarked"
        )
    options = {key: record[key] for key in ("negatives", "neg_ratio", "seed") if key in record}
    return load_source(source, **options, **where)[1]


def _stored_auc(files: dict[str, bytes], test_set: Any, score: Any, load_run: Any) -> float:
    """The test AUC of the run ``files`` hold, loaded as a preset will be."""
    folder = Path(tempfile.mkdtemp(prefix="kerasbind-preset-"))
    try:
        for name, content in files.items():
            (folder / name).write_bytes(content)
        run = load_run(folder)
        return float(score(run.model, run.encoder, test_set)[0]["auc_roc"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _card(
    name: str,
    other_names: list[str],
    row: Any,
    config: dict[str, Any],
    record: dict[str, Any],
    origin: dict[str, Any],
    test_set: Any,
    others: pd.DataFrame | None,
) -> dict[str, Any]:
    about = subject(row.dataset)
    source, licence = data_source(row.dataset)
    published: dict[str, float] = {}
    if others is not None:
        values = published_for([row.dataset], others).iloc[0].dropna()
        published = {str(method): float(value) for method, value in values.items()}
    return {
        "name": name,
        "aliases": other_names,
        "dataset": row.dataset,
        "protein": about.protein,
        "assay": about.assay,
        "cell_type": about.cell_type,
        "data_source": source,
        "licence": licence,
        "architecture": row.architecture,
        "architecture_spec": config.get("architecture", {}),
        "hyperparameters": config.get("hyperparameters", {}),
        "options": config.get("options", {}),
        "encoder": config.get("encoder", {}),
        "command": config.get("command"),
        "benchmark": {
            **origin,
            "cell": f"{RUNS}/{row.dataset}/{row.architecture}",
            "budget": record.get("budget"),
            "seed": record.get("seed"),
        },
        "test_set": {
            "source": str(test_set.source),
            "n": len(test_set),
            "n_positive": int(test_set.n_positive),
        },
        "published": published,
        "trained_with": config.get("kerasbind_version"),
        "kerasbind_version": __version__,
    }


def _copy_logo(run_dir: Path, cards: Path, stem: str) -> str | None:
    """The logo of the run's best-matching filter (``RUN/motifs``, when the run has one),
    copied beside the card; its path relative to the card."""
    summary = run_dir / "motifs" / "filters.tsv"
    if not summary.is_file():
        return None
    table = pd.read_csv(summary, sep="\t")
    if "best_q_value" in table:
        table = table.sort_values("best_q_value", na_position="last")
    for motif in table.get("filter", pd.Series(dtype=str)).astype(str):
        logo = run_dir / "motifs" / "logos" / f"{motif}.png"
        if logo.is_file():
            cards.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(logo, cards / f"{stem}-motif.png")
            return f"{stem}-motif.png"
    return None
