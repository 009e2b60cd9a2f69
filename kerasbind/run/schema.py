"""``kerasbind.json`` read as untrusted input: bounded in size and nesting, and every field a
model is built from checked for type and range before anything is built or allocated."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.hyperparameters import HyperParameters
from kerasbind.models import ArchitectureSpec
from kerasbind.models.specs import RNN_KINDS
from kerasbind.options import MAX_SEQ_LEN, TrainOptions, TuneOptions, choice, flag, whole

MAX_BYTES = 16 * 2**20  # a description with a long training history is well under 1 MiB
MAX_DEPTH = 64
# what a model read from a shared folder may be made of (the hyper-parameters' own bounds,
# `HyperParameters`, cap filters and units)
BOUNDS = {
    "encoder.k": (1, 8),
    "encoder.stride": (1, MAX_SEQ_LEN),
    "architecture.conv_layers": (0, 16),
    "architecture.dilation": (1, 64),
    "architecture.rnn_layers": (1, 16),
}


@dataclass(frozen=True)
class Description:
    """The checked parts of a run's description."""

    config: dict[str, Any]
    encoder: EncoderSpec
    architecture: ArchitectureSpec
    hparams: HyperParameters
    freeze_embedding: bool


def run_architecture(folder: str | os.PathLike[str]) -> ArchitectureSpec:
    """The architecture a run folder's ``kerasbind.json`` describes, checked; no model is
    loaded (and TensorFlow not started)."""
    from kerasbind.run.layout import CONFIG_FILE, check_run_folder

    return read_description(check_run_folder(folder) / CONFIG_FILE).architecture


def read_description(path: Path) -> Description:
    """``kerasbind.json`` at ``path``, checked; a one-line `KerasbindError` naming the file and
    the field otherwise."""
    config = read_bounded_json(path)
    try:
        return check_description(config)
    except KerasbindError as error:
        raise KerasbindError(f"{path}: {error}") from None


def read_bounded_json(path: Path) -> dict[str, Any]:
    """A JSON object of at most `MAX_BYTES` nested at most `MAX_DEPTH` deep."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise KerasbindError(f"{path}: {size:,} bytes; a run description has at most {MAX_BYTES:,}")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        raise KerasbindError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except json.JSONDecodeError as error:
        raise KerasbindError(f"{path}: not valid JSON ({error})") from None
    except RecursionError:
        raise KerasbindError(f"{path}: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise KerasbindError(f"{path}: expected a JSON object, found {type(data).__name__}")
    if nesting_depth(data) > MAX_DEPTH:
        raise KerasbindError(f"{path}: JSON nested more than {MAX_DEPTH} levels deep")
    return data


def nesting_depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (no recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def check_description(config: dict[str, Any]) -> Description:
    """Types and ranges of the encoder, architecture, hyper-parameters and options."""
    encoder = _section(config, "encoder")
    for name in ("kind", "alphabet"):
        choice(f"encoder.{name}", encoder.get(name), _ENCODER_CHOICES[name])
    whole("encoder.length", encoder.get("length"), 1, MAX_SEQ_LEN)
    architecture = _section(config, "architecture")
    if not isinstance(architecture.get("name"), str) or len(architecture["name"]) > 200:
        raise KerasbindError("architecture.name must be a name (a string of at most 200)")
    flag("architecture.embedding", architecture.get("embedding"))
    if architecture.get("rnn") is not None:
        choice("architecture.rnn", architecture["rnn"], RNN_KINDS)
    hyperparameters = _section(config, "hyperparameters")
    sections = {"encoder": encoder, "architecture": architecture}
    for key, (smallest, largest) in BOUNDS.items():
        section, name = key.split(".")
        if name in sections[section]:
            whole(key, sections[section][name], smallest, largest)
    training = config.get("training", {})
    freeze = training.get("freeze_embedding", False) if isinstance(training, dict) else None
    flag("training.freeze_embedding", freeze)
    try:
        spec = EncoderSpec.from_dict(encoder)
        arch = ArchitectureSpec.from_dict(architecture)
    except (KeyError, TypeError, ValueError) as error:
        raise KerasbindError(f"incomplete run description ({error})") from None
    hparams = HyperParameters.from_dict(hyperparameters, "hyperparameters")
    check_options(config, hparams)
    return Description(config, spec, arch, hparams, freeze)


_ENCODER_CHOICES = {"kind": ("onehot", "kmer"), "alphabet": ("DNA", "RNA")}


def check_options(
    config: dict[str, Any], hparams: HyperParameters
) -> TrainOptions | TuneOptions | None:
    """The recorded ``options`` of `train` or `tune` (``None`` for runs made before they were
    recorded)."""
    options = config.get("options")
    if options is None:
        return None
    if not isinstance(options, dict):
        raise KerasbindError(f"options must be an object, not {options!r}")
    command = options.get("command")
    if command == "tune":
        return TuneOptions.from_dict(options)
    if command == "train":
        return TrainOptions.from_dict(options, hparams.to_dict())
    raise KerasbindError(f"options.command must be train or tune, not {command!r}")


def _section(config: dict[str, Any], name: str) -> dict[str, Any]:
    section = config.get(name)
    if not isinstance(section, dict):
        raise KerasbindError(f"incomplete run description ({name!r} must be an object)")
    return section
