"""``BASE/models.config``: a TF Serving `ModelServerConfig` listing every model under BASE.

The base paths are where the official image sees BASE (mounted at ``/models``), and every
version present stays loaded (``model_version_policy { all {} }``) so clients can address
``/versions/N``; delete a version folder to retire it (TF Serving polls the file system).
"""

from __future__ import annotations

from pathlib import Path

from kerasbind.export.layout import versions
from kerasbind.files import write_atomic

CONFIG_NAME = "models.config"
CONTAINER_BASE = "/models"


def served_models(base: Path) -> list[str]:
    """Names of the folders under ``base`` that hold at least one SavedModel version."""
    if not base.is_dir():
        return []
    return sorted(
        folder.name
        for folder in base.iterdir()
        if folder.is_dir()
        and any((folder / str(v) / "saved_model.pb").is_file() for v in versions(folder))
    )


def models_config_text(names: list[str], container_base: str = CONTAINER_BASE) -> str:
    """The text proto for ``names``, each served from ``container_base/NAME``."""
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
