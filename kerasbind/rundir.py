"""The run directory: ``model.keras``, ``kerasbind.json`` and, for embedded models,
``word2vec.model`` — the unit users keep and every later command reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, update_json, write_atomic
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
