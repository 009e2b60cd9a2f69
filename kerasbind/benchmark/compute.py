"""What a cell cost and where it ran: wall and CPU seconds, the machine's load, the code.

A benchmark's wall times mean little without the machine and what else ran on it, so every
cell records them (`ComputeMeter.read`): wall seconds, this process's CPU seconds, the mean
1-minute load average while the cell ran (sampled every ``interval`` seconds: on a machine with
``cores`` cores, a load near ``cores`` while the cell's own CPU share is near it too means the
cell had the machine to itself), the processor, whether TensorFlow's oneDNN kernels were asked
for (they change both speed and rounding) and the git commit of the code.

A cell that is interrupted and resumed (`kerasbind benchmark` run again) has cost every
attempt, not only the last: the meter keeps a ledger (``compute.json`` in the cell's folder),
rewritten at every sample, and the record sums the attempts in it (``attempts`` says how many).
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

from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, write_json

SAMPLE_SECONDS = 10.0
LEDGER = "compute.json"
MAX_ATTEMPTS = 10_000  # a ledger with more is not one this meter wrote
_SPENT = ("seconds", "cpu_seconds", "load")


def cpu_model() -> str:
    """The processor's name (``/proc/cpuinfo``'s model name where there is one)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def onednn() -> str | None:
    """TensorFlow's oneDNN kernels as this process asked for them (``TF_ENABLE_ONEDNN_OPTS``,
    which kerasbind sets to 1 unless the user set it): "on", "off", or "TensorFlow's default"
    (unset or unreadable: TensorFlow decides by CPU); None under another Keras backend."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return None
    asked = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower()
    return {"1": "on", "true": "on", "0": "off", "false": "off"}.get(asked, "TensorFlow's default")


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
    """Started when made; `read` gives what has been spent since (with the earlier attempts of
    ``ledger``, when given), and stops the sampler."""

    def __init__(self, interval: float = SAMPLE_SECONDS, ledger: Path | None = None) -> None:
        self._ledger = ledger
        self._earlier = read_ledger(ledger) if ledger is not None else []
        self._started = time.time()
        self._cpu = _cpu_seconds()
        self._loads: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._sampler.start()

    def _sample(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._loads.append(os.getloadavg()[0])
            self._write_ledger()

    def _attempt(self) -> dict[str, float]:
        return {
            "seconds": round(time.time() - self._started, 1),
            "cpu_seconds": round(_cpu_seconds() - self._cpu, 1),
            "load": round(sum(self._loads) / len(self._loads), 2),
        }

    def _write_ledger(self) -> list[dict[str, float]]:
        attempts = [*self._earlier, self._attempt()]
        if self._ledger is not None:
            write_json(self._ledger, {"attempts": attempts})
        return attempts

    def read(self) -> dict[str, Any]:
        self._stop.set()
        self._sampler.join()
        attempts = self._write_ledger()
        seconds = sum(a["seconds"] for a in attempts)
        load = (
            sum(a["load"] * a["seconds"] for a in attempts) / seconds
            if seconds > 0
            else attempts[-1]["load"]
        )
        return {
            "seconds": round(seconds, 1),
            "cpu_seconds": round(sum(a["cpu_seconds"] for a in attempts), 1),
            "load": round(load, 2),
            "attempts": len(attempts),
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "onednn": onednn(),
            "code": code_commit(),
        }


def read_ledger(path: Path) -> list[dict[str, float]]:
    """The earlier attempts recorded in ``path`` (none when it does not exist); a ledger this
    meter did not write is a one-line error naming the file."""
    if not path.is_file():
        return []
    ledger = read_json(path, limit=4 * 2**20)
    attempts = ledger.get("attempts") if isinstance(ledger, dict) else None
    if not isinstance(attempts, list) or len(attempts) > MAX_ATTEMPTS:
        raise KerasbindError(f"{path}: not a compute ledger (expected a list of attempts)")
    for number, attempt in enumerate(attempts, 1):
        values = [attempt.get(key) if isinstance(attempt, dict) else None for key in _SPENT]
        if not all(type(v) in (int, float) and 0 <= v < 1e12 for v in values):
            raise KerasbindError(
                f"{path}: attempt {number} is not seconds, CPU seconds and load (numbers ≥ 0)"
            )
    return [{key: float(attempt[key]) for key in _SPENT} for attempt in attempts]
