"""One TFDS dataset split → `SequenceSet`: the gate behind ``--dataset NAME``.

``name`` is ``dataset`` or ``dataset/config`` for the builders in ``tfds_builders``
(``simulated_binding``, ``clip_seq``, ``chip_seq``). The split is prepared on first use (generated,
read from ``manual_dir`` or downloaded) into ``data_dir``, then read back as one batch.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.errors import KerasbindError
from kerasbind.runtime import quiet_tensorflow
from kerasbind.sequences import SequenceSet

# datasets whose sequences are RNA (stored in DNA letters, as upstream)
RNA_DATASETS = {"clip_seq"}


def _builder(name: str, data_dir: str | os.PathLike[str] | None) -> Any:
    """The TFDS builder for ``dataset[/config]``, or a `KerasbindError` listing valid names."""
    from tfds_builders import BUILDERS

    dataset, _, config = name.strip().partition("/")
    if dataset not in BUILDERS:
        raise KerasbindError(
            f"unknown TFDS dataset {dataset!r}; choose from {', '.join(BUILDERS)} "
            "(e.g. simulated_binding, clip_seq/23_PARCLIP_PUM2_hg19)"
        )
    builder_class = BUILDERS[dataset]
    configs = [c.name for c in builder_class.BUILDER_CONFIGS]
    config = config.replace("(", "").replace(")", "")  # upstream ChIP-seq names have them
    if config and config not in configs:
        raise KerasbindError(
            f"{dataset} has no config {config!r}; choose from {', '.join(configs)}"
        )
    return builder_class(config=config or configs[0], data_dir=data_dir)


def _prepare(builder: Any, name: str, manual_dir: str | os.PathLike[str] | None) -> None:
    """Build the dataset unless it is already in ``data_dir``; download errors become one line
    that says how to pass ``--manual-dir`` (an unreachable host fails at once: `OfflineError`)."""
    import tensorflow_datasets as tfds

    from tfds_builders.common import OfflineError

    manual = None if manual_dir is None else str(manual_dir)
    urllib3_log = logging.getLogger("urllib3")
    level = urllib3_log.level
    urllib3_log.setLevel(logging.ERROR)  # its retry warnings, one per attempt
    try:
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=manual)
        )
    except OfflineError as error:
        raise KerasbindError(
            _manual_dir_hint(
                name, manual_dir, f"cannot reach {error.host}: {error.reason}", builder
            )
        ) from None
    except (OSError, tfds.download.DownloadError) as error:
        if not hasattr(builder, "raw_files"):
            raise
        reason = " ".join(str(error).split())
        raise KerasbindError(_manual_dir_hint(name, manual_dir, reason, builder)) from None
    finally:
        urllib3_log.setLevel(level)


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
    quiet_tensorflow()
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
