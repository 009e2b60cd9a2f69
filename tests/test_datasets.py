"""The data gate: files, TFDS names, DataFrames or lists of strings, shuffled negatives, and
refusing unusable training sets."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kerasbind.cli.common import add_seed_argument, add_training_data_arguments, training_data
from kerasbind.datasets import as_sequence_set, load_sequence_set, read_dataset
from kerasbind.errors import KerasbindError

FILES = Path(__file__).parent / "files"
DUMMY_CHIP = Path(__file__).resolve().parents[1] / "tfds_builders" / "chip_seq" / "dummy_data"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_training_data_arguments(parser)
    add_seed_argument(parser)
    return parser.parse_args(list(argv))


def load_training_and_test(args: argparse.Namespace):
    """What ``train`` and ``tune`` do with their data options: read, then shuffle and check."""
    options = {"negatives": args.negatives, "neg_ratio": args.neg_ratio, "seed": args.seed}
    train, test = training_data(args)
    return (
        load_sequence_set(train, **options),
        None if test is None else load_sequence_set(test, **options),
    )


@pytest.fixture()
def positives_only(tmp_path: Path) -> Path:
    path = tmp_path / "ac.seq"
    path.write_text(
        "FoldID\tEventID\tseq\tBound\n"
        "A\tp1\tACGTTGCAAGTCCA\t1\nC\tp2\tGGATCCATTAGCAT\t1\nA\tp3\tTTGACCAGTACGGA\t1\n"
    )
    return path


def test_positives_only_set_asks_for_shuffled_negatives(positives_only: Path) -> None:
    with pytest.raises(KerasbindError, match="add --negatives shuffle"):
        load_sequence_set(positives_only)


def test_unlabelled_set_asks_for_labels() -> None:
    with pytest.raises(KerasbindError, match="has no labels"):
        load_sequence_set(FILES / "rna.fa")
    assert load_sequence_set(FILES / "rna.fa", require_labels=False).labels is None


def test_shuffled_negatives_balance_the_set(positives_only: Path) -> None:
    seqset = load_sequence_set(positives_only, negatives="shuffle", neg_ratio=2, seed=4)
    assert seqset.labels.tolist() == [1] * 3 + [0] * 6
    assert seqset.ids[3:6] == ["p1_shuf1", "p2_shuf1", "p3_shuf1"]
    assert seqset.metadata["fold"].tolist()[3:6] == ["A", "C", "A"]


def test_a_set_with_negatives_is_not_shuffled_again() -> None:
    seqset = load_sequence_set(FILES / "chip.seq", negatives="shuffle")
    assert len(seqset) == 2


def test_train_and_test_files(positives_only: Path) -> None:
    args = parse(
        "--train",
        str(positives_only),
        "--test",
        str(FILES / "train.tsv"),
        "--negatives",
        "shuffle",
        "--seed",
        "3",
    )
    train, test = load_training_and_test(args)
    assert train.labels.tolist() == [1, 1, 1, 0, 0, 0]
    assert test.labels.tolist() == [1, 0, 1]
    again, _ = load_training_and_test(args)
    assert again.sequences == train.sequences


def test_without_test_file_there_is_no_test_set() -> None:
    train, test = load_training_and_test(parse("--train", str(FILES / "train.tsv")))
    assert len(train) == 3 and test is None


def test_positives_only_training_file_is_refused(positives_only: Path) -> None:
    with pytest.raises(KerasbindError, match="all 3 sequences are positives"):
        load_training_and_test(parse("--train", str(positives_only)))


def test_dataset_name_loads_train_and_test_splits(tmp_path: Path) -> None:
    """A real TFDS build (chip_seq on its dummy files): train has negatives, test as given."""
    common = ["--data-dir", str(tmp_path), "--manual-dir", str(DUMMY_CHIP)]
    name = "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha"
    train, test = load_training_and_test(parse("--dataset", name, *common))
    assert 0 < train.n_positive < len(train)
    assert test is not None and 0 < test.n_positive < len(test)

    _, test = load_training_and_test(
        parse("--dataset", name, "--test", str(FILES / "train.tsv"), *common)
    )
    assert len(test) == 3


def test_one_input_set_from_a_file_or_a_dataset(tmp_path: Path) -> None:
    """``--input FILE | --dataset NAME`` (motifs): a file as read, or a dataset's test split."""
    from kerasbind.cli.common import add_sequence_input_arguments, input_set

    parser = argparse.ArgumentParser()
    add_sequence_input_arguments(parser)
    from_file = input_set(parser.parse_args(["--input", str(FILES / "train.tsv")]))
    assert len(from_file) == 3
    name = "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha"
    common = ["--data-dir", str(tmp_path), "--manual-dir", str(DUMMY_CHIP)]
    test = input_set(parser.parse_args(["--dataset", name, *common]))
    assert test.source.endswith("[test]") and 0 < test.n_positive < len(test)
    same = read_dataset(name, "test", data_dir=tmp_path, manual_dir=DUMMY_CHIP)
    assert same.sequences == test.sequences


def test_dataframes_and_lists_of_strings_are_sets() -> None:
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "sequence": ["acgu", "GGCU", "UUAN"], "label": [1, 0, 1]}
    )
    from_frame = as_sequence_set(frame)
    assert from_frame.sequences == ["ACGT", "GGCT", "TTAN"] and from_frame.alphabet == "RNA"
    assert from_frame.ids == ["a", "b", "c"] and from_frame.labels.tolist() == [1, 0, 1]
    from_list = as_sequence_set(["ACGT", "GGCA"], [0, 1])
    assert from_list.labels.dtype == np.int8 and from_list.ids == ["seq1", "seq2"]
    assert as_sequence_set(["ACGT"]).labels is None


@pytest.mark.parametrize(
    ("source", "labels", "message"),
    [
        (["ACGT", "AXGT"], None, "sequence 2: invalid character 'X' at position 2"),
        (["ACGT", ""], None, "sequence 2 is empty"),
        (["ACGT", "ACGA"], [1, 2], "labels must be one 0 or 1 per sequence"),
        (["ACGT", "ACGA"], [1], "labels must be one 0 or 1 per sequence"),
        (pd.DataFrame({"seq": ["ACGT"]}), None, "needs a 'sequence' column"),
        (42, None, "cannot read sequences from a int"),
    ],
)
def test_bad_in_memory_sequences_are_named(source, labels, message: str) -> None:
    with pytest.raises(KerasbindError, match=message):
        as_sequence_set(source, labels)


@pytest.mark.parametrize("ratio", [float("nan"), float("inf"), 0.0, -1.0])
def test_negative_ratio_must_be_a_positive_number(positives_only: Path, ratio: float) -> None:
    with pytest.raises(KerasbindError, match="--neg-ratio must be a positive number"):
        load_sequence_set(positives_only, negatives="shuffle", neg_ratio=ratio)
