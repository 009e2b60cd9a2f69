"""``model.keras`` read as untrusted input: the model is built from the checked description
and only its weights are read from the file, after their declared sizes are checked, so a
damaged or hostile file is a one-line error and never allocates without bound."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.run.schema import Description

WEIGHTS_ENTRY = "model.weights.h5"
MAX_ENTRY_BYTES = 4 * 2**30
# a saved model holds its weights and the optimizer's (at most two per weight) and counters
STORED_PER_WEIGHT = 3
STORED_EXTRA = 1_000


def load_model_file(path: Path, description: Description) -> Any:
    """The Keras model of a run: `build_model` from ``description``, weights from ``path``."""
    from kerasbind.models import build_model

    model = build_model(
        description.architecture,
        description.hparams.to_dict(),
        description.encoder,
        freeze_embedding=description.freeze_embedding,
    )
    try:
        check_stored_sizes(path, model.count_params())
        model.load_weights(path)
    except KerasbindError:
        raise
    except Exception as error:  # zipfile, h5py and Keras each raise their own
        reason = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        raise KerasbindError(
            f"{path}: damaged, or not the model kerasbind.json describes "
            f"({type(error).__name__}{': ' + reason if reason else ''})"
        ) from None
    return model


def check_stored_sizes(path: Path, n_weights: int) -> None:
    """Refuse a file whose entries or arrays are larger than the model could need."""
    import h5py

    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: info for info in archive.infolist()}
        if WEIGHTS_ENTRY not in entries:
            raise KerasbindError(f"{path}: no {WEIGHTS_ENTRY} inside; not a Keras 3 model file")
        too_big = [name for name, info in entries.items() if info.file_size > MAX_ENTRY_BYTES]
        if too_big:
            raise KerasbindError(f"{path}: entry {too_big[0]} is larger than any model needs")
        limit = STORED_PER_WEIGHT * n_weights + STORED_EXTRA
        stored = 0
        with archive.open(WEIGHTS_ENTRY) as handle, h5py.File(handle, "r") as weights:
            arrays: list[Any] = []
            weights.visititems(lambda _, item: arrays.append(item))
            for item in arrays:
                if isinstance(item, h5py.Dataset):
                    stored += item.size
        if stored > limit:
            raise KerasbindError(
                f"{path}: holds {stored:,} numbers; the model kerasbind.json describes has "
                f"{n_weights:,} weights"
            )
