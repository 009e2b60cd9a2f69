"""Atomic file writing and JSON helpers: finished work is never half-written or lost."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np

from kerasbind.errors import KerasbindError

T = TypeVar("T")


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path | str, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` in ``path``'s folder, then rename the result into place.

    The file gets the usual permissions (``0o666`` less the umask), not ``mkstemp``'s ``0o600``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_table(path: Path | str, table: Any) -> None:
    """Write a pandas DataFrame as TSV (six significant digits), atomically."""
    write_atomic(path, lambda tmp: table.to_csv(tmp, sep="\t", index=False, float_format="%.6g"))


def check_writable(folder: Path | str, what: str = "output folder") -> Path:
    """Create ``folder`` (and its parents) if needed and check a file can be made in it, so an
    unusable ``--out`` is reported before hours of work rather than after."""
    folder = Path(folder)
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise KerasbindError(f"{folder}: cannot write the {what} there ({blocker} is a file)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise KerasbindError(
            f"{folder}: cannot write the {what} there ({describe_os_error(error)})"
        ) from None
    return folder


def describe_os_error(error: OSError) -> str:
    """``strerror`` and the file it concerns, without Python's ``[Errno N]`` decoration; for a
    full disk, also the free space there."""
    where = f": {error.filename}" if error.filename else ""
    if error.errno == errno.ENOSPC and error.filename:
        where += f" ({free_space(Path(error.filename).parent)})"
    return f"{error.strerror or error}{where}"


def replace_folder(path: Path | str, fill: Callable[[Path], T]) -> T:
    """Call ``fill(new_folder)`` on a hidden folder beside ``path``, then swap it into place by
    renames: ``path`` ends up either whole and new or (when ``fill`` fails) as it was, and
    nothing of an earlier folder at ``path`` is left in it. Returns what ``fill`` returns."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    try:
        result = fill(new)
        os.chmod(new, 0o777 & ~current_umask())
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.replace(path, old / path.name)
        os.replace(new, path)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return result


def check_new_folder(path: Path | str, overwrite: bool, what: str = "output folder") -> Path:
    """Refuse an existing, non-empty ``path`` unless ``overwrite`` (it will be replaced whole);
    then check it can be written (`check_writable`)."""
    path = Path(path)
    if not overwrite and path.is_dir() and any(path.iterdir()):
        raise KerasbindError(
            f"{path}: already exists and is not empty; choose another {what} or add "
            "--overwrite (overwrite=True) to replace it whole"
        )
    return check_writable(path, what)


def free_space(folder: Path | str) -> str:
    """The free space on ``folder``'s disk, e.g. ``'1,536.0 MiB free'``."""
    try:
        return f"{shutil.disk_usage(folder).free / 2**20:,.1f} MiB free"
    except OSError:
        return "free space unknown"


def remove_stale_temporaries(folder: Path, names: list[str]) -> None:
    """Delete the temporary files `write_atomic` leaves for ``names`` in ``folder`` when the
    process writing them was killed (e.g. a 0-byte ``.model.keras.x1y2.keras``)."""
    for name in names:
        for stale in folder.glob(f".{name}.*{Path(name).suffix}"):
            stale.unlink(missing_ok=True)


def write_json(path: Path | str, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))


MAX_JSON_BYTES = 64 * 1024 * 1024  # kerasbind's JSON files are far smaller


def read_json(path: Path | str, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """Read a JSON document (UTF-8, a byte-order mark allowed, at most ``limit`` bytes); a
    broken, oversized, non-UTF-8 or too deeply nested file is a one-line user error."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise KerasbindError(f"{path}: cannot read ({describe_os_error(error)})") from None
    if len(raw) > limit:
        raise KerasbindError(f"{path}: larger than {limit:,} bytes; not a kerasbind JSON file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise KerasbindError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x})"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise KerasbindError(f"{path}: not valid JSON ({error})") from error
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, deep nesting
        problem = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        problem = problem.split(":")[0]  # Python's advice on integer digits is not for users
        raise KerasbindError(f"{path}: not usable JSON ({problem})") from None


def update_json(path: Path | str, updates: dict[str, Any]) -> dict[str, Any]:
    """Merge ``updates`` into the JSON object at ``path`` (created if absent) and write it."""
    data = read_json(path) if Path(path).exists() else {}
    data.update(updates)
    write_json(path, data)
    return data


def npy_header(handle: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype]:
    """The shape, Fortran order and dtype an ``.npy`` stream declares, read from its header
    alone (nothing allocated, nothing unpickled): check them before reading the array."""
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(handle)
    return np.lib.format.read_array_header_2_0(handle)
