"""Step-based training: batches of 128, reshuffled each pass, validation AUC at checkpoints."""

from __future__ import annotations

import contextlib
import functools
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import keras
import numpy as np

from kerasbind.runtime import traced_gradients_released

BATCH_SIZE = 128
MAX_STEPS_PER_EXECUTION = 32

Arrays = np.ndarray | list[np.ndarray]  # one array, or one per member of a grouped model
Seeds = int | list[int]
T = TypeVar("T")


@dataclass
class TrainingHistory:
    """Checkpoint steps with their validation AUC (``None`` without validation data), the mean
    training loss since the previous checkpoint, and the training time in seconds."""

    steps: list[int] = field(default_factory=list)
    val_auc: list[float | None] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def interruptible(function: Callable[..., T]) -> Callable[..., T]:
    """Decorator: Ctrl-C (SIGINT) raises ``KeyboardInterrupt`` while ``function`` runs, also in
    a process that inherited SIGINT as ignored (a script's ``command &`` starts it so, and
    Python then installs no handler); the previous handling is restored afterwards."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if threading.current_thread() is not threading.main_thread():
            return function(*args, **kwargs)
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return function(*args, **kwargs)
        finally:
            signal.signal(signal.SIGINT, previous)

    return wrapper


def checkpoints(steps: int, eval_every: int) -> list[int]:
    """Steps at which training pauses to evaluate: every ``eval_every`` and at the end."""
    marks = list(range(eval_every, steps, eval_every)) if eval_every > 0 else []
    return [*marks, steps]


def steps_per_execution(chunk: int) -> int:
    """The largest divisor of ``chunk`` up to 32: steps run per call into the compiled loop."""
    return max(d for d in range(1, min(chunk, MAX_STEPS_PER_EXECUTION) + 1) if chunk % d == 0)


def batch_stream(
    x: Arrays, y: Arrays, *, batch_size: int, seed: Seeds, part: int = 0, skip: int = 0
) -> Any:
    """An endless tf.data stream of shuffled batches; every pass over the data is reshuffled;
    the first ``skip`` batches are left out (a resumed run goes on where it stopped).

    Shuffles indices and gathers whole batches, which costs about half the CPU of shuffling
    and batching the examples themselves. The shuffle's seed is ``seed + part`` (one stream per
    part of a run), combined with the global seed as TensorFlow does. For a grouped model
    (`kerasbind.tuning.grouped`) ``x``, ``y`` and ``seed`` are lists, one per member; each
    member's stream is made under its own global seed, so it yields the batches the member
    would get when trained alone after ``set_seed(seed)``; members given the same array (the
    final models) share one copy of it, and one map gathers every member's batch.

    tf.data's autotuning is off: its background thread sleeps in doubling periods (10 ms,
    20 ms, … from the iterator's start) and the iterator's teardown at the end of ``fit`` could
    wait for the current period to end — for a recurrent model up to 60 % of the training time
    (benchmarks/RESULTS.md, "Recurrent speed"). The prefetch buffer still sizes itself.
    """
    import tensorflow as tf

    grouped = isinstance(x, list)
    xs, ys, seeds = (x, y, seed) if grouped else ([x], [y], [seed])
    assert isinstance(xs, list) and isinstance(ys, list) and isinstance(seeds, list)
    tensors: dict[int, Any] = {}  # one copy of each array, however many members share it

    def tensor(array: np.ndarray, labels: bool = False) -> Any:
        if id(array) not in tensors:
            values = np.asarray(array, np.float32).reshape(-1, 1) if labels else array
            tensors[id(array)] = tf.constant(values)
        return tensors[id(array)]

    indices = []
    for xm, sm in zip(xs, seeds, strict=True):
        if grouped:
            tf.random.set_seed(sm)
        n = len(xm)
        indices.append(
            tf.data.Dataset.range(n)
            .shuffle(n, seed=sm + part, reshuffle_each_iteration=True)
            .repeat()
            .batch(batch_size, drop_remainder=n >= batch_size)
        )
    features = [tensor(xm) for xm in xs]
    labels = [tensor(ym, labels=True) for ym in ys]

    def gather(*batch: Any) -> tuple[Any, Any]:
        pairs = [
            (tf.gather(f, i), tf.gather(lab, i))
            for f, lab, i in zip(features, labels, batch, strict=True)
        ]
        if not grouped:
            return pairs[0]
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)

    options = tf.data.Options()
    options.autotune.enabled = False
    batches = tf.data.Dataset.zip(tuple(indices)).skip(skip)  # indices only: cheap to skip
    stream = batches.map(gather).prefetch(tf.data.AUTOTUNE)
    return stream.with_options(options)


class _Checkpoint(keras.callbacks.Callback):
    """Advances the progress bar, evaluates at the end of each 'epoch' (one checkpoint chunk)
    and stops training when the checkpoint function says so."""

    def __init__(self, run: Callable[[float], bool], bar: Any) -> None:
        super().__init__()
        self._run = run
        self._bar = bar
        self.stopped = False

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._bar.update(self.model.steps_per_execution)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if self._run(float((logs or {}).get("loss", math.nan))):
            self.stopped = self.model.stop_training = True


def train_steps(
    model: keras.Model,
    x: Arrays,
    y: Arrays,
    *,
    steps: int,
    eval_every: int,
    validation: tuple[np.ndarray, ...] | None = None,
    batch_size: int = BATCH_SIZE,
    seed: Seeds = 0,
    progress: bool = True,
    on_checkpoint: Callable[[int, float | None], bool | None] | None = None,
    skip: int = 0,
) -> TrainingHistory:
    """Train ``model`` for exactly ``steps`` learning steps (fewer if ``on_checkpoint`` returns
    True), measuring validation AUC every ``eval_every`` steps and at the end (``validation``:
    ``(x, y)`` or ``(x, y, x_reverse)``, see `kerasbind.prediction.held_out_auc`). A grouped
    model takes lists (see `batch_stream`) and is evaluated by ``on_checkpoint``, not here.
    ``skip``: batches an earlier, interrupted run of the same training already took (a multiple
    of ``eval_every``); the stream goes on after them."""
    from kerasbind.prediction import held_out_auc

    if steps < 1:
        raise ValueError("steps must be positive")
    if skip and (eval_every < 1 or skip % eval_every):
        raise ValueError("skip must be a multiple of a positive eval_every")
    marks = checkpoints(steps, eval_every)
    history = TrainingHistory()
    bar = _progress_bar(steps, progress)
    started = time.perf_counter()

    def checkpoint(loss: float) -> bool:
        step = marks[len(history.steps)]
        bar.n = step
        auc = None
        if validation is not None:
            auc = held_out_auc(model, *validation)
            bar.set_postfix(loss=f"{loss:.4f}", val_auc=f"{auc:.4f}")
        else:
            bar.set_postfix(loss=f"{loss:.4f}")
        history.steps.append(step)
        history.val_auc.append(auc)
        history.loss.append(loss)
        return bool(on_checkpoint(step, auc)) if on_checkpoint else False

    # equal chunks in one fit call (the data iterator lives on across them), then any remainder;
    # a resumed run's chunks are the interrupted run's, so its remainder has the same stream
    chunk = eval_every if skip else marks[0]
    full = steps // chunk
    parts = [(chunk, full), (steps - chunk * full, 1)]
    callback = _Checkpoint(checkpoint, bar)
    # releasing the gradient registrations keeps every trained model's graphs from staying alive
    with contextlib.closing(bar), traced_gradients_released():
        for index, (chunk_steps, epochs) in enumerate(parts):
            if epochs == 0 or chunk_steps == 0 or callback.stopped:
                continue
            _set_steps_per_execution(model, steps_per_execution(chunk_steps))
            model.fit(
                batch_stream(
                    x, y, batch_size=batch_size, seed=seed, part=index, skip=skip * (index == 0)
                ),
                steps_per_epoch=chunk_steps,
                epochs=epochs,
                callbacks=[callback],
                verbose=0,
                shuffle=False,
            )
    history.seconds = time.perf_counter() - started
    return history


def _set_steps_per_execution(model: keras.Model, value: int) -> None:
    """Change how many steps one call of the compiled training loop runs."""
    if model.steps_per_execution != value:
        model.steps_per_execution = value
        model.train_function = None


class _CheckpointLines:
    """Progress without a terminal: one line per checkpoint (no carriage returns in a log)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.n = 0

    def update(self, steps: int) -> None:
        """Steps are reported at checkpoints only."""

    def set_postfix(self, **values: str) -> None:
        shown = "  ".join(f"{key.replace('_', ' ')} {value}" for key, value in values.items())
        print(f"training: step {self.n}/{self.total}  {shown}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Nothing to clear."""


def _progress_bar(steps: int, enabled: bool) -> Any:
    """A tqdm bar on a terminal, checkpoint lines when stderr is a file or a pipe."""
    from tqdm.auto import tqdm

    if enabled and not sys.stderr.isatty():
        return _CheckpointLines(steps)
    return tqdm(total=steps, desc="training", unit="step", disable=not enabled, leave=False)
