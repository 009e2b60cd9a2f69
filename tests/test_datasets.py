"""The data gate: files or TFDS names, shuffled negatives, and refusing unusable training sets."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kerasbind.cli.common import add_seed_argument, add_training_data_arguments
from kerasbind.datasets import load_sequence_set, load_training_and_test
from kerasbind.errors import KerasbindError

FILES = Path(__file__).parent / "files"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_training_data_arguments(parser)
    add_seed_argument(parser)
    return parser.parse_args(list(argv))


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
    manual = Path(__file__).resolve().parents[1] / "tfds_builders" / "chip_seq" / "dummy_data"
    common = ["--data-dir", str(tmp_path), "--manual-dir", str(manual)]
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
    from kerasbind.cli.common import add_sequence_input_arguments
    from kerasbind.datasets import load_input_set

    parser = argparse.ArgumentParser()
    add_sequence_input_arguments(parser)
    from_file = load_input_set(parser.parse_args(["--input", str(FILES / "train.tsv")]))
    assert len(from_file) == 3
    manual = Path(__file__).resolve().parents[1] / "tfds_builders" / "chip_seq" / "dummy_data"
    args = parser.parse_args(
        [
            "--dataset",
            "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha",
            "--data-dir",
            str(tmp_path),
            "--manual-dir",
            str(manual),
        ]
    )
    test = load_input_set(args)
    assert test.source.endswith("[test]") and 0 < test.n_positive < len(test)
