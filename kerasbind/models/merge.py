"""An ensemble of models as one model of the same architecture.

N models of one architecture with the same hyper-parameters are one wider model of that
architecture in disguise. Every layer of the merged model holds the members' units side by side,
and each weight matrix joins a member's inputs only to the same member's units: the embedding
concatenates the members' k-mer vectors; ``conv_1`` on one-hot input puts all filters side by
side over the shared input; each later convolution, each recurrent layer (gate by gate, both
directions) and the hidden dense layer is block-diagonal up to the order in which the layer keeps
its units; the ``logit`` unit is the mean of the members' logits. Pooling acts per channel and a
recurrent unit's gates per unit, so nothing mixes the members. The merged model is an ordinary
kerasbind model — filters, recurrent and dense units and the embedding's width ×N — so every tool
that reads one (filter motifs, scanning, attributions, export, presets) reads it unchanged; its
probability is the sigmoid of the members' mean logit. Its block-diagonal recurrent matrices hold
N× the members' weights, mostly zeros: three merged recurrent models predict 1.3–1.5× slower than
the three would one after another (benchmarks/RESULTS.md, "Merged ensembles").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.models.blocks import conv_filters
from kerasbind.models.specs import ArchitectureSpec

SHARED = -1  # a unit every member reads (the one-hot input, the logit's single output)
GATES = {"lstm": 4, "gru": 3}  # weight columns per unit: Keras's i, f, c, o and z, r, h


def can_merge(arch: ArchitectureSpec, hparams: Mapping[str, Any], members: int) -> bool:
    """Whether ``members`` models of ``arch`` with ``hparams`` merge into one (`merge_models`):
    every convolution layer's width scales with the number of members (the later layers' widths
    are rounded from the first's)."""
    first = int(hparams["filters"])
    return all(
        conv_filters(first * members, layer) == members * conv_filters(first, layer)
        for layer in range(arch.conv_layers)
    )


def merged_hyperparameters(
    arch: ArchitectureSpec, hparams: Mapping[str, Any], members: int
) -> dict[str, Any]:
    """The merged model's hyper-parameters: ``members`` × the filters and dense units, and for
    the architectures that have them the recurrent units and the embedding's width."""
    merged = {
        **hparams,
        "filters": int(hparams["filters"]) * members,
        "dense_units": int(hparams["dense_units"]) * members,
    }
    if arch.rnn is not None:
        merged["rnn_units"] = int(hparams["rnn_units"]) * members
    if arch.embedding:
        merged["embedding_dim"] = int(hparams["embedding_dim"]) * members
    return merged


@dataclass(frozen=True)
class _Units:
    """The units of one merged layer: the member each belongs to (`SHARED`: all of them) and its
    index in that member's own layer."""

    member: np.ndarray
    local: np.ndarray

    def __add__(self, other: _Units) -> _Units:
        return _Units(
            np.concatenate([self.member, other.member]), np.concatenate([self.local, other.local])
        )


def _shared(width: int) -> _Units:
    return _Units(np.full(width, SHARED), np.arange(width))


def _side_by_side(members: int, width: int, offset: int = 0) -> _Units:
    """Member 0's ``width`` units, then member 1's, …; local indices from ``offset``."""
    return _Units(np.repeat(np.arange(members), width), np.tile(np.arange(width), members) + offset)


def _gate_columns(members: int, units: int, gates: int) -> _Units:
    """A recurrent kernel's columns: gate by gate, each gate's units side by side (Keras keeps a
    layer's gates as consecutive blocks of ``units`` columns)."""
    columns = _side_by_side(members, units)
    for gate in range(1, gates):
        columns = columns + _side_by_side(members, units, gate * units)
    return columns


def _per_channel(channels: _Units, features: int) -> _Units:
    """Features laid out channel by channel, ``features`` each (positional pooling)."""
    offsets = np.tile(np.arange(features), len(channels.member))
    return _Units(
        np.repeat(channels.member, features),
        np.repeat(channels.local * features, features) + offsets,
    )


def _merge_kernel(kernels: Sequence[np.ndarray], rows: _Units, columns: _Units) -> np.ndarray:
    """Kernels ``(..., in, out)`` → one ``(..., rows, columns)``: member i's weights where both
    the row and the column are member i's (or shared), zero elsewhere."""
    merged = np.zeros(
        (*kernels[0].shape[:-2], len(rows.member), len(columns.member)), kernels[0].dtype
    )
    for index, kernel in enumerate(kernels):
        row = np.flatnonzero(np.isin(rows.member, (index, SHARED)))
        column = np.flatnonzero(np.isin(columns.member, (index, SHARED)))
        merged[..., row[:, None], column] = kernel[
            ..., rows.local[row][:, None], columns.local[column]
        ]
    return merged


def _merge_bias(biases: Sequence[np.ndarray], columns: _Units) -> np.ndarray:
    """Biases ``(..., out)`` → one ``(..., columns)``."""
    merged = np.zeros((*biases[0].shape[:-1], len(columns.member)), biases[0].dtype)
    for index, bias in enumerate(biases):
        column = np.flatnonzero(columns.member == index)
        merged[..., column] = bias[..., columns.local[column]]
    return merged


def merge_models(
    members: Sequence[Any], arch: ArchitectureSpec, hparams: Mapping[str, Any], encoder: Any
) -> Any:
    """One model whose logit is the mean of the ``members``' logits (models `build_model` made
    for ``arch``, ``hparams`` and ``encoder``; see the module's docstring)."""
    from kerasbind.models.builder import build_model

    if not can_merge(arch, hparams, len(members)):
        raise KerasbindError(f"models of {arch.name!r} with these settings do not merge into one")
    count = len(members)
    merged = build_model(arch, merged_hyperparameters(arch, hparams, count), encoder)

    def weights(name: str) -> list[list[np.ndarray]]:
        return [member.get_layer(name).get_weights() for member in members]

    if arch.embedding:
        tables = [table for (table,) in weights("embedding")]
        merged.get_layer("embedding").set_weights([np.concatenate(tables, axis=1)])
        units = _side_by_side(count, tables[0].shape[1])
    else:
        units = _shared(encoder.input_shape[-1])
    for layer in range(1, arch.conv_layers + 1):
        kernels, biases = zip(*weights(f"conv_{layer}"), strict=True)
        filters = _side_by_side(count, kernels[0].shape[-1])
        merged.get_layer(f"conv_{layer}").set_weights(
            [_merge_kernel(kernels, units, filters), _merge_bias(biases, filters)]
        )
        units = filters
    if arch.rnn is None:
        if hparams["pooling"] == "positional":
            features = merged.get_layer("positional_features").output.shape[-1]
            units = _per_channel(units, features // len(units.member))
    else:
        units = _merge_recurrent(merged, weights, arch, count, units)
    if hparams["dense_units"]:
        kernels, biases = zip(*weights("dense"), strict=True)
        hidden = _side_by_side(count, kernels[0].shape[-1])
        merged.get_layer("dense").set_weights(
            [_merge_kernel(kernels, units, hidden), _merge_bias(biases, hidden)]
        )
        units = hidden
    kernels, biases = zip(*weights("logit"), strict=True)
    merged.get_layer("logit").set_weights(
        [_merge_kernel([k / count for k in kernels], units, _shared(1)), np.mean(biases, axis=0)]
    )
    return merged


def _merge_recurrent(
    merged: Any, weights: Any, arch: ArchitectureSpec, count: int, units: _Units
) -> _Units:
    """Set the merged recurrent layers from the members'; the units of the last one's output
    (a bidirectional layer's: every forward unit, then every backward one)."""
    assert arch.rnn is not None
    gates = GATES[arch.rnn.removeprefix("bi")]
    directions = 2 if arch.rnn.startswith("bi") else 1
    for layer in range(1, arch.rnn_layers + 1):
        name = f"{arch.rnn}_{layer}"
        per_member = weights(name)  # kernel, recurrent kernel, bias; forward before backward
        width = per_member[0][1].shape[0]
        state = _side_by_side(count, width)
        columns = _gate_columns(count, width, gates)
        arrays = []
        for direction in range(directions):
            kernel, recurrent, bias = (
                [own[3 * direction + part] for own in per_member] for part in range(3)
            )
            arrays += [
                _merge_kernel(kernel, units, columns),
                _merge_kernel(recurrent, state, columns),
                _merge_bias(bias, columns),
            ]
        merged.get_layer(name).set_weights(arrays)
        units = state if directions == 1 else state + _side_by_side(count, width, width)
    return units
