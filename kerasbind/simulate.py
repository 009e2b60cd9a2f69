"""Planted-motif simulation: JASPAR motifs in random backgrounds, shuffled negatives.

Deterministic and offline (JASPAR matrices come from ``pyjaspar``'s bundled database). One split:

1. **Backgrounds** are drawn from a first-order Markov chain with a human-like composition
   (41 % GC, CpG depleted four-fold), so sequences look like genomic DNA rather than uniform noise.
2. **Planting**: with probability ``occupancy`` a sequence gets one instance of one of
   ``motif_ids`` (chosen uniformly), sampled letter by letter from the motif's position frequency
   matrix, at a uniform position, on a random strand when ``both_strands``.
3. **Positives** are planted backgrounds. **Negatives** are planted backgrounds too, then
   dinucleotide-shuffled (`kerasbind.shuffle`), as in DeepBind's ChIP-seq sets: both classes
   have the same dinucleotide composition, so only the motif's arrangement separates them.
4. **Decoys** (optional): another motif planted in ``decoy_rate`` of *all* sequences, positives
   and negatives alike (after the shuffle, never over a planted motif), so it carries no label
   information.

Metadata columns: ``motif_id`` (``""`` where nothing was planted or the sequence is a negative)
and ``motif_start`` (0-based, ``-1`` where nothing was planted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from kerasbind.sequences import BASES, SequenceSet, to_codes
from kerasbind.shuffle import dinucleotide_shuffle

# base composition and CpG depletion of the Markov background
_BASE_PROBS = np.array([0.295, 0.205, 0.205, 0.295])
_CPG_DEPLETION = 0.25
_LETTERS = np.frombuffer(BASES.encode("ascii"), dtype=np.uint8)


@dataclass(frozen=True)
class SimulationConfig:
    """One difficulty level of the ``simulated_binding`` dataset."""

    name: str
    description: str
    motif_ids: tuple[str, ...]
    n_train: int = 4000
    n_test: int = 1000
    length: int = 101
    occupancy: float = 1.0
    both_strands: bool = False
    decoy_ids: tuple[str, ...] = ()
    decoy_rate: float = 0.0
    seed: int = 0


# versioned JASPAR ids, so a newer JASPAR release cannot change the data
SIMULATION_CONFIGS: dict[str, SimulationConfig] = {
    config.name: config
    for config in (
        SimulationConfig(
            "easy",
            "CTCF (MA0139.2) in every positive, forward strand",
            motif_ids=("MA0139.2",),
        ),
        SimulationConfig(
            "medium",
            "USF1 E-box (MA0093.4) in 80 % of the positives, both strands",
            motif_ids=("MA0093.4",),
            occupancy=0.8,
            both_strands=True,
            seed=1,
        ),
        SimulationConfig(
            "hard",
            "USF1 (MA0093.4) or SP1 (MA0079.5), 60 % occupancy, both strands, "
            "GATA1 (MA0035.5) decoys in 30 % of all sequences",
            motif_ids=("MA0093.4", "MA0079.5"),
            occupancy=0.6,
            both_strands=True,
            decoy_ids=("MA0035.5",),
            decoy_rate=0.3,
            seed=2,
        ),
    )
}


@cache
def _jaspar_pfm(motif_id: str) -> np.ndarray:
    from pyjaspar import jaspardb

    motif = jaspardb().fetch_motif_by_id(motif_id)
    if motif is None:
        raise ValueError(f"JASPAR motif {motif_id!r} not found")
    counts = np.array([motif.counts[base] for base in BASES], dtype=np.float64)
    return counts / counts.sum(axis=0, keepdims=True)


def motif_pfms(motif_ids: Sequence[str]) -> dict[str, np.ndarray]:
    """Probability matrices ``(4, width)`` (rows ``A C G T``) of JASPAR motifs, by id."""
    return {motif_id: _jaspar_pfm(motif_id).copy() for motif_id in motif_ids}


def _markov_backgrounds(rng: np.random.Generator, n: int, length: int) -> np.ndarray:
    """``(n, length)`` base codes from the CpG-depleted first-order Markov chain."""
    transitions = np.tile(_BASE_PROBS, (4, 1))
    transitions[1, 2] *= _CPG_DEPLETION
    transitions /= transitions.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(transitions, axis=1)
    uniform = rng.random((n, length))
    codes = np.empty((n, length), dtype=np.uint8)
    codes[:, 0] = np.searchsorted(np.cumsum(_BASE_PROBS), uniform[:, 0])
    for position in range(1, length):  # vectorised over sequences
        rows = cumulative[codes[:, position - 1]]
        codes[:, position] = (uniform[:, position, None] > rows[:, :3]).sum(axis=1)
    return codes


def _plant(
    rng: np.random.Generator,
    codes: np.ndarray,
    rows: np.ndarray,
    pfm: np.ndarray,
    both_strands: bool,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Write a PFM-sampled instance into each of ``rows`` of ``codes``; return the starts.

    ``taken`` (``(len(rows), 2)`` start, end; end <= start for none) is a stretch of each row
    the instance must not overlap.
    """
    length, width = codes.shape[1], pfm.shape[1]
    if width > length:
        raise ValueError(f"motif of width {width} does not fit in length {length}")
    cumulative = np.cumsum(pfm.T, axis=1)[:, :3]  # (width, 3)
    uniform = rng.random((rows.size, width))
    instances = (uniform[:, :, None] > cumulative[None]).sum(axis=2).astype(np.uint8)
    if both_strands:
        reverse = rng.random(rows.size) < 0.5
        instances[reverse] = 3 - instances[reverse, ::-1]
    # starts in [first, last] are blocked; draw among the others, then skip the blocked ones
    first, last = np.full(rows.size, length), np.full(rows.size, length - 1)
    if taken is not None:
        used = taken[:, 1] > taken[:, 0]
        first[used] = np.maximum(taken[used, 0] - width + 1, 0)
        last[used] = np.minimum(taken[used, 1] - 1, length - width)
    free = (length - width + 1) - (last - first + 1)
    if (free <= 0).any():
        raise ValueError(f"no room for a motif of width {width} beside the planted one")
    starts = np.floor(rng.random(rows.size) * free).astype(np.int64)
    starts = np.where(starts < first, starts, starts + (last - first + 1))
    columns = starts[:, None] + np.arange(width)[None, :]
    codes[rows[:, None], columns] = instances
    return starts


def _to_strings(codes: np.ndarray) -> list[str]:
    text = _LETTERS[codes].tobytes().decode("ascii")
    length = codes.shape[1]
    return [text[i : i + length] for i in range(0, len(text), length)]


def _plant_decoys(
    rng: np.random.Generator,
    codes: np.ndarray,
    taken: np.ndarray,
    decoy_ids: Sequence[str],
    decoy_rate: float,
    both_strands: bool,
) -> None:
    """Plant one of ``decoy_ids`` into a ``decoy_rate`` fraction of all rows, beside ``taken``."""
    if not decoy_ids or decoy_rate == 0:
        return
    pfms = motif_pfms(decoy_ids)
    chosen = np.flatnonzero(rng.random(len(codes)) < decoy_rate)
    which = rng.integers(len(decoy_ids), size=chosen.size)
    for index, decoy_id in enumerate(decoy_ids):
        rows = chosen[which == index]
        _plant(rng, codes, rows, pfms[decoy_id], both_strands, taken[rows])


def _simulate_split(
    n: int,
    motif_ids: Sequence[str],
    length: int,
    occupancy: float,
    both_strands: bool,
    decoy_ids: Sequence[str],
    decoy_rate: float,
    seed: tuple[int, int],
    split: str,
) -> SequenceSet:
    rng = np.random.default_rng(seed)
    pfms = motif_pfms(motif_ids)
    codes = _markov_backgrounds(rng, n, length)
    labels = np.zeros(n, dtype=np.int8)
    labels[rng.permutation(n)[: n // 2]] = 1
    negatives = np.flatnonzero(labels == 0)
    motif_column = np.full(n, "", dtype=object)
    starts = np.full(n, -1, dtype=np.int64)
    which = rng.integers(len(motif_ids), size=n)
    planted = rng.random(n) < occupancy
    for index, motif_id in enumerate(motif_ids):
        rows = np.flatnonzero(planted & (which == index))
        starts[rows] = _plant(rng, codes, rows, pfms[motif_id], both_strands)
        motif_column[rows] = motif_id
    shuffled = dinucleotide_shuffle(_to_strings(codes[negatives]), seed=int(rng.integers(2**31)))
    codes[negatives] = to_codes(shuffled, length)
    motif_column[negatives] = ""
    starts[negatives] = -1
    ends = starts + np.array([pfms[m].shape[1] if m else 0 for m in motif_column])
    _plant_decoys(rng, codes, np.stack([starts, ends], axis=1), decoy_ids, decoy_rate, both_strands)
    return SequenceSet(
        sequences=_to_strings(codes),
        labels=labels,
        ids=[f"simulated_{split}_{i}" for i in range(n)],
        source=f"simulated_binding ({split})",
        metadata=pd.DataFrame({"motif_id": motif_column.astype(str), "motif_start": starts}),
    )


def simulate_binding(
    n_train: int,
    n_test: int,
    motif_ids: Sequence[str],
    length: int = 101,
    occupancy: float = 1.0,
    seed: int = 0,
    *,
    both_strands: bool = False,
    decoy_ids: Sequence[str] = (),
    decoy_rate: float = 0.0,
) -> tuple[SequenceSet, SequenceSet]:
    """Balanced train and test sets with ``motif_ids`` planted in the positives (see module doc).

    The two splits are drawn independently from ``seed``; the same arguments give the same sets.
    """
    if not motif_ids:
        raise ValueError("need at least one motif id")
    if not 0 <= occupancy <= 1 or not 0 <= decoy_rate <= 1:
        raise ValueError("occupancy and decoy_rate must lie in [0, 1]")
    options = (motif_ids, length, occupancy, both_strands, decoy_ids, decoy_rate)
    train = _simulate_split(n_train, *options, seed=(seed, 0), split="train")
    test = _simulate_split(n_test, *options, seed=(seed, 1), split="test")
    return train, test


def simulate_config(config: SimulationConfig | str) -> tuple[SequenceSet, SequenceSet]:
    """The train and test sets of a named `SIMULATION_CONFIGS` entry."""
    if isinstance(config, str):
        config = SIMULATION_CONFIGS[config]
    return simulate_binding(
        config.n_train,
        config.n_test,
        config.motif_ids,
        config.length,
        config.occupancy,
        config.seed,
        both_strands=config.both_strands,
        decoy_ids=config.decoy_ids,
        decoy_rate=config.decoy_rate,
    )
