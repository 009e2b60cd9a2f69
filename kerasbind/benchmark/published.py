"""What a benchmark is compared with: the deepRAM paper's medians (stated in its text) and other
methods' published per-experiment test AUCs (a TSV such as ../shared/data/published/
rbp31_test_auc.tsv: an ``experiment`` column, a ``label`` column, one column per method)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kerasbind.errors import InputError

# deepRAM paper §3.1-3.2: the medians its text states, over 31 CLIP-seq and 83 ChIP-seq sets;
# for the other architectures the text gives only bounds (one-hot models < 0.935 and embedding
# models > 0.94 on CLIP-seq).
PAPER_MEDIANS: dict[str, dict[str, str]] = {
    "clip": {
        "deepbind": "0.914",
        "ecblstm": "0.951",
        "deepbind_star": "< 0.935",
        "dilated": "< 0.935",
        "danq": "< 0.935",
        "danq_star": "< 0.935",
        "deepbind_e_star": "> 0.94",
        "kegru": "> 0.94",
        "eclstm": "> 0.94",
    },
    "chip": {"deepbind": "0.902", "ecblstm": "0.930"},
}
PAPER_SETS = {"clip": "31 CLIP-seq sets", "chip": "83 ChIP-seq sets"}


def experiment(dataset: str) -> str:
    """The experiment a benchmark dataset name stands for: ``clip_seq/10_PARCLIP_X`` → its
    last part."""
    return dataset.rsplit("/", 1)[-1]


def task(datasets: list[str], published: pd.DataFrame | None) -> str | None:
    """``clip`` or ``chip`` for a benchmark's datasets (by TFDS name, or by the published
    table naming them), else None."""
    if datasets and all(name.startswith("chip_seq/") for name in datasets):
        return "chip"
    clip = all(name.startswith("clip_seq/") for name in datasets)
    if datasets and (clip or (published is not None and in_published(datasets, published))):
        return "clip"
    return None


def in_published(datasets: list[str], published: pd.DataFrame) -> bool:
    return all(experiment(name) in published.index for name in datasets)


def read_published(path: Path | str) -> pd.DataFrame:
    """Published test AUCs, indexed by experiment, one numeric column per method."""
    path = Path(path)
    try:
        table = pd.read_csv(path, sep="\t")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(path, None, f"not a readable TSV ({error})") from error
    if "experiment" not in table:
        raise InputError(path, 1, "no 'experiment' column")
    methods = table.drop(columns=["experiment", "label"], errors="ignore")
    numeric = methods.apply(pd.to_numeric, errors="coerce")
    bad = [c for c in methods if numeric[c].isna().any() and methods[c].notna().all()]
    if bad or numeric.empty:
        raise InputError(path, None, f"no numeric AUC columns ({', '.join(bad) or 'none'})")
    return numeric.set_axis(table["experiment"].astype(str)).rename_axis("experiment")


def published_for(datasets: list[str], published: pd.DataFrame) -> pd.DataFrame:
    """The published AUCs of these datasets (rows in their order; NaN where not published)."""
    return published.reindex([experiment(name) for name in datasets]).set_axis(datasets)
