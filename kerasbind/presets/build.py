"""``kerasbind presets build``: a preset library from a ``kerasbind benchmark`` folder.

Per dataset the cell with the best cross-validation AUC (never the test AUC) becomes the preset.
Its weights are stored as float16 when that moves the test AUC by less than ``tolerance``
(measured here, on the cell's own test set), else as float32; the card records the figure.
A benchmark commits its cells' records, not their models (the library holds those): a cell
whose model is not on this machine keeps the preset the library being replaced made from it
(its test AUC measured again on the cell's test set and strands), and where no preset holds
it either, the next cell of its dataset by CV AUC is taken.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Sequence
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
from kerasbind.presets.archive import ARCHIVE_FILES, read_archive, write_archive
from kerasbind.presets.card import card_markdown, data_source
from kerasbind.presets.compact import compact_model
from kerasbind.presets.coverage import coverage, planned_datasets
from kerasbind.presets.library import INDEX_FILE, Preset, list_presets, preset_archive
from kerasbind.presets.motif import top_motif
from kerasbind.presets.names import aliases, file_stem, preset_name, subject, task
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
    plan: Sequence[str | os.PathLike[str]] = (),
    dna_motifs: str = "jaspar",
    rna_motifs: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    manual_dir: str | os.PathLike[str] | None = None,
    tolerance: float = TOLERANCE,
    overwrite: bool = False,
    progress: bool = True,
) -> list[Preset]:
    """Build the preset library of a benchmark folder into ``out`` (default ``BENCHMARK/
    presets``; an existing folder only with ``overwrite``, then replaced whole). Only finished
    cells are read (a running, failed or broken one is skipped and named in the index);
    nothing is written into the benchmark. ``url``: the base URL the archives will be published
    under (recorded per preset; without it they are read from the library folder);
    ``published``: a TSV of other methods' test AUCs (as for ``kerasbind benchmark
    --published``); ``plan``: the benchmark's ``--datasets`` specs (manifests or TFDS names),
    so the index says which of its datasets the library covers; ``dna_motifs`` /
    ``rna_motifs``: the known motifs (``"jaspar"`` or a MEME file) the top motif of a ChIP-seq
    (or other) / CLIP-seq preset is matched against (``rna_motifs`` None: ``dna_motifs``);
    ``data_dir`` / ``manual_dir``: where TFDS finds the cells' test sets."""
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()  # the models are loaded below; no start-up chatter on the way
    benchmark = Path(benchmark)
    out = Path(out) if out is not None else benchmark / "presets"
    results, failures = collect(benchmark)
    if results.empty:
        raise KerasbindError(
            f"{benchmark}: no finished benchmark cells under {benchmark / RUNS} "
            "(a preset library is built from 'kerasbind benchmark' output)"
        )
    check_new_folder(out, overwrite, "preset library")
    earlier = _earlier_presets(out)
    planned = planned_datasets(plan)
    ranked = ranked_cells(results)
    others = read_published(published) if published is not None else None
    names = aliases(list(dict.fromkeys(ranked["dataset"])))
    where = {"data_dir": data_dir, "manual_dir": manual_dir}
    origin = _benchmark_origin(benchmark, results)
    motif_db = {"clip": str(rna_motifs) if rna_motifs is not None else dna_motifs}

    def fill(folder: Path) -> None:
        entries, skipped = [], []
        datasets = ranked.groupby("dataset", sort=False)
        for _, cells in tqdm(datasets, desc="presets", unit="preset", disable=not progress):
            for row in cells.itertuples():  # the best cell by CV AUC that can be had
                run_dir = benchmark / RUNS / row.dataset / row.architecture
                db = motif_db.get(task(row.dataset) or "", dna_motifs)
                kept = _kept_preset(earlier, row, run_dir)
                try:
                    entry = (
                        _reused(kept, folder, names[row.dataset], run_dir, row, where)
                        if kept is not None
                        else _preset(run_dir, row, folder, names[row.dataset], origin, others,
                                     where, tolerance, db)
                    )  # fmt: skip
                except KerasbindError as error:  # one broken cell must not stop the library
                    cell = f"{row.dataset}/{row.architecture}"
                    skipped.append({"cell": cell, "why": str(error)})
                    if progress:  # the error names the run folder
                        print(f"presets: skipped {cell}: {error}", file=sys.stderr, flush=True)
                    continue
                if url is not None:
                    entry["url"] = f"{url.rstrip('/')}/{entry['file']}"
                entries.append(entry)
                break
        covered = [entry["card"]["dataset"] for entry in entries]
        index = {
            "format": 1,
            "kerasbind_version": __version__,
            "benchmark": origin,
            "coverage": coverage(benchmark, results, failures, covered, skipped, planned),
            "presets": entries,
        }
        write_json(folder / INDEX_FILE, index)

    replace_folder(out, fill)
    return list_presets(out)


def ranked_cells(results: pd.DataFrame) -> pd.DataFrame:
    """The finished cells, by dataset, each dataset's best CV AUC first (ties: the first
    architecture by name); the test AUC plays no part."""
    ordered = results.sort_values(
        ["dataset", "cv_auc", "architecture"], ascending=[True, False, True]
    )
    return ordered.reset_index(drop=True)


def _earlier_presets(library: Path) -> dict[str, Preset]:
    """The presets of the library about to be replaced, by the benchmark cell each came from
    (none when there is no library there)."""
    if not (library / INDEX_FILE).is_file():
        return {}
    return {str(preset.card.get("benchmark", {}).get("cell")): preset
            for preset in list_presets(library)}  # fmt: skip


def _kept_preset(earlier: dict[str, Preset], row: Any, run_dir: Path) -> Preset | None:
    """The earlier preset made from this very cell (same code and CV AUC), when the cell's
    own model is not on this machine; else None (the cell is built, or skipped, afresh)."""
    if (run_dir / MODEL_FILE).is_file():
        return None
    preset = earlier.get(f"{RUNS}/{row.dataset}/{row.architecture}")
    if preset is None:
        return None
    made_from = preset.card.get("benchmark", {}).get("code"), preset.card.get("auc", {}).get("cv")
    return preset if made_from == (_code(row), float(row.cv_auc)) else None


def _code(row: Any) -> str | None:
    """The commit a benchmark cell ran (None where not recorded)."""
    return None if pd.isna(row.code) else str(row.code)


def _reused(
    preset: Preset,
    library: Path,
    other_names: list[str],
    run_dir: Path,
    row: Any,
    where: dict[str, Any],
) -> dict[str, Any]:
    """Copy an earlier preset (its archive, checksum verified, and its motif logo) into
    ``library``, its card given this library's aliases and its test AUCs measured again: the
    archive's on the cell's test set and strands, the benchmark's from the cell's record."""
    from kerasbind.pipeline import score
    from kerasbind.run import load_run

    (library / CARDS).mkdir(parents=True, exist_ok=True)
    data = preset_archive(preset)
    test_set, _ = _test_set(run_dir, read_record(run_dir) or {}, where)
    files = read_archive(data, str(preset.library / preset.file))
    test = _stored_auc(files, test_set, score, load_run)
    benchmark_test = float(row.test_auc_roc)
    auc = {**preset.card.get("auc", {}), "test": test, "benchmark_test": benchmark_test}
    if preset.card.get("weights") == "float16":
        auc["float16_change"] = test - benchmark_test
    write_atomic(library / preset.file, lambda tmp: tmp.write_bytes(data))
    card = {**preset.card, "name": preset.name, "aliases": other_names, "auc": auc}
    motif = card.get("top_motif")
    logo = Path(str(motif.get("logo") or "")).name if isinstance(motif, dict) else ""  # no folder
    if logo and (preset.library / CARDS / logo).is_file():
        shutil.copyfile(preset.library / CARDS / logo, library / CARDS / logo)
    return _written(library, card, preset.file, data, preset.card.get("benchmark", {}).get("name"))


def _portable(path: Path) -> str:
    """``path`` relative to the working directory (as the build command was given it, e.g.
    ``../shared/data/…``): a card names no folder of the machine that built it."""
    return os.path.relpath(path.resolve(), Path.cwd())


def portable_command(command: str | None) -> str | None:
    """The recorded ``command`` with each absolute path made relative to the root of the git
    checkout that holds it (``benchmarks/…/clip_all.tsv``, as typed from a clone) or, outside
    one, to the working directory (`_portable`)."""
    if not command:
        return command
    try:
        words = shlex.split(command)
    except ValueError:  # not one this kerasbind recorded
        return command
    return shlex.join(_portable_word(word) for word in words)


def _portable_word(word: str) -> str:
    flag, _, value = word.rpartition("=") if word.startswith("--") else ("", "", word)
    if not value.startswith("/"):
        return word
    path = Path(os.path.normpath(value))
    root = next((folder for folder in path.parents if (folder / ".git").exists()), None)
    relative = os.path.relpath(path, root) if root is not None else _portable(path)
    return f"{flag}={relative}" if flag else relative


def _benchmark_origin(benchmark: Path, results: pd.DataFrame) -> dict[str, Any]:
    """Which benchmark made the library: its folder, budgets, the code commits its cells ran
    (``results.csv``'s ``code``) and the cells' fingerprint."""
    cells = results[["dataset", "architecture", "test_auc_roc", "cv_auc"]].to_csv(index=False)
    return {
        "folder": _portable(benchmark),
        "name": benchmark.resolve().name,
        "budgets": sorted(set(results["budget"].astype(str))),
        "code": sorted(set(results["code"].dropna().astype(str))),
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
    motif_db: str,
) -> dict[str, Any]:
    """Write one preset's archive and card into ``library``; its index entry."""
    from kerasbind.pipeline import score
    from kerasbind.run import load_run

    if not (run_dir / MODEL_FILE).is_file():
        raise KerasbindError(
            f"{run_dir}: its model ({MODEL_FILE}) is not on this machine (a benchmark commits its "
            "cells' records, not their models) and the library being replaced has no preset "
            "made from this cell"
        )
    (library / CARDS).mkdir(parents=True, exist_ok=True)
    record = read_record(run_dir) or {}
    test_set, test_origin = _test_set(run_dir, record, where)
    original = load_run(run_dir)
    # on the strands the cell learnt from and was tested on (both, for a DNA cell)
    measured, _ = score(original.model, original.encoder, test_set, strand=original.strand)
    float32_auc = measured["auc_roc"]
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
    motif = top_motif(original, test_set, motif_db, library / CARDS, stem)
    data = write_archive(files, library / f"{stem}.zip")
    card = _card(name, other_names, row, original.config, record, origin, test_set, others)
    card["test_set"].update(test_origin)
    card["weights"] = dtype
    card["auc"] = {
        "cv": float(row.cv_auc),
        "test": stored[dtype],
        "benchmark_test": float32_auc,
        "float16_change": stored["float16"] - float32_auc,
    }
    card["top_motif"] = motif
    return _written(library, card, f"{stem}.zip", data, origin["name"])


def _written(
    library: Path, card: dict[str, Any], file: str, data: bytes, benchmark: str | None
) -> dict[str, Any]:
    """Write a preset's card (JSON and Markdown) beside its archive ``file`` (``data``, already
    in ``library``); its index entry."""
    stem = file_stem(card["name"])
    write_json(library / CARDS / f"{stem}.json", card)
    markdown = card_markdown(card)
    write_atomic(library / CARDS / f"{stem}.md", lambda tmp: tmp.write_text(markdown))
    return {
        "name": card["name"],
        "aliases": card["aliases"],
        "file": file,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "url": None,
        "benchmark": benchmark,
        "kerasbind_version": __version__,
        "card": card,
    }


def _test_set(
    run_dir: Path, record: dict[str, Any], where: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """The cell's test set, as the benchmark read it (its data checked by fingerprint), and
    how to read it again: the TFDS name or the test file and its SHA-256, the negatives added
    and their seed (a ChIP-seq cell's shuffled negatives)."""
    identity = read_identity(run_dir)
    if not identity:
        raise KerasbindError(f"{run_dir}: no cell.json; not a benchmark cell")
    recorded = str(identity.get("source", ""))
    if identity.get("files"):
        train, test = (_existing(Path(path)) for path in identity["files"])
        source = DatasetSource(identity["dataset"], train=train, test=test)
    else:
        source = DatasetSource(identity["dataset"], tfds=recorded.removeprefix("tfds:"))
    try:
        fingerprint = source.fingerprint()
    except OSError as error:
        problem = f"the cell's data cannot be read ({error})"
        raise KerasbindError(f"{run_dir / 'cell.json'}: {problem}") from None
    if fingerprint != recorded:
        raise KerasbindError(
            f"{run_dir / 'cell.json'}: the cell's data changed since it was benchmarked"
        )
    options = {key: record[key] for key in ("negatives", "neg_ratio", "seed") if key in record}
    if source.tfds is not None:
        origin = {"tfds": source.tfds, "split": "test"}
    else:
        origin = {"file": _portable(Path(source.test)), "sha256": recorded.split(":")[-1]}
    return load_source(source, **options, **where)[1], {**origin, **options}


def _existing(path: Path) -> Path:
    """``path``, or its lexically normalised form where ``path`` does not exist: a cell records
    the path its benchmark was given, which may pass through a folder removed since (a git
    worktree, ``worktree/../../shared/data``); the data's SHA-256 is checked after."""
    return path if path.exists() else Path(os.path.normpath(path))


def _stored_auc(files: dict[str, bytes], test_set: Any, score: Any, load_run: Any) -> float:
    """The test AUC of the run ``files`` hold, loaded as a preset will be."""
    folder = Path(tempfile.mkdtemp(prefix="kerasbind-preset-"))
    try:
        for name, content in files.items():
            (folder / name).write_bytes(content)
        run = load_run(folder)
        return float(score(run.model, run.encoder, test_set, strand=run.strand)[0]["auc_roc"])
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
        "architecture": config.get("architecture", {}).get("name", row.architecture),
        "architecture_spec": config.get("architecture", {}),
        "hyperparameters": config.get("hyperparameters", {}),
        "ensemble": int(config.get("tuning", {}).get("final", {}).get("ensemble", 1)),
        "options": config.get("options", {}),
        "encoder": config.get("encoder", {}),
        "command": portable_command(config.get("command")),
        "command_as_recorded": config.get("command"),
        "benchmark": {
            **origin,
            "cell": f"{RUNS}/{row.dataset}/{row.architecture}",
            "cell_architecture": row.architecture,  # "auto": the search chose the architecture
            "code": _code(row),
            "budget": record.get("budget"),
            "seed": record.get("seed"),
        },
        "test_set": {
            "source": _portable_word(str(test_set.source)),
            "n": len(test_set),
            "n_positive": int(test_set.n_positive),
        },
        "published": published,
        "trained_with": config.get("kerasbind_version"),
        "kerasbind_version": __version__,
    }
