"""Process-wide settings: quiet TensorFlow logs and one seed for everything."""

from __future__ import annotations

import logging
import os
import random

import numpy as np


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ and Python start-up chatter (call before importing TF)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend (TensorFlow or JAX) from one number."""
    quiet_tensorflow()
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
