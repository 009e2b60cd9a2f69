"""A run's ``model.keras`` made compact for a preset: the model's weights only (the optimizer's
state dropped), floating-point arrays stored as float16 or float32. Keras reads either into the
float32 model kerasbind builds from the description (`kerasbind.run.model_file`)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np

from kerasbind.run.model_file import WEIGHTS_ENTRY

OPTIMIZER_GROUP = "optimizer"


def compact_model(model_file: bytes, dtype: str) -> bytes:
    """``model_file`` (a ``model.keras``'s bytes) without optimizer state, its floating-point
    weights stored as ``dtype`` (``"float16"`` or ``"float32"``)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(model_file)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            content = source.read(name)
            if name == WEIGHTS_ENTRY:
                content = _weights(content, np.dtype(dtype))
            target.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def _weights(h5_bytes: bytes, dtype: np.dtype) -> bytes:
    import h5py

    buffer = io.BytesIO()
    with h5py.File(io.BytesIO(h5_bytes), "r") as source, h5py.File(buffer, "w") as target:

        def copy(name: str, item: Any) -> None:
            if name.split("/")[0] == OPTIMIZER_GROUP:
                return
            if isinstance(item, h5py.Group):
                target.require_group(name)
            else:
                values = item[()]
                if np.issubdtype(np.asarray(values).dtype, np.floating):
                    values = np.asarray(values).astype(dtype)
                target.create_dataset(name, data=values)
            for key, value in item.attrs.items():
                target[name].attrs[key] = value

        for key, value in source.attrs.items():
            target.attrs[key] = value
        source.visititems(copy)
    return buffer.getvalue()
