"""Finding, fetching and unpacking presets: the index, the cache, the checksums.

The library is ``library=`` when given, else ``$KERASBIND_PRESETS``, else the index shipped in
the package (``kerasbind/resources/presets/index.json``). An archive is read from the library's
folder when it is there, else downloaded from its URL into the cache (``$KERASBIND_CACHE`` or
``~/.cache/kerasbind``, folder ``presets/``). Every archive's SHA-256 is checked against the index
before it is opened; a cached download that does not match is removed. The archive is unpacked
(`kerasbind.presets.archive`) into ``CACHE/presets/runs/NAME`` (``/`` in NAME as ``--``), checked
against the archive at every use and replaced whole when it differs (an evaluation written into
it, a newer version of the preset).
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasbind.errors import InputError, KerasbindError, did_you_mean
from kerasbind.files import read_json, replace_folder, write_atomic
from kerasbind.presets.archive import MAX_ARCHIVE_BYTES, read_archive
from kerasbind.presets.names import file_stem

if TYPE_CHECKING:
    from kerasbind.run import Run

INDEX_FILE = "index.json"
PACKAGED = Path(__file__).resolve().parent.parent / "resources" / "presets"
LIBRARY_VARIABLE = "KERASBIND_PRESETS"
CACHE_VARIABLE = "KERASBIND_CACHE"
MAX_INDEX_BYTES = 4 * 2**20
MAX_PRESETS = 10_000
NAME = re.compile(r"[\w.+()-]+(/[\w.+()-]+)*")
ARCHIVE_NAME = re.compile(r"[\w.+()-]+\.zip")
SHA256 = re.compile(r"[0-9a-f]{64}")
URL_SCHEMES = ("https://", "http://", "file://")
DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class Preset:
    """One preset of a library, as its index describes it (``card``: the card's fields)."""

    name: str
    aliases: tuple[str, ...]
    file: str
    sha256: str
    size: int
    url: str | None
    library: Path
    card: dict[str, Any]

    @property
    def card_file(self) -> Path:
        """The Markdown model card in the library's folder."""
        return self.library / "cards" / f"{file_stem(self.name)}.md"


def library_folder(library: str | os.PathLike[str] | None = None) -> Path:
    """The library folder: ``library``, ``$KERASBIND_PRESETS`` or the one shipped."""
    chosen = library if library is not None else os.environ.get(LIBRARY_VARIABLE) or PACKAGED
    return Path(chosen)


def cache_folder() -> Path:
    """Where downloads and unpacked presets are kept: ``$KERASBIND_CACHE/presets`` or
    ``~/.cache/kerasbind/presets``."""
    base = os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "kerasbind"
    return Path(base) / "presets"


def read_index(library: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The library's ``index.json``, its every entry checked."""
    folder = library_folder(library)
    path = folder / INDEX_FILE
    if not path.is_file():
        raise KerasbindError(
            f"{path}: no preset index there (a library is made by 'kerasbind presets build')"
        )
    index = read_json(path, MAX_INDEX_BYTES)
    if not isinstance(index, dict) or not isinstance(index.get("presets"), list):
        raise InputError(path, None, "not a preset index (an object with a 'presets' list)")
    if len(index["presets"]) > MAX_PRESETS:
        raise InputError(path, None, f"more than {MAX_PRESETS:,} presets")
    for number, entry in enumerate(index["presets"], 1):
        problem = _entry_problem(entry)
        if problem:
            raise InputError(path, None, f"preset {number}: {problem}")
    return index


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "not an object"
    checks = {
        "name": isinstance(entry.get("name"), str) and NAME.fullmatch(entry["name"]),
        "aliases": isinstance(entry.get("aliases"), list)
        and all(isinstance(a, str) and NAME.fullmatch(a) for a in entry["aliases"]),
        "file": isinstance(entry.get("file"), str) and ARCHIVE_NAME.fullmatch(entry["file"]),
        "sha256": isinstance(entry.get("sha256"), str) and SHA256.fullmatch(entry["sha256"]),
        "size": type(entry.get("size")) is int and 0 < entry["size"] <= MAX_ARCHIVE_BYTES,
        "url": entry.get("url") is None
        or (isinstance(entry["url"], str) and entry["url"].startswith(URL_SCHEMES)),
        "card": isinstance(entry.get("card", {}), dict),
    }
    bad = [key for key, good in checks.items() if not good]
    return f"missing or invalid {', '.join(bad)}" if bad else None


def list_presets(library: str | os.PathLike[str] | None = None) -> list[Preset]:
    """Every preset of the library, in the index's order."""
    folder = library_folder(library)
    return [
        Preset(
            entry["name"],
            tuple(entry["aliases"]),
            entry["file"],
            entry["sha256"],
            entry["size"],
            entry.get("url"),
            folder,
            entry.get("card", {}),
        )
        for entry in read_index(folder)["presets"]
    ]


def find_preset(name: str, library: str | os.PathLike[str] | None = None) -> Preset:
    """The preset called ``name`` or one of its aliases (case does not matter)."""
    if not isinstance(name, str):
        raise KerasbindError(f"a preset name is a string, not {type(name).__name__} {name!r}")
    presets = list_presets(library)
    for preset in presets:
        if name.casefold() in {known.casefold() for known in (preset.name, *preset.aliases)}:
            return preset
    binding = [
        p.name for p in presets if (p.card.get("protein") or "").casefold() == name.casefold()
    ]
    if binding:
        raise KerasbindError(
            f"{name} has {len(binding)} presets: {', '.join(binding)}; name one of them"
        )
    known = [known for preset in presets for known in (preset.name, *preset.aliases)]
    if not known:
        raise KerasbindError(
            f"no preset {name!r}: the library {library_folder(library)} holds none yet "
            "(see docs/presets.md)"
        )
    hint = did_you_mean(name, known) or did_you_mean(name.casefold(), [k.casefold() for k in known])
    raise KerasbindError(f"no preset {name!r}{hint} ('kerasbind presets list' shows them all)")


def preset_folder(name: str, library: str | os.PathLike[str] | None = None) -> Path:
    """The run folder of preset ``name``, unpacked into the cache from its verified archive."""
    preset = find_preset(name, library)
    files = read_archive(preset_archive(preset), f"preset {preset.name} ({preset.file})")
    folder = cache_folder() / "runs" / file_stem(preset.name)
    if not _unpacked(folder, files):
        replace_folder(folder, lambda new: _unpack(files, new))
    return folder


def load_preset(name: str, library: str | os.PathLike[str] | None = None) -> Run:
    """Preset ``name`` as a `Run`, through the same checks as any run folder."""
    from kerasbind.run import load_run

    return load_run(preset_folder(name, library))


def preset_archive(preset: Preset) -> bytes:
    """The preset's archive bytes, from the library's folder or the cache (downloaded first
    when absent), their checksum verified."""
    local = preset.library / preset.file
    if local.is_file():
        return _verified(_read_bounded(local, preset.size), preset, local, cached=False)
    cached = cache_folder() / "archives" / preset.file
    if not cached.is_file():
        _download(preset, cached)
    return _verified(_read_bounded(cached, preset.size), preset, cached, cached=True)


def _read_bounded(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size + 1)


def _verified(data: bytes, preset: Preset, path: Path, *, cached: bool) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest == preset.sha256 and len(data) == preset.size:
        return data
    if cached:
        path.unlink(missing_ok=True)
    removed = "; the cached file was removed, the next use downloads it again" if cached else ""
    raise KerasbindError(
        f"{path}: checksum mismatch for preset {preset.name} (SHA-256 {digest[:16]}…, the "
        f"index says {preset.sha256[:16]}…){removed}"
    )


def _download(preset: Preset, target: Path) -> None:
    url = preset.url
    if url is None:
        raise KerasbindError(
            f"{preset.library / preset.file}: preset {preset.name}'s archive is not in the "
            "library and the index gives no URL to fetch it from"
        )
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as reply:
            data = reply.read(preset.size + 1)
    except (OSError, ValueError) as error:
        raise KerasbindError(f"{url}: cannot download preset {preset.name} ({error})") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, lambda tmp: tmp.write_bytes(data))


def _unpacked(folder: Path, files: dict[str, bytes]) -> bool:
    """``folder`` holds exactly the archive's files (other files beside them are allowed)."""
    for name, content in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != len(content):
            return False
        if path.read_bytes() != content:
            return False
    return True


def _unpack(files: dict[str, bytes], folder: Path) -> None:
    for name, content in files.items():
        (folder / name).write_bytes(content)
