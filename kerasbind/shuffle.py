"""Exact dinucleotide-preserving shuffles, and shuffled negatives for positive-only sets.

The shuffle is Altschul & Erickson's (1985) random Eulerian walk, as in uShuffle (Jiang et al.,
2008): a sequence ``s`` is a walk through the multigraph whose vertices are its letters and whose
edges are its ``len(s) - 1`` dinucleotides. Every other walk over the same edges, starting at
``s[0]``, is a sequence with exactly the same dinucleotide counts, first and last letter. To draw
one uniformly:

1. pick, for every letter except the last one, the edge it leaves by for the last time, so that
   these "last edges" form a tree pointing to ``s[-1]`` (a uniform random arborescence, drawn
   with Wilson's loop-erased random walk over the edge instances);
2. shuffle each letter's other outgoing edges (Fisher–Yates) and put its last edge at the end;
3. walk from ``s[0]``, leaving each letter by its next unused edge.

Letters are bytes, so ``N`` or any other symbol is just another vertex. A sequence whose only
Eulerian walk is itself (e.g. ``ACACAC``) cannot change: the kernel retries a few times and then
reports it instead of looping.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import replace

import numba
import numpy as np
import pandas as pd

from kerasbind.runtime import use_numba_cache
from kerasbind.sequences import SequenceSet, _joined_bytes

_TRIES = 8  # shuffles tried before a sequence is reported as unchangeable
_CACHE = use_numba_cache()  # False where no folder is writable: compile on every run instead


@numba.njit(cache=_CACHE)
def _shuffle_one(
    seq: np.ndarray,
    out: np.ndarray,
    targets: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    fill: np.ndarray,
    in_tree: np.ndarray,
    next_edge: np.ndarray,
) -> None:
    """One Eulerian-walk shuffle of ``seq`` (uint8) into ``out``; the rest are work buffers."""
    n = seq.size
    counts[:] = 0
    for i in range(n - 1):
        counts[seq[i]] += 1
    starts[0] = 0
    for v in range(256):
        starts[v + 1] = starts[v] + counts[v]
    fill[:] = starts[:256]
    for i in range(n - 1):  # edges grouped by source letter, in sequence order
        targets[fill[seq[i]]] = seq[i + 1]
        fill[seq[i]] += 1
    last = seq[n - 1]
    # 1. random arborescence of last edges towards `last` (Wilson's algorithm)
    in_tree[:] = False
    in_tree[last] = True
    for u in range(256):
        if counts[u] == 0:
            continue
        v = u
        while not in_tree[v]:
            j = starts[v] + np.random.randint(counts[v])
            next_edge[v] = j
            v = targets[j]
        v = u
        while not in_tree[v]:
            in_tree[v] = True
            v = targets[next_edge[v]]
    # 2. move each last edge to the end of its list, shuffle the others
    for v in range(256):
        if counts[v] == 0:
            continue
        end = starts[v + 1] - 1
        if v != last:
            j = next_edge[v]
            targets[j], targets[end] = targets[end], targets[j]
            end -= 1
        for i in range(end, starts[v], -1):
            j = starts[v] + np.random.randint(i - starts[v] + 1)
            targets[i], targets[j] = targets[j], targets[i]
    # 3. walk
    fill[:] = starts[:256]
    v = seq[0]
    out[0] = v
    for i in range(1, n):
        j = fill[v]
        fill[v] += 1
        v = targets[j]
        out[i] = v


@numba.njit(cache=_CACHE)
def _shuffle_all(
    buffer: np.ndarray, offsets: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle every sequence of a joined buffer; also flag those that came back unchanged."""
    np.random.seed(seed)
    out = np.empty_like(buffer)
    n_seqs = offsets.size - 1
    unchanged = np.zeros(n_seqs, dtype=np.bool_)
    longest = 1
    for k in range(n_seqs):
        longest = max(longest, offsets[k + 1] - offsets[k])
    targets = np.empty(longest, dtype=np.uint8)
    starts = np.zeros(257, dtype=np.int64)
    counts = np.zeros(256, dtype=np.int64)
    fill = np.zeros(256, dtype=np.int64)
    in_tree = np.zeros(256, dtype=np.bool_)
    next_edge = np.zeros(256, dtype=np.int64)
    for k in range(n_seqs):
        seq = buffer[offsets[k] : offsets[k + 1]]
        dest = out[offsets[k] : offsets[k + 1]]
        if seq.size < 3:  # nothing can move
            dest[:] = seq
            unchanged[k] = True
            continue
        for _ in range(_TRIES):
            _shuffle_one(seq, dest, targets, starts, counts, fill, in_tree, next_edge)
            if not np.array_equal(seq, dest):
                break
        else:
            unchanged[k] = True
    return out, unchanged


def shuffle_with_flags(sequences: Sequence[str], seed: int = 0) -> tuple[list[str], np.ndarray]:
    """`dinucleotide_shuffle`, plus a boolean array marking sequences that could not change."""
    if not sequences:
        return [], np.zeros(0, dtype=bool)
    buffer, offsets = _joined_bytes(sequences)
    shuffled, unchanged = _shuffle_all(buffer, offsets, int(seed) % 2**32)
    text = shuffled.tobytes().decode("ascii", errors="replace")
    return [text[offsets[i] : offsets[i + 1]] for i in range(len(sequences))], unchanged


def dinucleotide_shuffle(sequences: Sequence[str], seed: int = 0) -> list[str]:
    """Shuffle each sequence keeping its exact dinucleotide counts and first and last letter.

    Seeded and deterministic for a given list. A shuffle differs from its source whenever the
    source has another Eulerian walk (retried a few times); a sequence with only one walk, such
    as a periodic one, is returned as it is.
    """
    return shuffle_with_flags(sequences, seed)[0]


def add_shuffled_negatives(seqset: SequenceSet, ratio: float = 1.0, seed: int = 0) -> SequenceSet:
    """The set followed by ``round(ratio * positives)`` shuffled positives labelled 0.

    Positives are the label-1 records, or every record of an unlabelled set. Shuffle ``k`` of a
    record gets the id ``<id>_shuf<k>``; a fractional ratio shuffles a seeded random subset in
    the last round. Shuffles identical to their source (unchangeable sequences) are left out
    with a warning, since they would be positives labelled 0.
    """
    if ratio <= 0:
        raise ValueError("ratio must be positive")
    labels = np.ones(len(seqset), np.int8) if seqset.labels is None else seqset.labels
    seqset = replace(seqset, labels=labels)
    positives = np.flatnonzero(labels == 1)
    n_negatives = round(ratio * positives.size)
    rounds = math.ceil(n_negatives / positives.size) if positives.size else 0
    rng = np.random.default_rng(seed)
    source = np.tile(positives, rounds)
    copy = np.repeat(np.arange(1, rounds + 1), positives.size)
    if source.size > n_negatives:  # fractional last round: a random subset of it
        keep = np.sort(
            rng.choice(positives.size, n_negatives - (rounds - 1) * positives.size, replace=False)
        )
        head = (rounds - 1) * positives.size
        source = np.concatenate([source[:head], source[head + keep]])
        copy = np.concatenate([copy[:head], copy[head + keep]])
    shuffled, unchanged = shuffle_with_flags([seqset.sequences[i] for i in source], seed)
    if unchanged.any():
        warnings.warn(
            f"{seqset.source}: {int(unchanged.sum())} sequence(s) have no other dinucleotide "
            "shuffle (too short or periodic); no negative was made from them",
            stacklevel=2,
        )
    keep = np.flatnonzero(~unchanged)
    negatives = SequenceSet(
        sequences=[shuffled[i] for i in keep],
        labels=np.zeros(keep.size, np.int8),
        ids=[f"{seqset.ids[source[i]]}_shuf{copy[i]}" for i in keep],
        alphabet=seqset.alphabet,
        source=seqset.source,
        metadata=None
        if seqset.metadata is None
        else pd.DataFrame(seqset.metadata.iloc[source[keep]].reset_index(drop=True)),
    )
    return seqset.concat(negatives)
