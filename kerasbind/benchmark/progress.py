"""The benchmark's progress: one line per cell with a bar, cells done and left, and the time
left, estimated from the finished cells' times (per architecture where known: an ECBLSTM cell
takes several times a DeepBind one)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

from kerasbind.html import format_duration

BAR = 20


class CellProgress:
    """Progress over ``architectures`` (one entry per cell to run, in order); ``known``: the
    seconds of cells already finished, by architecture (from their records)."""

    def __init__(
        self,
        architectures: Sequence[str],
        known: dict[str, list[float]] | None = None,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        self.todo = list(architectures)
        self.times = {arch: list(seconds) for arch, seconds in (known or {}).items()}
        self.done = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._started = time.perf_counter()

    def seconds_left(self) -> float | None:
        """Estimated seconds for the cells not yet done (None before any cell has a time)."""
        every = [s for seconds in self.times.values() for s in seconds]
        if not every:
            return None
        overall = sum(every) / len(every)
        per_arch = {a: sum(s) / len(s) for a, s in self.times.items() if s}
        return sum(per_arch.get(arch, overall) for arch in self.todo[self.done :])

    def line(self, label: str) -> str:
        total = len(self.todo)
        filled = round(BAR * self.done / total) if total else BAR
        left = self.seconds_left()
        estimate = f", about {format_duration(left)} left" if left is not None else ""
        return (
            f"[{'#' * filled}{'-' * (BAR - filled)}] {self.done} of {total} cells done, "
            f"{total - self.done} left{estimate}: {label}"
        )

    def _print(self, text: str) -> None:
        if self.enabled:
            print(f"benchmark: {text}", file=self.stream, flush=True)

    def start(self, label: str) -> None:
        """A cell begins."""
        self._started = time.perf_counter()
        self._print(self.line(f"now {label}"))

    def finish(self, architecture: str, label: str) -> None:
        """A cell ended (finished or failed): its time counts towards the estimate."""
        self.times.setdefault(architecture, []).append(time.perf_counter() - self._started)
        self.done += 1
        self._print(self.line(label))
