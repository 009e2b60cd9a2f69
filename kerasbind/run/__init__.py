"""The run: a trained model in memory (`Run`) and its folder on disk.

``run.py`` holds the in-memory `Run` and its methods; ``layout.py`` the folder's file names;
``description.py`` builds ``kerasbind.json``; ``store.py`` is the only module that writes a run
folder (atomic save, evaluation) and reads one back (`load_run`); ``schema.py`` and
``model_file.py`` check what is read, which is untrusted input (docs/security.md).
"""

from kerasbind.run.description import run_config
from kerasbind.run.layout import CONFIG_FILE, METRICS_FILE, MODEL_FILE, is_run_folder
from kerasbind.run.run import Run
from kerasbind.run.store import load as load_run
from kerasbind.run.store import save, save_run

__all__ = [
    "CONFIG_FILE",
    "METRICS_FILE",
    "MODEL_FILE",
    "Run",
    "is_run_folder",
    "load_run",
    "run_config",
    "save",
    "save_run",
]
