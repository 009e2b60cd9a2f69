"""Preset names a person can guess, from benchmark dataset names, and what a name tells.

``clip_seq/23_PARCLIP_PUM2_hg19`` is the preset ``clip/23_PARCLIP_PUM2_hg19`` (aliases
``clip/23_PARCLIP_PUM2`` and, when no other preset binds it, ``PUM2``);
``chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha`` is ``chip/USF1_H1-hESC_USF-1_HudsonAlpha`` (aliases
``chip/USF1_H1-hESC`` and ``USF1``). Any other dataset name is its own preset name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

TASKS = {"clip_seq": "clip", "chip_seq": "chip"}
CLIP_ASSAYS = {
    "PARCLIP": "PAR-CLIP",
    "HITSCLIP": "HITS-CLIP",
    "ICLIP": "iCLIP",
    "CLIPSEQ": "CLIP-seq",
    "CLIP-seq": "CLIP-seq",
}
CLIP_EXPERIMENT = re.compile(r"^\d+_(PARCLIP|HITSCLIP|ICLIP|CLIPSEQ|CLIP-seq)[_-]([A-Za-z0-9]+)")
CLIP_CELLS = {"hela": "HeLa", "293": "HEK293", "u266": "U266"}
NOT_STATED = "not stated in the data set's name"


@dataclass(frozen=True)
class Subject:
    """What a dataset name says: the protein, the assay and the cell type."""

    protein: str | None
    assay: str
    cell_type: str


def preset_name(dataset: str) -> str:
    """The preset's name for a benchmark dataset: ``clip_seq/X`` → ``clip/X``."""
    prefix, _, rest = dataset.partition("/")
    return f"{TASKS[prefix]}/{rest}" if rest and prefix in TASKS else dataset


def task(dataset: str) -> str | None:
    """``clip``, ``chip`` or None (another benchmark's dataset)."""
    return TASKS.get(dataset.partition("/")[0])


def subject(dataset: str) -> Subject:
    """Protein, assay and cell type as the dataset's name states them."""
    kind, experiment = task(dataset), dataset.rsplit("/", 1)[-1]
    if kind == "clip":
        match = CLIP_EXPERIMENT.match(experiment)
        tokens = experiment.lower().split("_")
        cell = next((name for key, name in CLIP_CELLS.items() if key in tokens), NOT_STATED)
        if match:
            return Subject(match.group(2), CLIP_ASSAYS[match.group(1)], cell)
        return Subject(None, "CLIP-seq", cell)
    if kind == "chip":
        parts = experiment.split("_")
        cell = parts[1] if len(parts) > 1 else NOT_STATED
        return Subject(parts[0], "ChIP-seq (ENCODE)", cell)
    return Subject(None, "not known (a dataset of the benchmark's manifest)", NOT_STATED)


def aliases(datasets: list[str]) -> dict[str, list[str]]:
    """Each dataset's other names: ``clip/N_ASSAY_PROTEIN``, the experiment without its genome
    suffix, ``chip/TF_CELL``, and the protein alone when no other dataset of the list binds it
    (any case)."""
    proteins = Counter((subject(name).protein or "").casefold() for name in datasets)
    found: dict[str, list[str]] = {}
    for dataset in datasets:
        name, about, kind = preset_name(dataset), subject(dataset), task(dataset)
        others: list[str] = []
        short = CLIP_EXPERIMENT.match(dataset.rsplit("/", 1)[-1]) if kind == "clip" else None
        if short:
            others.append(f"clip/{short.group(0)}")
        if kind == "clip" and name.endswith("_hg19"):
            others.append(name.removesuffix("_hg19"))
        if kind == "chip" and about.cell_type != NOT_STATED:
            others.append(f"chip/{about.protein}_{about.cell_type}")
        if about.protein and proteins[about.protein.casefold()] == 1:
            others.append(about.protein)
        if name != dataset:
            others.append(dataset)
        found[dataset] = [alias for alias in dict.fromkeys(others) if alias != name]
    return found


def file_stem(name: str) -> str:
    """A preset name as one file name (``clip/X`` → ``clip--X``)."""
    return name.replace("/", "--")
