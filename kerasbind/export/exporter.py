"""Run directory → ``BASE/NAME/VERSION/`` SavedModel with assets, warm-up and serving config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kerasbind.export.layout import write_version
from kerasbind.export.savedmodel import write_savedmodel
from kerasbind.export.serving_config import write_models_config
from kerasbind.export.warmup import warmup_sequences, write_warmup_requests
from kerasbind.rundir import CONFIG_FILE, load_run


@dataclass
class Export:
    """Where an export went."""

    path: Path
    name: str
    version: int
    models_config: Path | None = None


def default_model_name(run_dir: Path) -> str:
    """The run folder's name with characters TF Serving URLs dislike replaced by ``_``."""
    cleaned = "".join(c if c.isalnum() or c in "_.-" else "_" for c in Path(run_dir).resolve().name)
    return cleaned.lstrip("_.-") or "model"


def export_run(
    run_dir: Path,
    base: Path,
    name: str | None = None,
    version: int | None = None,
    serving_config: bool = False,
) -> Export:
    """Export the run's model for TF Serving and other TensorFlow pipelines.

    Writes ``base/name/version`` atomically (next free version by default) with the
    ``serving_default`` string signature, the ``encoded`` signature, ``assets/kerasbind.json`` and
    ``assets.extra/tf_serving_warmup_requests``; with ``serving_config`` also (re)writes
    ``base/models.config`` for every model under ``base``.
    """
    run = load_run(run_dir)
    name = name or default_model_name(run.path)

    def write(folder: Path) -> None:
        write_savedmodel(run.model, run.encoder, folder, run.path / CONFIG_FILE)
        write_warmup_requests(folder, name, warmup_sequences(run.encoder.length, 32))

    path = write_version(Path(base), name, write, version)
    config = write_models_config(Path(base)) if serving_config else None
    return Export(path, name, int(path.name), config)
