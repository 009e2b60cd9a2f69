"""Canonical sequences, the fixed-length policy and SequenceSet."""

import numpy as np
import pytest

from kerasbind.sequences import (
    UNKNOWN_CODE,
    SequenceError,
    SequenceSet,
    canonicalise,
    detect_alphabet,
    to_codes,
    to_user_alphabet,
)


def test_canonicalise_upper_cases_and_reads_u_as_t():
    assert canonicalise(["acgu", "NnRy", "ACGT"]) == ["ACGT", "NNRY", "ACGT"]


def test_canonicalise_names_the_first_bad_character():
    with pytest.raises(SequenceError) as caught:
        canonicalise(["ACGT", "AC-GT", "XX"])
    assert (caught.value.index, caught.value.position, caught.value.character) == (1, 2, "-")


def test_non_ascii_character_is_reported_not_crashed():
    with pytest.raises(SequenceError) as caught:
        canonicalise(["ACGTé"])
    assert caught.value.character == "é"


def test_codes_of_equal_length_sequences():
    codes = to_codes(["ACGT", "tgca"], 4)
    np.testing.assert_array_equal(codes, [[0, 1, 2, 3], [3, 2, 1, 0]])


def test_ambiguity_codes_become_unknown():
    assert to_codes(["NRYA"], 4).tolist() == [[UNKNOWN_CODE] * 3 + [0]]


@pytest.mark.parametrize(
    ("sequence", "length", "expected"),
    [
        ("AACCGGT", 3, "CCG"),  # 7 -> 3: start floor(4/2) = 2
        ("AACCGG", 3, "ACC"),  # 6 -> 3: start floor(3/2) = 1
        ("AC", 5, "NNACN"),  # 2 -> 5: start floor(-3/2) = -2 -> two Ns on the left
        ("ACG", 4, "NACG"),  # 3 -> 4: start floor(-1/2) = -1
    ],
)
def test_centre_trim_and_pad_rule(sequence, length, expected):
    start = (len(sequence) - length) // 2
    window = "".join(
        sequence[i] if 0 <= i < len(sequence) else "N" for i in range(start, start + length)
    )
    letters = np.array(list("ACGTN"))
    got = "".join(letters[to_codes([sequence, "A" * 9], length)[0]])
    assert got == window
    assert got == expected


def test_mixed_lengths_match_one_by_one():
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGTN"), size=n)) for n in rng.integers(1, 30, 200)]
    batch = to_codes(sequences, 17)
    for row, sequence in zip(batch, sequences, strict=True):
        np.testing.assert_array_equal(row, to_codes([sequence], 17)[0])


def test_alphabet_round_trip():
    assert detect_alphabet(["ACGU", "UUAG"]) == "RNA"
    assert detect_alphabet(["ACGT"]) == "DNA"
    assert to_user_alphabet(["ACGT"], "RNA") == ["ACGU"]


def test_sequence_set_subset_concat_and_single_class_refusal():
    from kerasbind.errors import KerasbindError

    data = SequenceSet(["AAA", "CCC", "GGG"], labels=[1, 0, 1], source="x.tsv")
    part = data.subset([2, 0])
    assert part.sequences == ["GGG", "AAA"] and part.labels.tolist() == [1, 1]
    assert len(data.concat(part)) == 5 and data.n_positive == 2
    with pytest.raises(KerasbindError, match="single class"):
        part.require_both_classes()
