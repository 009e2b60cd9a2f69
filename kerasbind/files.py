"""Atomic file writing and JSON helpers: finished work is never half-written or lost."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError


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
    """``strerror`` and the file it concerns, without Python's ``[Errno N]`` decoration."""
    where = f": {error.filename}" if error.filename else ""
    return f"{error.strerror or error}{where}"


def remove_stale_temporaries(folder: Path, names: list[str]) -> None:
    """Delete the temporary files `write_atomic` leaves for ``names`` in ``folder`` when the
    process writing them was killed (e.g. a 0-byte ``.model.keras.x1y2.keras``)."""
    for name in names:
        for stale in folder.glob(f".{name}.*{Path(name).suffix}"):
            stale.unlink(missing_ok=True)


def write_json(path: Path | str, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))


def read_json(path: Path | str) -> dict[str, Any]:
    """Read a JSON object; a broken file is a one-line user error."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as error:
        raise KerasbindError(f"{path}: not valid JSON ({error})") from error


def update_json(path: Path | str, updates: dict[str, Any]) -> dict[str, Any]:
    """Merge ``updates`` into the JSON object at ``path`` (created if absent) and write it."""
    data = read_json(path) if Path(path).exists() else {}
    data.update(updates)
    write_json(path, data)
    return data
