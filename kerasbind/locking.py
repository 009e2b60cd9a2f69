"""One writer per output folder: an OS lock held while a command writes there.

``with folder_lock(out, "tune"):`` takes an exclusive ``fcntl.flock`` on ``.NAME.lock`` beside
the folder ``NAME`` (beside, not inside, so replacing the folder whole cannot drop the lock;
inside only when the parent cannot be written).
The operating system releases it when the process ends, however it ends (a crash, ``kill -9``),
so a lock is never left stale; the file names the holder (pid, host, command, start time) for
the message another process gets. The same process may take a lock it holds again (a
benchmark cell is locked by the benchmark and then by the ``tune`` it runs).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import inspect
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kerasbind.errors import KerasbindError
from kerasbind.files import current_umask

MAX_HOLDER_BYTES = 4096  # the holder's note is read with this bound
_held: dict[str, int] = {}  # lock file -> times this process holds it
Function = TypeVar("Function", bound=Callable[..., Any])


class FolderInUse(KerasbindError):
    """Another process holds the folder's lock."""


INSIDE = ".kerasbind.lock"  # the lock file when the folder's parent cannot be written


def lock_path(folder: Path | str) -> Path:
    """``PARENT/.NAME.lock`` for ``PARENT/NAME`` (the folder's real path); ``NAME/.kerasbind.lock``
    when ``PARENT`` cannot be written (every process on the folder then finds the same file)."""
    folder = Path(os.path.realpath(folder))
    if folder.name and os.access(folder.parent, os.W_OK):
        return folder.parent / f".{folder.name}.lock"
    return folder / INSIDE


def _holder(fd: int) -> str:
    """Who holds the lock, from the note it wrote (best effort: it may be mid-write)."""
    try:
        note = json.loads(os.pread(fd, MAX_HOLDER_BYTES, 0) or b"{}")
        return (
            f"kerasbind {note['command']}, pid {note['pid']} on {note['host']}, "
            f"since {note['started']}"
        )
    except (ValueError, KeyError, TypeError, OSError):
        return "a process that has not yet said who it is"


def _write_note(fd: int, command: str) -> None:
    note = {
        "command": command,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(note).encode(), 0)


def _acquire(path: Path, folder: Path, command: str) -> int:
    """An open descriptor of ``path`` holding its lock, or `FolderInUse`."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~current_umask())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise FolderInUse(
                f"{folder} is in use by {holder} (lock file {path}); wait for it to end or "
                "choose another output folder"
            ) from None
        try:  # the holder before us may have removed the file as we opened it: lock the new one
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: Path | str, command: str) -> Iterator[Path]:
    """Hold ``folder``'s lock (created with its parents if needed) while the block runs;
    `FolderInUse` names the holder if another process has it. Yields the lock file's path."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = lock_path(folder)
    key = str(path)
    if key in _held:
        _held[key] += 1
        try:
            yield path
        finally:
            _held[key] -= 1
        return
    fd = _acquire(path, Path(folder), command)
    _held[key] = 1
    try:
        _write_note(fd, command)
        yield path
    finally:
        del _held[key]
        path.unlink(missing_ok=True)  # before the unlock: a waiting process re-checks the inode
        os.close(fd)


def holds_lock(
    command: str, *, argument: str = "out", unless: Callable[[], bool] = lambda: False
) -> Callable[[Function], Function]:
    """Decorator: the call holds the lock of the folder passed as ``argument`` (skipped when
    ``unless()`` is true, e.g. on a distributed search's worker, which shares the chief's
    folder by design)."""

    def decorate(function: Function) -> Function:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def locked(*args: Any, **kwargs: Any) -> Any:
            if unless():
                return function(*args, **kwargs)
            with folder_lock(signature.bind(*args, **kwargs).arguments[argument], command):
                return function(*args, **kwargs)

        return locked  # type: ignore[return-value]

    return decorate
