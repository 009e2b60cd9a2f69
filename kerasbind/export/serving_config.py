"""``BASE/models.config``: a TF Serving `ModelServerConfig` listing every model under BASE.

The base paths are where the official image sees BASE (mounted at ``/models``), and every
version present stays loaded (``model_version_policy { all {} }``) so clients can address
``/versions/N``; delete a version folder to retire it (TF Serving polls the file system).

The names are folder names under BASE, which anyone with access to BASE can make: each must
pass `kerasbind.model_name.check_model_name` (no quote, brace or space can reach the text
proto), and the container path may hold no quote, backslash or line break; otherwise nothing is
written and the error names the folder. Hidden folders (a running export's temporary ones) are
not models.
"""

from __future__ import annotations

import re
from pathlib import Path

from kerasbind.errors import KerasbindError
from kerasbind.export.layout import versions
from kerasbind.files import write_atomic
from kerasbind.model_name import check_model_name

CONFIG_NAME = "models.config"
CONTAINER_BASE = "/models"
_UNSAFE_PATH = re.compile(r"['\"\\\x00-\x1f\x7f]")  # would end or bend a quoted proto string


def served_models(base: Path) -> list[str]:
    """Names of the folders under ``base`` that hold at least one SavedModel version."""
    if not base.is_dir():
        return []
    names = sorted(
        folder.name
        for folder in base.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and any((folder / str(v) / "saved_model.pb").is_file() for v in versions(folder))
    )
    for name in names:
        check_model_name(name, f"{base}: model folder")
    return names


def models_config_text(names: list[str], container_base: str = CONTAINER_BASE) -> str:
    """The text proto for ``names``, each served from ``container_base/NAME`` (both checked)."""
    for name in names:
        check_model_name(name)
    if not container_base.startswith("/") or _UNSAFE_PATH.search(container_base):
        raise KerasbindError(
            f"container base {container_base!r}: an absolute path without quotes, "
            "backslashes or control characters"
        )
    entries = "".join(
        "  config {\n"
        f"    name: '{name}'\n"
        f"    base_path: '{container_base.rstrip('/')}/{name}'\n"
        "    model_platform: 'tensorflow'\n"
        "    model_version_policy { all {} }\n"
        "  }\n"
        for name in names
    )
    return f"model_config_list {{\n{entries}}}\n"


def write_models_config(base: Path, container_base: str = CONTAINER_BASE) -> Path:
    """Write (or rewrite) ``BASE/models.config`` for all models under ``base``, atomically."""
    path = Path(base) / CONFIG_NAME
    text = models_config_text(served_models(Path(base)), container_base)
    write_atomic(path, lambda tmp: tmp.write_text(text))
    return path
