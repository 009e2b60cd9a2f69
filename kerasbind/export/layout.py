"""TF Serving's model layout, ``BASE/NAME/VERSION/``, written atomically.

A version is written into a hidden temporary folder beside its target and renamed into place,
so a serving process polling ``BASE/NAME`` never sees half a model (it ignores names that are
not integers). Concurrent exports each get their own version; folders left by killed exports
are removed by the next one.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kerasbind.errors import KerasbindError
from kerasbind.files import current_umask
from kerasbind.model_name import check_model_name

_ATTEMPTS = 100  # renames tried while concurrent exports take the next versions
STALE_SECONDS = 24 * 3600  # age after which a temporary folder of unknown owner is abandoned


def versions(model_dir: Path) -> list[int]:
    """The integer versions present under ``BASE/NAME``, ascending."""
    if not model_dir.is_dir():
        return []
    return sorted(int(p.name) for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit())


def next_version(model_dir: Path) -> int:
    """One more than the highest version present, or 1."""
    present = versions(model_dir)
    return present[-1] + 1 if present else 1


def _temporary_prefix(label: str) -> str:
    """``.LABEL.tmp-HOST-PID-``: hidden from TF Serving, and naming the process that owns it."""
    return f".{label}.tmp-{socket.gethostname()}-{os.getpid()}-"


def _abandoned(folder: Path) -> bool:
    """Whether a hidden temporary folder was left by a process that is gone: one of this host
    whose process no longer runs, or one older than `STALE_SECONDS` (written on another host,
    or by an older kerasbind that did not name the owner)."""
    owner = folder.name.partition(".tmp-")[2].rsplit("-", 2)
    if len(owner) == 3 and owner[0] == socket.gethostname() and owner[1].isdigit():
        try:
            os.kill(int(owner[1]), 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # it runs, as another user
            return False
        return False
    return time.time() - folder.stat().st_mtime > STALE_SECONDS


def remove_abandoned(model_dir: Path) -> list[Path]:
    """Delete the hidden ``.N.tmp-*`` folders that killed exports left under ``BASE/NAME``."""
    if not model_dir.is_dir():
        return []
    removed = [p for p in model_dir.glob(".*.tmp-*") if p.is_dir() and _abandoned(p)]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def write_version(
    base: Path, name: str, write: Callable[[Path], None], version: int | None = None
) -> Path:
    """Write ``BASE/NAME/VERSION`` with ``write(folder)``; the next free version by default.

    The version is written into a hidden temporary folder, then renamed into place. Exports
    running at the same time each get their own version: a rename that loses the race to
    another export moves on to the next free number. Abandoned temporary folders of killed
    exports are removed first.
    """
    model_dir = Path(base) / check_model_name(name)
    if version is not None:
        if version < 1:
            raise KerasbindError(f"version must be a positive integer, not {version}")
        if (model_dir / str(version)).exists():
            raise _exists(model_dir / str(version))
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KerasbindError(f"{model_dir}: cannot create ({error.strerror or error})") from None
    remove_abandoned(model_dir)
    label = str(version) if version is not None else "next"
    temporary = Path(tempfile.mkdtemp(prefix=_temporary_prefix(label), dir=model_dir))
    temporary.chmod(0o777 & ~current_umask())  # mkdtemp's 0700 would hide it from TF Serving
    try:
        write(temporary)
        return _move_into_place(temporary, model_dir, version)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)


def _move_into_place(temporary: Path, model_dir: Path, version: int | None) -> Path:
    """Rename ``temporary`` to ``model_dir/VERSION``: ``version``, or the next free one, retried
    while other exports take the numbers first."""
    for _ in range(_ATTEMPTS):
        target = model_dir / str(version if version is not None else next_version(model_dir))
        try:
            temporary.rename(target)  # atomic; refused when the target is a non-empty folder
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise KerasbindError(f"{target}: could not move into place ({error})") from None
            if version is not None:
                raise _exists(target) from None
            continue
        return target
    raise KerasbindError(f"{model_dir}: no free version after {_ATTEMPTS} attempts")


def _exists(target: Path) -> KerasbindError:
    return KerasbindError(
        f"{target} already exists; TF Serving versions are immutable, pick another --version "
        "or leave it out to take the next free one"
    )
