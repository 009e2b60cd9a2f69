"""`kerasbind prepare` end to end: real files, shuffled negatives, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kerasbind.cli import main
from kerasbind.readers import read_sequences, read_text

FILES = Path(__file__).parent / "files"


def dinucleotide_totals(sequences: list[str]) -> np.ndarray:
    """Summed counts of every byte pair inside the sequences (not across their joins)."""
    joined = np.frombuffer("".join(sequences).encode(), dtype=np.uint8).astype(np.int64)
    pairs = joined[:-1] * 256 + joined[1:]
    joins = np.cumsum([len(s) for s in sequences])[:-1] - 1
    return np.bincount(np.delete(pairs, joins), minlength=256 * 256)


def test_prepare_tsv_in_the_users_alphabet(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "rna.tsv"
    assert main(["prepare", "--input", str(FILES / "rna.fa"), "--output", str(out)]) == 0
    assert read_text(out) == "sequence\tid\nACGUACGUACGU\tfirst\nUUGGAACCNN\tsecond\n"
    assert capsys.readouterr().out == f"wrote {out}: 2 sequences (unlabelled)\n"


def test_prepare_clip_file(
    tmp_path: Path, capsys: pytest.CaptureFixture, pum2_files: tuple[Path, Path]
) -> None:
    out = tmp_path / "pum2.tsv.gz"
    assert main(["prepare", "--input", str(pum2_files[1]), "--output", str(out)]) == 0
    seqset = read_sequences(out, "tsv")
    assert len(seqset) == 10_000 and 1_800 <= seqset.n_positive <= 2_200
    # the iONMF coordinates stay in the id column: '> chr1,+,368294,368394; class:0'
    assert seqset.ids == read_sequences(pum2_files[1]).ids
    assert seqset.ids[0] == "chr1:368294-368394(+)"
    assert "10000 sequences" in capsys.readouterr().out


def test_prepare_chip_file_with_shuffled_negatives(
    tmp_path: Path, usf1_files: tuple[Path, Path]
) -> None:
    out = tmp_path / "usf1.tsv.gz"
    argv = [
        "prepare",
        "--input",
        str(usf1_files[0]),
        "--negatives",
        "shuffle",
        "--seed",
        "7",
        "--output",
        str(out),
    ]
    assert main(argv) == 0
    seqset = read_sequences(out)
    n_source = len(read_sequences(usf1_files[0]))
    assert len(seqset) == 2 * n_source and seqset.n_positive == n_source
    positives = [s for s, label in zip(seqset.sequences, seqset.labels, strict=True) if label]
    negatives = [s for s, label in zip(seqset.sequences, seqset.labels, strict=True) if not label]
    assert np.array_equal(dinucleotide_totals(negatives), dinucleotide_totals(positives))
    assert sum(a != b for a, b in zip(positives, negatives, strict=True)) == n_source


def test_prepare_bed_with_genome(tmp_path: Path) -> None:
    genome = tmp_path / "genome.fa"
    genome.write_bytes((FILES / "genome.fa").read_bytes())
    out = tmp_path / "peaks.tsv"
    argv = [
        "prepare",
        "--input",
        str(FILES / "peaks.bed"),
        "--genome",
        str(genome),
        "--window",
        "11",
        "--negatives",
        "shuffle",
        "--output",
        str(out),
    ]
    assert main(argv) == 0
    assert read_sequences(out).labels.tolist() == [1, 1, 1, 0, 0, 0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sequence\tlabel\nACGT\t1\nACGT\t0\nAC*T\t1\n", ":4: invalid character '*' at position 3"),
        ("", ": file is empty"),
        (">a\nACGT\n>b\n", ":3: FASTA record '>b' has no sequence"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture, content: str, message: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(content)
    out = tmp_path / "out.tsv"
    assert main(["prepare", "--input", str(bad), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kerasbind prepare: error: {bad}{message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_duplicate_ids_warn_in_one_line_or_fail_with_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    fasta = tmp_path / "dup.fa"
    fasta.write_text(">a\nACGT\n>a\nACGA\n")
    out = tmp_path / "dup.tsv"
    assert main(["prepare", "--input", str(fasta), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"kerasbind prepare: warning: {fasta}:3: duplicate id 'a' (first at line 1); "
        "1 record(s) repeat an earlier id\n"
    )
    out.unlink()
    assert main(["prepare", "--input", str(fasta), "--output", str(out), "--strict"]) == 2
    assert capsys.readouterr().err.startswith(f"kerasbind prepare: error: {fasta}:3: duplicate id")
    assert not out.exists()
