"""kerasbind: learn where proteins bind DNA and RNA, the deepRAM way, in Keras 3.

``import kerasbind as kb`` gives the Python API (docs/api.md): `read_sequences`, `read_dataset`,
`train` and `tune` (their settings: `TrainOptions`, `TuneOptions`, `BUDGETS`), `load_run` →
`Run` (``predict``, ``evaluate``, ``motifs``, ``explain``, ``export``, ``save``, ``options``,
…), `HyperParameters`, `architecture` and `build_model`. The command line calls only these
names. Names are loaded when first used, so ``import kerasbind`` does not start TensorFlow; it
only asks for TensorFlow's oneDNN kernels (`kerasbind.runtime.prefer_onednn`), so that a
pipeline that imports TensorFlow after kerasbind trains and predicts as fast as the commands do.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from kerasbind.runtime import prefer_onednn

prefer_onednn()

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
    "BUDGETS": ("kerasbind.options", "BUDGETS"),
    "SELECT_BY": ("kerasbind.options", "SELECT_BY"),
    "STRANDS": ("kerasbind.options", "STRANDS"),
    "TrainOptions": ("kerasbind.options", "TrainOptions"),
    "TuneOptions": ("kerasbind.options", "TuneOptions"),
    "CVSettings": ("kerasbind.options", "CVSettings"),
    "Run": ("kerasbind.run", "Run"),
    "HyperParameters": ("kerasbind.hyperparameters", "HyperParameters"),
    "SequenceSet": ("kerasbind.sequences", "SequenceSet"),
    "KerasbindError": ("kerasbind.errors", "KerasbindError"),
    "ARCHITECTURES": ("kerasbind.models.specs", "ARCHITECTURES"),
    "MOTIF_MATCHING": ("kerasbind.options", "MotifMatching"),
    "write_tsv": ("kerasbind.readers", "write_tsv"),
    "connect": ("kerasbind.serving", "connect"),
    "run_benchmark": ("kerasbind.benchmark", "run_benchmark"),
    "architecture": ("kerasbind.models", "resolve_architecture"),
    "build_model": ("kerasbind.models", "build_model"),
    "write_report": ("kerasbind.report", "write_report"),
    "check_run_folder": ("kerasbind.run.layout", "check_run_folder"),
    "scan_genome": ("kerasbind.scanning", "scan_genome"),
    "scan_sequences": ("kerasbind.scanning", "scan_sequences"),
    "score_variants": ("kerasbind.scanning", "score_variants"),
    "attribute": ("kerasbind.attribution", "attribute"),
    "Attributions": ("kerasbind.attribution", "Attributions"),
    "load_attributions": ("kerasbind.attribution", "load_attributions"),
    "modisco_motifs": ("kerasbind.motifs.modisco", "analyse_modisco"),
    "default_motif_method": ("kerasbind.motifs.modisco", "default_motif_method"),
    "run_architecture": ("kerasbind.run.schema", "run_architecture"),
    "ATTRIBUTION_METHODS": ("kerasbind.attribution", "METHODS"),
    "list_presets": ("kerasbind.presets", "list_presets"),
    "load_preset": ("kerasbind.presets", "load_preset"),
    "preset_folder": ("kerasbind.presets", "preset_folder"),
    "build_presets": ("kerasbind.presets", "build_presets"),
    "Preset": ("kerasbind.presets", "Preset"),
    "find_preset": ("kerasbind.presets", "find_preset"),
    "PRESET_LIBRARY_LIMIT": ("kerasbind.presets", "LIBRARY_LIMIT_BYTES"),
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
