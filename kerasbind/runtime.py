"""Process-wide settings: quiet TensorFlow logs and one seed for everything."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys

import numpy as np


def quiet_tensorflow() -> None:
    """Silence TensorFlow's start-up chatter (call before importing TensorFlow or Keras).

    Sets the log levels, then imports TensorFlow once with stderr pointed at ``/dev/null``: its
    C++ core prints lines (oneDNN, the CUDA probe) before its logging is set up, which no
    environment variable reaches. Does nothing under another Keras backend.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    if "tensorflow" in sys.modules or os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        with contextlib.suppress(ImportError):  # a later import reports a missing TensorFlow
            import tensorflow

            tensorflow.config.list_physical_devices()  # device start-up logs its CUDA probe here
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend (TensorFlow or JAX) from one number."""
    quiet_tensorflow()
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def use_numba_cache() -> None:
    """Point numba's compile cache at ``~/.cache/kerasbind/numba`` unless ``NUMBA_CACHE_DIR`` is
    set, so numba code (memelite's TOMTOM: about 70 s) compiles once per machine, not per run."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(base, "kerasbind", "numba")
    if "numba" in sys.modules:
        from numba.core import config

        config.reload_config()
