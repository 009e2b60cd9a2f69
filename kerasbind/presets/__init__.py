"""Presets: trained runs anyone can use without training (docs/presets.md).

A preset library is a folder with ``index.json`` (name, aliases, archive file, SHA-256, size,
the benchmark it came from), one ZIP archive per preset (a run folder's files, weights stored
compactly) and a model card per preset. `build_presets` makes one from a ``kerasbind benchmark``
folder; `load_preset` verifies an archive's checksum, unpacks it safely into the cache and loads
it as any run folder (`kerasbind.run.load_run`: nothing executes, sizes bounded).
"""

from kerasbind.presets.build import LIBRARY_LIMIT_BYTES, build_presets
from kerasbind.presets.library import Preset, find_preset, list_presets, load_preset, preset_folder

__all__ = [
    "LIBRARY_LIMIT_BYTES",
    "Preset",
    "build_presets",
    "find_preset",
    "list_presets",
    "load_preset",
    "preset_folder",
]
