"""kerasbind: learn where proteins bind DNA and RNA, the deepRAM way, in Keras 3.

``import kerasbind as kb`` gives the Python API (docs/api.md): `read_sequences`, `read_dataset`,
`train`, `tune`, `load_run` → `Run` (``predict``, ``evaluate``, ``motifs``, ``explain``,
``export``, ``save``), `HyperParameters`, `architecture` and `build_model`. Names are loaded
when first used, so ``import kerasbind`` does not start TensorFlow.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("kerasbind")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

# public name -> (module, attribute)
_API = {
    "read_sequences": ("kerasbind.api", "read_sequences"),
    "read_dataset": ("kerasbind.api", "read_dataset"),
    "train": ("kerasbind.api", "train"),
    "tune": ("kerasbind.api", "tune"),
    "load_run": ("kerasbind.api", "load_run"),
    "BUDGETS": ("kerasbind.api", "BUDGETS"),
    "Run": ("kerasbind.rundir", "Run"),
    "HyperParameters": ("kerasbind.hyperparameters", "HyperParameters"),
    "SequenceSet": ("kerasbind.sequences", "SequenceSet"),
    "KerasbindError": ("kerasbind.errors", "KerasbindError"),
    "architecture": ("kerasbind.models", "resolve_architecture"),
    "build_model": ("kerasbind.models", "build_model"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'kerasbind' has no attribute {name!r}")
    module, attribute = _API[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
