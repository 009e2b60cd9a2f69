"""The run directory: ``model.keras``, ``kerasbind.json`` and, for embedded models,
``word2vec.model`` — the unit users keep and every later command reads."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.models import ArchitectureSpec

MODEL_FILE = "model.keras"
CONFIG_FILE = "kerasbind.json"
WORD2VEC_FILE = "word2vec.model"
METRICS_FILE = "metrics.json"


@dataclass
class Run:
    """A loaded run directory."""

    path: Path
    model: Any  # keras.Model
    config: dict[str, Any]
    encoder: EncoderSpec
    architecture: ArchitectureSpec
    hparams: dict[str, Any]


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` in ``path``'s folder, then move the result into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise KerasbindError(f"{path}: not valid JSON ({error})") from error


def update_json(path: Path, updates: dict[str, Any]) -> dict[str, Any]:
    """Merge ``updates`` into the JSON object at ``path`` (created if absent) and write it."""
    data = read_json(path) if path.exists() else {}
    data.update(updates)
    write_json(path, data)
    return data


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("kerasbind", "keras", "tensorflow", "numpy", "gensim"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def save_run(path: Path | str, model: Any, config: dict[str, Any], word2vec: Any = None) -> None:
    """Write ``model.keras`` and ``kerasbind.json`` (merged into an existing one, so keys other
    commands added survive) and ``word2vec.model`` when given."""
    from kerasbind import __version__

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    write_atomic(path / MODEL_FILE, lambda tmp: model.save(tmp))
    if word2vec is not None:
        write_atomic(path / WORD2VEC_FILE, lambda tmp: word2vec.save(str(tmp)))
    update_json(
        path / CONFIG_FILE,
        {**config, "versions": versions(), "kerasbind_version": __version__},
    )


def load_run(path: Path | str) -> Run:
    """Read a run directory written by `save_run`."""
    import keras

    path = Path(path)
    config_file, model_file = path / CONFIG_FILE, path / MODEL_FILE
    if not (config_file.is_file() and model_file.is_file()):
        raise KerasbindError(
            f"{path}: not a kerasbind run directory (needs {MODEL_FILE} and {CONFIG_FILE}; "
            "make one with 'kerasbind train')"
        )
    config = read_json(config_file)
    try:
        encoder = EncoderSpec.from_dict(config["encoder"])
        architecture = ArchitectureSpec.from_dict(config["architecture"])
        hparams = dict(config["hyperparameters"])
    except (KeyError, TypeError, ValueError) as error:
        raise KerasbindError(f"{config_file}: incomplete run description ({error})") from error
    model = keras.saving.load_model(model_file)
    return Run(path, model, config, encoder, architecture, hparams)
