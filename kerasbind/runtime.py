"""Process-wide settings and state: TensorFlow started quiet and with its oneDNN kernels, one
seed for everything, the numba cache, and the gradient registrations TensorFlow would otherwise
keep forever."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
import tempfile
from collections.abc import Iterator

import numpy as np


def prefer_onednn() -> None:
    """Ask TensorFlow for its oneDNN kernels, unless ``TF_ENABLE_ONEDNN_OPTS`` says otherwise.

    TensorFlow enables them by default only on some x86 CPUs; on an AVX2 CPU without them
    training ran 1.04–2.0 times slower (benchmarks/RESULTS.md, "oneDNN"). It reads the variable
    when it is first imported, so this works only before then; ``import kerasbind`` calls it.
    """
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


def start_tensorflow() -> None:
    """Start TensorFlow quiet and with oneDNN on (call before importing TensorFlow or Keras).

    Turns TensorFlow's oneDNN kernels on (`prefer_onednn`). Sets the log levels,
    then imports TensorFlow once with stderr pointed at ``/dev/null``: its C++ core prints lines
    (oneDNN, the CUDA probe) before its logging is set up, which no environment variable
    reaches. Imports nothing under another Keras backend.
    """
    prefer_onednn()
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
    """Seed Python, NumPy and the Keras backend (TensorFlow or JAX) from one number, with
    TensorFlow's deterministic kernels on a CPU (`deterministic_kernels`)."""
    start_tensorflow()
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    deterministic_kernels()


def deterministic_kernels() -> None:
    """Turn on TensorFlow's op determinism when it runs on CPUs only, unless
    ``TF_DETERMINISTIC_OPS`` is ``0`` or ``false``.

    Without it the k-mer embedding models (deepbind_e_star, the convolutional-recurrent ones,
    KEGRU) trained with one seed gave other weights in every process: the embedding's sparse
    gradients are summed in thread order. On CPUs no cost was measured (benchmarks/RESULTS.md,
    "Deterministic kernels"); on a GPU it can be slower or refuse ops, so there it is left to the
    user. Does nothing under another Keras backend.
    """
    if os.environ.get("TF_DETERMINISTIC_OPS", "").lower() in ("0", "false"):
        return
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        tf.config.experimental.enable_op_determinism()


@contextlib.contextmanager
def traced_gradients_released() -> Iterator[None]:
    """Drop the gradient functions TensorFlow registers while the block traces a training step.

    Every trace of a Keras training step under TensorFlow passes the gradients through the
    optimizer's all-reduce, a ``tf.custom_gradient`` that registers its gradient function in
    TensorFlow's process-wide gradient registry under a new name and never removes it. The
    function's closure holds the traced graph, so every model ever trained kept its training
    graphs: about 20 MiB a trial in a long search (benchmarks/RESULTS.md). The registrations
    are looked up only while a graph is being traced, so the ones made in the block are removed
    when it ends. Does nothing under another Keras backend.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        yield
        return
    from tensorflow.python.framework import ops

    registry = ops._gradient_registry._registry  # name -> {"type": function, "location": ...}
    before = set(registry)
    try:
        yield
    finally:
        for name in set(registry) - before:
            if name.startswith("CustomGradient-"):
                del registry[name]


def use_numba_cache() -> bool:
    """Point numba's compile cache at a writable folder, so numba code (the dinucleotide
    shuffle) compiles once per machine, not per run.

    The first writable of: ``NUMBA_CACHE_DIR`` as set, ``~/.cache/kerasbind/numba`` (under
    ``XDG_CACHE_HOME`` when set), a private folder in the temporary directory. Returns
    ``False`` when none is writable (say a user whose HOME is read-only, with a read-only
    temporary directory): callers then compile without a cache (``cache=False``) instead of
    failing with numba's "cannot cache function".
    """
    home_cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates = [
        (os.environ.get("NUMBA_CACHE_DIR"), False),
        (os.path.join(home_cache, "kerasbind", "numba"), False),
        (os.path.join(tempfile.gettempdir(), f"kerasbind-numba-{_user()}"), True),
    ]
    for folder, shared in candidates:
        if folder and _writable(folder, private=shared):
            if os.environ.get("NUMBA_CACHE_DIR") != folder:
                os.environ["NUMBA_CACHE_DIR"] = folder
                if "numba" in sys.modules:
                    from numba.core import config

                    config.reload_config()
            return True
    return False


def _user() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def _writable(folder: str, private: bool) -> bool:
    """Whether files can be created in ``folder`` (made if missing). A ``private`` folder (in a
    directory other users share) must also be this user's own and closed to others, since numba
    loads pickled code from its cache."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if private:
            status = os.stat(folder)
            if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
                return False
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True
