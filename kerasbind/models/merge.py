"""An ensemble of convolutional models as one model of the same architecture.

N models of a one-hot, convolution-only architecture (deepbind, deepbind_star, dilated and
compositions like them) with the same hyper-parameters are one wider model of that architecture
in disguise: ``conv_1`` with all their filters side by side (the input is shared), each later
convolution and the hidden dense layer block-diagonal (member *i*'s units see only member *i*'s),
and the ``logit`` unit the mean of the members' logits. Local and global max pooling act per
channel, so they keep the blocks apart. The merged model is an ordinary kerasbind model — filters
and dense units ×N — so every tool that reads one (filter motifs, one-pass scanning, export,
presets) reads it unchanged; its probability is the sigmoid of the members' mean logit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.models.blocks import conv_filters
from kerasbind.models.specs import ArchitectureSpec


def can_merge(arch: ArchitectureSpec, hparams: Mapping[str, Any], members: int) -> bool:
    """Whether ``members`` models of ``arch`` with ``hparams`` merge into one (`merge_models`):
    one-hot input, convolution only, and layer widths that scale with the number of members."""
    if arch.embedding or arch.rnn is not None or arch.conv_layers < 1:
        return False
    first = int(hparams["filters"])
    return all(
        conv_filters(first * members, layer) == members * conv_filters(first, layer)
        for layer in range(arch.conv_layers)
    )


def merged_hyperparameters(hparams: Mapping[str, Any], members: int) -> dict[str, Any]:
    """The merged model's hyper-parameters: ``members`` × the filters and dense units."""
    return {
        **hparams,
        "filters": int(hparams["filters"]) * members,
        "dense_units": int(hparams["dense_units"]) * members,
    }


def _block_diagonal(kernels: Sequence[np.ndarray]) -> np.ndarray:
    """Kernels ``(..., in, out)`` → one ``(..., Σin, Σout)`` with theirs on the diagonal."""
    lead = kernels[0].shape[:-2]
    rows = sum(k.shape[-2] for k in kernels)
    cols = sum(k.shape[-1] for k in kernels)
    merged = np.zeros((*lead, rows, cols), dtype=kernels[0].dtype)
    row = col = 0
    for kernel in kernels:
        merged[..., row : row + kernel.shape[-2], col : col + kernel.shape[-1]] = kernel
        row, col = row + kernel.shape[-2], col + kernel.shape[-1]
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
    merged = build_model(arch, merged_hyperparameters(hparams, count), encoder)
    for layer in range(1, arch.conv_layers + 1):
        kernels, biases = zip(
            *(m.get_layer(f"conv_{layer}").get_weights() for m in members), strict=True
        )
        kernel = np.concatenate(kernels, axis=-1) if layer == 1 else _block_diagonal(kernels)
        merged.get_layer(f"conv_{layer}").set_weights([kernel, np.concatenate(biases)])
    if hparams["dense_units"]:
        kernels, biases = zip(*(m.get_layer("dense").get_weights() for m in members), strict=True)
        merged.get_layer("dense").set_weights([_block_diagonal(kernels), np.concatenate(biases)])
    kernels, biases = zip(*(m.get_layer("logit").get_weights() for m in members), strict=True)
    merged.get_layer("logit").set_weights(
        [np.concatenate(kernels, axis=0) / count, np.mean(biases, axis=0)]
    )
    return merged
