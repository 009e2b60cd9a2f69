"""A run → ``BASE/NAME/VERSION/`` SavedModel with assets, warm-up and serving config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kerasbind.errors import KerasbindError
from kerasbind.export.layout import write_version
from kerasbind.export.savedmodel import write_savedmodel
from kerasbind.export.serving_config import write_models_config
from kerasbind.export.warmup import warmup_sequences, write_warmup_requests

if TYPE_CHECKING:
    from kerasbind.run import Run


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
    run: Run,
    base: Path,
    name: str | None = None,
    version: int | None = None,
    serving_config: bool = False,
) -> Export:
    """Export an in-memory run's model for TF Serving and other TensorFlow pipelines.

    Writes ``base/name/version`` atomically (next free version by default) with the
    ``serving_default`` string signature, the ``encoded`` signature, ``assets/kerasbind.json`` and
    ``assets.extra/tf_serving_warmup_requests``; with ``serving_config`` also (re)writes
    ``base/models.config`` for every model under ``base``. ``name`` defaults to the run
    folder's name.
    """
    if name is None:
        if run.path is None:
            raise KerasbindError("an export of a run that was never saved needs a name (name=)")
        name = default_model_name(run.path)

    def write(folder: Path) -> None:
        write_savedmodel(run.model, run.encoder, folder, run.config)
        write_warmup_requests(folder, name, warmup_sequences(run.encoder.length, 32))

    path = write_version(Path(base), name, write, version)
    config = write_models_config(Path(base)) if serving_config else None
    return Export(path, name, int(path.name), config)
