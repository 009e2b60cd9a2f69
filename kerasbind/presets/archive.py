"""A preset archive: a run folder's files in one ZIP, read as hostile input.

Only plain file names from a fixed list are accepted (no folders, absolute paths or ``..``), each
at most once; declared and actual sizes are bounded before and while reading, so a crafted
archive is a one-line error and never writes outside the folder it is unpacked into.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from kerasbind.errors import KerasbindError
from kerasbind.files import write_atomic
from kerasbind.run.layout import (
    CONFIG_FILE,
    METRICS_FILE,
    MODEL_FILE,
    VECTORS_FILE,
    VOCABULARY_FILE,
)

ARCHIVE_FILES = (MODEL_FILE, CONFIG_FILE, VECTORS_FILE, VOCABULARY_FILE, METRICS_FILE)
MAX_ARCHIVE_BYTES = 64 * 2**20
MAX_MEMBER_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 128 * 2**20
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same files give the same bytes (and checksum)


def archive_bytes(files: dict[str, bytes]) -> bytes:
    """The archive of ``files`` (name → content), in `ARCHIVE_FILES` order, deterministic."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ARCHIVE_FILES:
            if name in files:
                info = zipfile.ZipInfo(name, FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def write_archive(files: dict[str, bytes], path: Path) -> bytes:
    """Write the archive of ``files`` to ``path`` atomically; its bytes."""
    data = archive_bytes(files)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))
    return data


def read_archive(data: bytes, where: str) -> dict[str, bytes]:
    """The files of an archive (``where`` names it in errors), checked as untrusted input."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise KerasbindError(f"{where}: {len(data):,} bytes, larger than any preset archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_members(members, where)
            return {info.filename: _read_member(archive, info, where) for info in members}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise KerasbindError(f"{where}: damaged preset archive ({error})") from None


def _check_members(members: list[zipfile.ZipInfo], where: str) -> None:
    names = [info.filename for info in members]
    for name in names:
        if name not in ARCHIVE_FILES:
            raise KerasbindError(
                f"{where}: member {name[:200]!r} is not a run file a preset holds "
                f"({', '.join(ARCHIVE_FILES)}); refused"
            )
    if len(set(names)) != len(names):
        raise KerasbindError(f"{where}: a member occurs twice; refused")
    for required in (MODEL_FILE, CONFIG_FILE):
        if required not in names:
            raise KerasbindError(f"{where}: no {required}; not a preset archive")
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise KerasbindError(
                f"{where}: member {info.filename} declares {info.file_size:,} bytes, more than "
                f"a preset holds ({MAX_MEMBER_BYTES:,}); refused"
            )
    if sum(info.file_size for info in members) > MAX_TOTAL_BYTES:
        raise KerasbindError(f"{where}: members larger than a preset holds in all; refused")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """A member's bytes, never more than it declared (a lying header is refused)."""
    with archive.open(info) as handle:
        content = handle.read(info.file_size + 1)
    if len(content) != info.file_size:
        raise KerasbindError(f"{where}: member {info.filename} is not the size it declares")
    return content
