"""One TFDS dataset split → `SequenceSet`: the gate behind ``--dataset NAME``.

``name`` is ``dataset`` or ``dataset/config`` for the builders registered under the
``kerasbind.datasets`` entry points (pyproject.toml registers ``tfds_builders``'
``simulated_binding``, ``clip_seq``, ``chip_seq``; kerasbind does not import that package, which
imports kerasbind). The split is prepared on first use (generated, read from ``manual_dir`` or
downloaded) into ``data_dir``, then read back as one batch.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.errors import KerasbindError
from kerasbind.runtime import start_tensorflow
from kerasbind.sequences import SequenceSet

# datasets whose sequences are RNA (stored in DNA letters, as upstream)
RNA_DATASETS = {"clip_seq"}
ENTRY_POINTS = "kerasbind.datasets"


def dataset_builders() -> dict[str, Any]:
    """The TFDS builder classes kerasbind can read, by dataset name (loading the entry points
    imports the builders' modules)."""
    from importlib.metadata import entry_points

    builders: dict[str, Any] = {}
    for entry in entry_points(group=ENTRY_POINTS):
        builders.update(entry.load())
    if not builders:
        raise KerasbindError(
            "no TFDS datasets are registered: install kerasbind (pip install -e .) so its "
            f"{ENTRY_POINTS} entry points are recorded"
        )
    return builders


def _builder(name: str, data_dir: str | os.PathLike[str] | None) -> Any:
    """The TFDS builder for ``dataset[/config]``, or a `KerasbindError` listing valid names."""
    builders = dataset_builders()
    dataset, _, config = name.strip().partition("/")
    if dataset not in builders:
        raise KerasbindError(
            f"unknown TFDS dataset {dataset!r}; choose from {', '.join(builders)} "
            "(e.g. simulated_binding, clip_seq/23_PARCLIP_PUM2_hg19)"
        )
    builder_class = builders[dataset]
    configs = [c.name for c in builder_class.BUILDER_CONFIGS]
    config = config.replace("(", "").replace(")", "")  # upstream ChIP-seq names have them
    if config and config not in configs:
        raise KerasbindError(
            f"{dataset} has no config {config!r}; choose from {', '.join(configs)}"
        )
    return builder_class(config=config or configs[0], data_dir=data_dir)


def _prepare(builder: Any, name: str, manual_dir: str | os.PathLike[str] | None) -> None:
    """Build the dataset unless it is already in ``data_dir``; download errors become one line
    that says how to pass ``--manual-dir`` (an unreachable host fails at once: the builders'
    ``OfflineError``, a download error with ``host`` and ``reason``)."""
    import tensorflow_datasets as tfds

    if builder.is_prepared():
        return
    manual = None if manual_dir is None else str(manual_dir)
    urllib3_log = logging.getLogger("urllib3")
    level = urllib3_log.level
    urllib3_log.setLevel(logging.ERROR)  # its retry warnings, one per attempt
    try:
        # TFDS prints "Downloading and preparing…" and "downloaded and prepared" to stdout (where
        # predictions may go), even when it only read local files; kerasbind says what it did
        with contextlib.redirect_stdout(io.StringIO()):
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(manual_dir=manual)
            )
        print(
            f"{name}: {_how_prepared(builder, manual)} into {builder.data_dir}; later reads "
            "reuse it",
            file=sys.stderr,
        )
    except (OSError, tfds.download.DownloadError) as error:
        if not hasattr(builder, "raw_files"):
            raise
        reason = " ".join(str(error).split())
        if hasattr(error, "host"):  # offline: said before any download was tried
            reason = f"cannot reach {error.host}: {error.reason}"
        raise KerasbindError(_manual_dir_hint(name, manual_dir, reason, builder)) from None
    finally:
        urllib3_log.setLevel(level)


def _how_prepared(builder: Any, manual_dir: str | None) -> str:
    """``prepared from the files in DIR``, ``generated`` or ``downloaded and prepared``."""
    if not hasattr(builder, "raw_files"):
        return "generated"
    files = builder.raw_files().values()
    if manual_dir is not None and all((Path(manual_dir) / f).is_file() for f in files):
        return f"prepared from the files in {manual_dir}"
    return "downloaded and prepared"


def _manual_dir_hint(
    name: str, manual_dir: str | os.PathLike[str] | None, reason: str, builder: Any
) -> str:
    """The one line for a failed download: what failed and what ``--manual-dir`` must hold."""
    files = " and ".join(builder.raw_files().values())
    if manual_dir is None:
        return (
            f"{name}: downloading the raw files failed ({reason}); to work offline, pass "
            f"--manual-dir DIR, a folder holding {files}"
        )
    return (
        f"{name}: the raw files are not in --manual-dir {manual_dir} and downloading them failed "
        f"({reason}); --manual-dir must be a folder holding {files}"
    )


def _ids(dataset: str, split: str, metadata: pd.DataFrame) -> list[str]:
    """Record ids: the ChIP-seq event, the CLIP-seq site (as the file reader names it), or rows."""
    if "event_id" in metadata:
        return metadata["event_id"].tolist()
    if {"chrom", "start", "end", "strand"} <= set(metadata):
        text = metadata.astype(str)
        return (text.chrom + ":" + text.start + "-" + text.end + "(" + text.strand + ")").tolist()
    return [f"{dataset}_{split}_{i}" for i in range(len(metadata))]


def _decoded(values: np.ndarray) -> np.ndarray | list[str]:
    return [v.decode("utf-8") for v in values] if values.dtype.kind in "OS" else values


def load_tfds(
    name: str,
    split: str,
    data_dir: str | os.PathLike[str] | None = None,
    manual_dir: str | os.PathLike[str] | None = None,
) -> SequenceSet:
    """Split ``split`` (``train``, ``test`` or a TFDS slice like ``train[:10%]``) of ``name``.

    Prepares the dataset first when needed. Metadata features become ``metadata`` columns;
    ``clip_seq`` sets have the RNA alphabet.
    """
    start_tensorflow()
    import tensorflow_datasets as tfds

    builder = _builder(name, data_dir)
    _prepare(builder, name, manual_dir)
    splits = list(builder.info.splits)
    if split.partition("[")[0] not in splits:
        raise KerasbindError(f"{name} has no split {split!r}; choose from {', '.join(splits)}")
    data = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1, shuffle_files=False))
    sequences = _decoded(data.pop("sequence"))
    labels = data.pop("label").astype(np.int8)
    metadata = pd.DataFrame({key: _decoded(values) for key, values in data.items()})
    dataset = builder.name
    return SequenceSet(
        sequences=sequences,
        labels=labels,
        ids=_ids(dataset, split, metadata),
        alphabet="RNA" if dataset in RNA_DATASETS else "DNA",
        source=f"tfds:{dataset}/{builder.builder_config.name}[{split}]",
        metadata=metadata,
    )
