"""What a run folder holds: the file names, in one place.

A run folder is ``model.keras`` (the Keras model), ``kerasbind.json`` (its description:
architecture, hyper-parameters, encoder, data, options, training, metrics, versions) and, for
embedded models, ``word2vec.npy`` with ``word2vec.vocab.json``; after an evaluation also
``metrics.json``, ``roc.png`` and ``pr.png``. A tuned run's folder also holds the search
(``tuner/``, ``search.json``, ``trials.csv``, ``best_hyperparameters.json``).
"""

from __future__ import annotations

import os
from pathlib import Path

from kerasbind.errors import KerasbindError

MODEL_FILE = "model.keras"
CONFIG_FILE = "kerasbind.json"
VECTORS_FILE = "word2vec.npy"
VOCABULARY_FILE = "word2vec.vocab.json"
METRICS_FILE = "metrics.json"
ROC_FILE = "roc.png"
PR_FILE = "pr.png"
# written by kerasbind before 0.2: a gensim pickle, read only with trust (docs/security.md)
PICKLED_WORD2VEC_FILE = "word2vec.model"
# the files a save writes (or removes when the run has none of them)
RUN_FILES = (
    MODEL_FILE,
    VECTORS_FILE,
    VOCABULARY_FILE,
    METRICS_FILE,
    ROC_FILE,
    PR_FILE,
    PICKLED_WORD2VEC_FILE,
    CONFIG_FILE,
)


def is_run_folder(path: Path) -> bool:
    """``path`` holds a model and its description."""
    return (path / CONFIG_FILE).is_file() and (path / MODEL_FILE).is_file()


def check_run_folder(path: str | os.PathLike[str]) -> Path:
    """``path`` if it is a run folder, else a `KerasbindError` saying what it is not (fast: no
    TensorFlow)."""
    path = Path(path)
    if not path.is_dir():
        raise KerasbindError(f"{path}: no such folder")
    if not is_run_folder(path):
        raise KerasbindError(
            f"{path}: not a kerasbind run directory (needs {MODEL_FILE} and {CONFIG_FILE}; "
            "make one with 'kerasbind train' or 'kerasbind tune')"
        )
    return path
