"""TF Serving's model layout, ``BASE/NAME/VERSION/``, written atomically.

A version is written into a hidden temporary folder beside its target and renamed into place,
so a serving process polling ``BASE/NAME`` never sees half a model (it ignores names that are
not integers).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kerasbind.errors import KerasbindError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def check_model_name(name: str) -> str:
    """A model name that is safe in a URL path and a folder name."""
    if not _NAME.fullmatch(name):
        raise KerasbindError(
            f"model name {name!r}: use letters, digits, '_', '.' and '-' (starting with a "
            "letter or digit)"
        )
    return name


def versions(model_dir: Path) -> list[int]:
    """The integer versions present under ``BASE/NAME``, ascending."""
    if not model_dir.is_dir():
        return []
    return sorted(int(p.name) for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit())


def next_version(model_dir: Path) -> int:
    """One more than the highest version present, or 1."""
    present = versions(model_dir)
    return present[-1] + 1 if present else 1


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; rename it to ``target`` when the block ends
    without error, delete it otherwise."""
    if target.exists():
        raise KerasbindError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield temporary
        try:
            temporary.rename(target)
        except OSError as error:
            raise KerasbindError(f"{target}: could not move into place ({error})") from error
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)


def write_version(
    base: Path, name: str, write: Callable[[Path], None], version: int | None = None
) -> Path:
    """Write ``BASE/NAME/VERSION`` with ``write(folder)``; the next free version by default."""
    model_dir = Path(base) / check_model_name(name)
    if version is None:
        version = next_version(model_dir)
    elif version < 1:
        raise KerasbindError(f"version must be a positive integer, not {version}")
    target = model_dir / str(version)
    if target.exists():
        raise KerasbindError(
            f"{target} already exists; TF Serving versions are immutable, pick another --version "
            "or leave it out to take the next free one"
        )
    with atomic_folder(target) as folder:
        write(folder)
    return target
