"""Planted-motif simulation: determinism, balance, planted instances, composition, decoys."""

from __future__ import annotations

import numpy as np
import pytest

from kerasbind.sequences import to_codes
from kerasbind.simulate import SIMULATION_CONFIGS, motif_pfms, simulate_binding, simulate_config

CTCF, GATA1 = "MA0139.2", "MA0035.5"


def _window_loglik(sequences: list[str], starts: np.ndarray, pfm: np.ndarray) -> np.ndarray:
    """Log-likelihood of the forward PFM over each sequence's window at ``starts``."""
    width = pfm.shape[1]
    codes = to_codes(sequences, len(sequences[0])).astype(np.int64)
    windows = codes[np.arange(len(sequences))[:, None], starts[:, None] + np.arange(width)]
    return np.log(pfm[windows, np.arange(width)] + 1e-3).sum(axis=1)


def _best_match(sequences: list[str], pfm: np.ndarray) -> np.ndarray:
    """Best forward log-odds (against uniform) of ``pfm`` anywhere in each sequence."""
    width = pfm.shape[1]
    codes = to_codes(sequences, len(sequences[0])).astype(np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(codes, width, axis=1)
    scores = np.log(pfm[windows, np.arange(width)] + 1e-3).sum(axis=2) - width * np.log(0.25)
    return scores.max(axis=1)


def test_motif_pfms_are_probability_matrices() -> None:
    pfms = motif_pfms([CTCF, GATA1])
    assert pfms[CTCF].shape == (4, 15)
    np.testing.assert_allclose(pfms[GATA1].sum(axis=0), 1.0)


def test_same_arguments_same_sets_and_seed_changes_them() -> None:
    first = simulate_binding(200, 100, [CTCF], seed=3)
    again = simulate_binding(200, 100, [CTCF], seed=3)
    other = simulate_binding(200, 100, [CTCF], seed=4)
    for a, b in zip(first, again, strict=True):
        assert a.sequences == b.sequences
        np.testing.assert_array_equal(a.labels, b.labels)
        assert a.metadata.equals(b.metadata)
    assert first[0].sequences != other[0].sequences
    assert first[0].sequences != first[1].sequences[:100]


def test_splits_are_balanced_fixed_length_dna() -> None:
    train, test = simulate_binding(400, 101, [CTCF], length=80)
    assert (len(train), train.n_positive, len(test), test.n_positive) == (400, 200, 101, 50)
    assert set(train.lengths) == {80}
    assert set("".join(train.sequences)) <= set("ACGT")


def test_planted_instances_sit_where_metadata_says() -> None:
    train, _ = simulate_binding(400, 10, [CTCF])
    pfm = motif_pfms([CTCF])[CTCF]
    planted = train.metadata.motif_start.to_numpy() >= 0
    np.testing.assert_array_equal(planted, train.labels == 1)  # occupancy 1: every positive
    assert set(train.metadata.motif_id[planted]) == {CTCF}
    sequences = [train.sequences[i] for i in np.flatnonzero(planted)]
    at_start = _window_loglik(sequences, train.metadata.motif_start[planted].to_numpy(), pfm)
    shifted = _window_loglik(
        sequences, (train.metadata.motif_start[planted].to_numpy() + 40) % 80, pfm
    )
    assert np.median(at_start) > np.median(shifted) + 10


def test_classes_share_composition_but_not_the_motif() -> None:
    train, _ = simulate_binding(2000, 10, [CTCF], seed=1)
    gc = np.array([(s.count("G") + s.count("C")) / len(s) for s in train.sequences])
    positive = train.labels == 1
    assert abs(gc[positive].mean() - gc[~positive].mean()) < 0.01
    best = _best_match(train.sequences, motif_pfms([CTCF])[CTCF])
    assert np.median(best[positive]) > np.median(best[~positive]) + 5


def test_occupancy_and_strands() -> None:
    train, _ = simulate_binding(4000, 10, [CTCF], occupancy=0.5, both_strands=True, seed=2)
    positive = train.labels == 1
    planted = train.metadata.motif_start.to_numpy() >= 0
    assert 0.45 < planted[positive].mean() < 0.55
    assert not planted[~positive].any()
    pfm = motif_pfms([CTCF])[CTCF]
    sequences = [train.sequences[i] for i in np.flatnonzero(planted)]
    starts = train.metadata.motif_start[planted].to_numpy()
    forward = _window_loglik(sequences, starts, pfm)
    reverse = _window_loglik(sequences, starts, pfm[::-1, ::-1])  # reverse complement
    assert 0.4 < (forward > reverse).mean() < 0.6


def test_decoys_are_planted_in_both_classes_alike() -> None:
    train, _ = simulate_binding(4000, 10, [CTCF], decoy_ids=[GATA1], decoy_rate=0.5, seed=5)
    best = _best_match(train.sequences, motif_pfms([GATA1])[GATA1])
    positive = train.labels == 1
    strong = best > np.quantile(best, 0.6)
    assert abs(strong[positive].mean() - strong[~positive].mean()) < 0.05
    # and the real motif survives the decoys in every positive
    real = _best_match(train.sequences, motif_pfms([CTCF])[CTCF])
    assert np.median(real[positive]) > np.median(real[~positive]) + 5


def test_named_configs_build() -> None:
    assert next(iter(SIMULATION_CONFIGS)) == "easy"  # the default dataset config
    train, test = simulate_config("hard")
    assert (len(train), len(test)) == (4000, 1000)
    assert set(train.metadata.motif_id) == {"", "MA0093.4", "MA0079.5"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"motif_ids": []},
        {"motif_ids": [CTCF], "occupancy": 1.5},
        {"motif_ids": [CTCF], "length": 10},
    ],
)
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        simulate_binding(10, 10, **kwargs)
