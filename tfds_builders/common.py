"""What the kerasbind builders share: raw files from ``manual_dir`` or a URL, and examples."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import tensorflow_datasets as tfds

from kerasbind.sequences import SequenceSet

# deepRAM's copy of the iONMF CLIP-seq and DeepBind ChIP-seq benchmark files (unchanged upstream)
DEEPRAM_DATASETS_URL = "https://raw.githubusercontent.com/MedChaabane/deepRAM/master/datasets/"

LABEL_NAMES = ["unbound", "bound"]


def raw_url(base_url: str, relative_path: str) -> str:
    """The download URL of a file at ``relative_path`` under ``base_url`` (percent-encoded)."""
    return base_url + quote(relative_path)


def manual_dir(dl_manager: tfds.download.DownloadManager) -> Path | None:
    """The user's ``manual_dir``, or ``None`` when it was not given or is empty."""
    try:
        return Path(dl_manager.manual_dir)
    except (AssertionError, ValueError):  # TFDS's way of saying "no manual dir"
        return None


def fetch(
    dl_manager: tfds.download.DownloadManager, files: Mapping[str, str], base_url: str
) -> dict[str, Path]:
    """Local paths of ``files`` (key -> path relative to ``manual_dir`` and ``base_url``).

    Files present under ``manual_dir`` (all of them) are read there; otherwise they are
    downloaded from ``base_url`` and checked against ``checksums.tsv``.
    """
    local = manual_dir(dl_manager)
    if local is not None and all((local / path).is_file() for path in files.values()):
        return {key: local / path for key, path in files.items()}
    urls = {key: raw_url(base_url, path) for key, path in files.items()}
    return {key: Path(path) for key, path in dl_manager.download(urls).items()}


def sequence_examples(
    seqset: SequenceSet, columns: Mapping[str, str] | Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(key, example)`` pairs in the set's order: ``sequence``, ``label`` and metadata columns.

    ``columns`` maps feature names to metadata columns (a list means the same names).
    """
    if not isinstance(columns, Mapping):
        columns = {name: name for name in columns}
    metadata = {
        feature: seqset.metadata[column].tolist() for feature, column in columns.items()
    }
    for i, (sequence, label) in enumerate(zip(seqset.sequences, seqset.labels, strict=True)):
        example = {"sequence": sequence, "label": int(label)}
        example.update({feature: values[i] for feature, values in metadata.items()})
        yield i, example
