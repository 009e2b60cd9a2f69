"""The dinucleotide shuffle keeps exact counts and ends, is seeded, uniform, and never hangs."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerasbind.sequences import SequenceSet
from kerasbind.shuffle import add_shuffled_negatives, dinucleotide_shuffle, shuffle_with_flags


def dinucleotides(sequence: str) -> Counter[str]:
    return Counter(sequence[i : i + 2] for i in range(len(sequence) - 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ACGTNRa-", max_size=120), max_size=20), st.integers(0, 2**31))
def test_shuffle_keeps_dinucleotides_and_ends(sequences: list[str], seed: int) -> None:
    shuffled = dinucleotide_shuffle(sequences, seed)
    assert len(shuffled) == len(sequences)
    for source, result in zip(sequences, shuffled, strict=True):
        assert len(result) == len(source)
        assert dinucleotides(result) == dinucleotides(source)
        assert result[:1] == source[:1] and result[-1:] == source[-1:]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="ACGT", min_size=2, max_size=60), min_size=1, max_size=10))
def test_shuffle_is_seeded(sequences: list[str]) -> None:
    assert dinucleotide_shuffle(sequences, 5) == dinucleotide_shuffle(sequences, 5)


def test_different_seeds_give_different_shuffles() -> None:
    sequences = ["".join(np.random.default_rng(1).choice(list("ACGT"), 101))] * 4
    assert dinucleotide_shuffle(sequences, 1) != dinucleotide_shuffle(sequences, 2)
    assert len(set(dinucleotide_shuffle(sequences, 1))) == 4  # one stream, four new walks


def test_unchangeable_sequences_are_flagged_not_looped() -> None:
    sequences = ["ACACACAC", "AAAA", "AC", "", "A", "AACGTTA"]
    shuffled, unchanged = shuffle_with_flags(sequences, seed=0)
    assert shuffled[:5] == sequences[:5]
    assert unchanged.tolist() == [True, True, True, True, True, False]
    assert shuffled[5] == "ACGTTAA"  # its only other Eulerian walk


def eulerian_walks(sequence: str) -> set[str]:
    """All sequences with the same dinucleotides and ends (brute force, short input only)."""
    first, last = sequence[0], sequence[-1]
    middle = sorted(sequence[1:-1])
    walks = set()
    for order in set(itertools.permutations(middle)):
        candidate = first + "".join(order) + last
        if dinucleotides(candidate) == dinucleotides(sequence):
            walks.add(candidate)
    return walks


def test_shuffles_are_uniform_over_the_other_walks() -> None:
    source = "ACAGATCAGA"
    others = eulerian_walks(source) - {source}
    assert len(others) > 5
    counts = Counter(dinucleotide_shuffle([source] * 20_000, seed=3))
    assert set(counts) <= others | {source}
    frequencies = np.array([counts[walk] for walk in others], dtype=float)
    assert frequencies.min() > 0.8 * frequencies.mean()
    assert frequencies.max() < 1.2 * frequencies.mean()


def test_add_shuffled_negatives_labels_ids_and_counts() -> None:
    positives = SequenceSet(
        ["ACGTTGCAAGT", "GGATCCATTAG"], labels=np.array([1, 1]), ids=["a", "b"], source="test"
    )
    doubled = add_shuffled_negatives(positives, ratio=2, seed=0)
    assert doubled.labels.tolist() == [1, 1, 0, 0, 0, 0]
    assert doubled.ids[2:] == ["a_shuf1", "b_shuf1", "a_shuf2", "b_shuf2"]
    for i, j in [(2, 0), (3, 1), (4, 0), (5, 1)]:
        assert dinucleotides(doubled.sequences[i]) == dinucleotides(doubled.sequences[j])
    half = add_shuffled_negatives(positives, ratio=0.5, seed=0)
    assert half.labels.tolist() == [1, 1, 0]


def test_add_shuffled_negatives_uses_only_positives_or_all_of_an_unlabelled_set() -> None:
    mixed = SequenceSet(["ACGTTGCAAGT", "GGATCCATTAG"], labels=np.array([0, 1]), ids=["n", "p"])
    assert add_shuffled_negatives(mixed).ids == ["n", "p", "p_shuf1"]
    unlabelled = SequenceSet(["ACGTTGCAAGT", "GGATCCATTAG"])
    assert add_shuffled_negatives(unlabelled).labels.tolist() == [1, 1, 0, 0]


def test_unchangeable_positives_make_no_negative() -> None:
    periodic = SequenceSet(["ACACACAC", "GGATCCATTAG"], labels=np.array([1, 1]))
    with pytest.warns(UserWarning, match="1 sequence"):
        result = add_shuffled_negatives(periodic)
    assert result.ids == ["seq1", "seq2", "seq2_shuf1"]


SHUFFLE_IN_A_FRESH_PROCESS = """
import os, sys, tempfile
tempfile.tempdir = sys.argv[1]  # where the temporary directory is, writable or not
from kerasbind.shuffle import dinucleotide_shuffle
print(dinucleotide_shuffle(["ACGTTGCAAGT"], seed=0)[0], os.environ.get("NUMBA_CACHE_DIR", ""))
"""


@pytest.mark.parametrize("temporary_writable", [True, False], ids=["temp-dir", "no-cache"])
def test_shuffle_works_for_a_user_whose_home_is_not_writable(
    tmp_path: Path, temporary_writable: bool
) -> None:
    """HOME lies under a plain file (not writable even for root) and the installed package's
    folder is taken as read-only (numba's in-tree cache locator is left out, as it is for a
    package installed by root): the cache falls back to a private folder in the temporary
    directory, or, when that is not writable either, numba compiles without a cache."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")
    }
    temporary = tmp_path / "tmp" if temporary_writable else blocker / "tmp"
    environment.update(
        HOME=str(blocker / "home"),
        NUMBA_CACHE_LOCATOR_CLASSES="UserProvidedCacheLocator,UserWideCacheLocator",
    )
    if temporary_writable:
        temporary.mkdir()
    ran = subprocess.run(
        [sys.executable, "-c", SHUFFLE_IN_A_FRESH_PROCESS, str(temporary)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    shuffled, cache = ran.stdout.split()[0], ran.stdout.split()[1:]
    assert dinucleotides(shuffled) == dinucleotides("ACGTTGCAAGT")
    if temporary_writable:
        assert cache == [str(temporary / f"kerasbind-numba-{os.getuid()}")]
        assert any(Path(cache[0]).rglob("*.nbi")), "nothing was cached"
    else:
        assert cache == []
