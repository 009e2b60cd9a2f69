"""What a cell cost and where it ran: wall and CPU seconds, the machine's load, the code.

A benchmark's wall times mean little without the machine and what else ran on it, so every
cell records them (`ComputeMeter.read`): wall seconds, this process's CPU seconds, the mean
1-minute load average while the cell ran (sampled every ``interval`` seconds: on a machine with
``cores`` cores, a load near ``cores`` while the cell's own CPU share is near it too means the
cell had the machine to itself), the processor and the git commit of the code.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

SAMPLE_SECONDS = 10.0


def cpu_model() -> str:
    """The processor's name (``/proc/cpuinfo``'s model name where there is one)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


PACKAGE_PATHS = ("kerasbind", "tfds_builders", "pyproject.toml")  # what decides the results


def code_commit(source: Path | None = None) -> str | None:
    """The git commit of the kerasbind source this process runs (or of the checkout at
    ``source``; None outside one), with ``+changes`` when the package's tracked files
    (`PACKAGE_PATHS`) differ from it — not a benchmark's driver scripts or pages beside it."""
    source = source or Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no", "--",
             *PACKAGE_PATHS],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+changes" if dirty else commit or None


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ComputeMeter:
    """Started when made; `read` gives what has been spent since, and stops the sampler."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self._started = time.time()
        self._cpu = _cpu_seconds()
        self._loads: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._sampler.start()

    def _sample(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._loads.append(os.getloadavg()[0])

    def read(self) -> dict[str, Any]:
        self._stop.set()
        self._sampler.join()
        return {
            "seconds": round(time.time() - self._started, 1),
            "cpu_seconds": round(_cpu_seconds() - self._cpu, 1),
            "load": round(sum(self._loads) / len(self._loads), 2),
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "code": code_commit(),
        }
