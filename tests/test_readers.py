"""Every reader on small fixture files and on the real benchmark files, and every bad input."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from kerasbind.errors import InputError, KerasbindError
from kerasbind.readers import detect_format, read_sequences, read_text, write_tsv
from kerasbind.sequences import SequenceSet

FILES = Path(__file__).parent / "files"


@pytest.fixture()
def genome(tmp_path: Path) -> Path:
    """The tiny genome, copied so that pyfaidx's index is written outside the repository."""
    return Path(shutil.copy(FILES / "genome.fa", tmp_path / "genome.fa"))


def genome_sequence(chrom: str) -> str:
    records = FILES.joinpath("genome.fa").read_text().split(">")[1:]
    found = {r.split("\n", 1)[0].split()[0]: r.split("\n", 1)[1].replace("\n", "") for r in records}
    return found[chrom].upper()


def reverse_complement(sequence: str) -> str:
    return sequence[::-1].translate(str.maketrans("ACGT", "TGCA"))


def test_tsv() -> None:
    seqset = read_sequences(FILES / "train.tsv")
    assert seqset.sequences == ["ACGTACGTAA", "ACGTNNACGG", "TTTTGGGGCC"]
    assert seqset.labels.tolist() == [1, 0, 1]
    assert seqset.alphabet == "DNA" and seqset.source.endswith("train.tsv")


def test_one_column_tsv_is_unlabelled(tmp_path: Path) -> None:
    path = tmp_path / "seqs.tsv"
    path.write_text("sequence\nACGU\nGGCU\n")
    seqset = read_sequences(path)
    assert seqset.labels is None and seqset.sequences == ["ACGT", "GGCT"]
    assert seqset.alphabet == "RNA"


def test_deepbind() -> None:
    seqset = read_sequences(FILES / "chip.seq")
    assert seqset.ids == ["seq_00001_peak", "seq_00002_peak"]
    assert seqset.labels.tolist() == [1, 0]
    assert seqset.metadata["fold"].tolist() == ["A", "B"]
    assert seqset.metadata["event"].tolist() == seqset.ids


def test_ionmf_wrapped_lines_and_metadata() -> None:
    seqset = read_sequences(FILES / "clip.fa")
    assert seqset.sequences == ["ACGTACGTACGTTT", "ACGTNACGTA"]
    assert seqset.labels.tolist() == [1, 0]
    assert seqset.metadata.to_dict("list") == {
        "chrom": ["chr1", "chr2"],
        "strand": ["+", "-"],
        "start": [368294, 100],
        "end": [368394, 110],
    }
    assert seqset.ids[0] == "chr1:368294-368394(+)"


def test_plain_fasta_rna() -> None:
    seqset = read_sequences(FILES / "rna.fa")
    assert seqset.ids == ["first", "second"]
    assert seqset.sequences == ["ACGTACGTACGT", "TTGGAACCNN"]
    assert seqset.labels is None and seqset.alphabet == "RNA"
    assert seqset.user_sequences()[0] == "ACGUACGUACGU"


def test_bed_centres_and_reverse_complements(genome: Path) -> None:
    seqset = read_sequences(FILES / "peaks.bed", genome=genome, window=11)
    chr1, chr2 = genome_sequence("chr1"), genome_sequence("chr2")
    assert seqset.sequences == [chr1[100:111], reverse_complement(chr1[145:156]), chr2[15:26]]
    assert seqset.ids == ["peak1", "peak2", "chr2:15-26(+)"]
    assert seqset.metadata["strand"].tolist() == ["+", "-", "+"]
    assert seqset.labels is None


def test_narrowpeak_uses_the_summit(genome: Path) -> None:
    seqset = read_sequences(FILES / "peaks.narrowPeak", genome=genome, window=21)
    chr1, chr2 = genome_sequence("chr1"), genome_sequence("chr2")
    assert seqset.sequences == [chr1[140:161], reverse_complement(chr2[40:61])]


def test_gzip_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "no_suffix"
    path.write_bytes(gzip.compress((FILES / "clip.fa").read_bytes()))
    assert read_sequences(path).labels.tolist() == [1, 0]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("train.tsv", "tsv"),
        ("chip.seq", "deepbind"),
        ("clip.fa", "ionmf"),
        ("rna.fa", "fasta"),
        ("peaks.bed", "bed"),
        ("peaks.narrowPeak", "bed"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    path = FILES / name
    assert detect_format(path, read_text(path)) == fmt


def test_forced_format_reads_ionmf_as_plain_fasta() -> None:
    seqset = read_sequences(FILES / "clip.fa", "fasta")
    assert seqset.labels is None and seqset.ids[0] == "chr1,+,368294,368394;"


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("", None, "file is empty"),
        ("\n  \n", None, "file is empty"),
        ("ACGT\t1\nACGT\t0\n", 1, "missing header"),
        ("sequence\tlabel\n", 1, "no sequences after the header"),
        ("sequence\tlabel\nACGT\t1\nACGT\t0\textra\n", 3, "2 tab-separated column(s), found 3"),
        ("sequence\tlabel\nACGT\t1\n\nACGT\t2\n", 4, "label '2' is not 0 or 1"),
        ("sequence\tlabel\nACGT\t1\nAC GT\t0\n", 3, "invalid character ' ' at position 3"),
        ("sequence\tlabel\nACGT\t1\n\t0\n", 3, "empty sequence"),
        ("FoldID\tEventID\tseq\tBound\nA\te1\tACGT\tyes\n", 2, "label 'yes' is not 0 or 1"),
        (">a\nACGT\n>b\n>c\nACGT\n", 3, "FASTA record '>b' has no sequence"),
        (">a\nACGT\nACGT\nACxT\n", 4, "invalid character 'x' at position 11"),
        (">a\nACGT\n>b\nAC\u00e9T\n", 4, "invalid character '\u00e9'"),
        ("> chr1,+,1,10; class:1\nACGT\n> chr1,+,1,10; class:2\nACGT\n", 3, "label '2'"),
        ("> chr1,+,1,10; class:1\nACGT\n> chr1 no fields\nACGT\n", 3, "not an iONMF header"),
    ],
)
def test_bad_input_names_file_line_and_problem(
    tmp_path: Path, content: str, line: int | None, problem: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sequences(path)
    assert caught.value.line == line
    assert problem in caught.value.problem
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(path))


def test_deepbind_needs_its_header(tmp_path: Path) -> None:
    path = tmp_path / "chip.seq"
    path.write_text("A\te1\tACGT\t1\n")
    with pytest.raises(InputError, match="missing header 'FoldID"):
        read_sequences(path, "deepbind")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("chr1\t290\t300\tp\t0\t+", "lies outside the genome"),
        ("chr1\t0\t4\tp\t0\t+", "lies outside the genome"),
        ("chrX\t10\t20\tp\t0\t+", "chromosome 'chrX' is not in the genome"),
        ("chr1\tten\t20", "whole numbers"),
        ("chr1\t30\t20", "bad interval"),
    ],
)
def test_bad_bed_line(tmp_path: Path, genome: Path, line: str, problem: str) -> None:
    path = tmp_path / "peaks.bed"
    path.write_text(f"track name=test\nchr1\t100\t111\n{line}\n")
    with pytest.raises(InputError, match=problem) as caught:
        read_sequences(path, "bed", genome=genome, window=11)
    assert caught.value.line == 3


def test_bed_needs_a_genome() -> None:
    with pytest.raises(KerasbindError, match="--genome"):
        read_sequences(FILES / "peaks.bed")


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(KerasbindError, match="cannot read"):
        read_sequences(tmp_path / "absent.tsv")


@pytest.mark.parametrize("name", ["out.tsv", "out.tsv.gz"])
def test_write_tsv_round_trip_in_the_users_alphabet(tmp_path: Path, name: str) -> None:
    seqset = SequenceSet(["ACGT", "TTNA"], labels=np.array([1, 0]), alphabet="RNA")
    write_tsv(seqset, tmp_path / name)
    assert read_text(tmp_path / name) == "sequence\tlabel\nACGU\t1\nUUNA\t0\n"
    assert read_sequences(tmp_path / name).sequences == seqset.sequences
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_real_clip_file(pum2_files: tuple[Path, Path]) -> None:
    seqset = read_sequences(pum2_files[1])
    assert len(seqset) == 10_000
    assert 1_800 <= seqset.n_positive <= 2_200
    assert set(seqset.lengths) == {101}
    assert list(seqset.metadata.columns) == ["chrom", "strand", "start", "end"]


def test_real_chip_files(usf1_files: tuple[Path, Path]) -> None:
    training, test = (read_sequences(path) for path in usf1_files)
    assert training.n_positive == len(training) > 10_000
    assert test.n_positive == 500 and len(test) == 1_000


# ---------------------------------------------------------------- issue 9 / 10: no silent changes

IONMF_OK = "> chr1,+,1,10; class:1\nACGT\n> chr1,+,20,30; class:0\nGGCC\n"


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        # a malformed *first* iONMF header: an error, not an unlabelled FASTA file
        ("> chr1,+,1,10; class: 0\nACGT\n" + IONMF_OK, 1, "label ' 0' is not 0 or 1"),
        ("> chr1,+,1,10 class:0\nACGT\n" + IONMF_OK, 1, "not an iONMF header"),
        (">seq1\nACGT\n" + IONMF_OK, 1, "not an iONMF header: '>seq1'"),
        # odd white space in a header: one line naming it (was StopIteration)
        (">\u00a0chr1,+,1,10;\u00a0class:0\nACGT\n" + IONMF_OK, 1, "'>\\xa0chr1"),
        ("> chr1,+,1,10;\x0bclass:0\nACGT\n" + IONMF_OK, 1, "\\x0bclass:0"),
        (IONMF_OK + "> chr1,+,1,10;\u00a0class:0\nACGT\n", 5, "not an iONMF header"),
        # a headerless TSV whose first row is data: refused, not read without that row
        ("ACGT\t1.0\nGGCC\t0\n", 1, "missing header"),
        ("ACGTXACGTT\t1\nGGCC\t0\n", 1, "missing header"),
        # characters that str.strip() or NumPy would drop are rejected like any other
        ("sequence\tlabel\nACGT\x00\t1\n", 2, "invalid character '\\x00' at position 5"),
        (">a\nACGT\x00\n", 2, "invalid character '\\x00'"),
        (">a\nACGT\x85\n", 2, "invalid character '\\x85'"),
        (">a\nAC\u2028GT\n", 2, "invalid character '\\u2028' at position 3"),
        (">a\nACGT\n\x0b\nACGT\n", 3, "invalid character '\\x0b'"),
        ("sequence\tlabel\nACGT\t1\x0b\n", 2, "label '1\\x0b' is not 0 or 1"),
    ],
)
def test_malformed_input_is_an_error_at_its_line(
    tmp_path: Path, content: str, line: int, problem: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sequences(path)
    assert caught.value.line == line
    assert problem in caught.value.problem
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["train.tsv", "chip.seq", "clip.fa", "rna.fa"])
def test_utf8_bom_is_accepted(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + (FILES / name).read_bytes())
    with_bom, plain = read_sequences(path), read_sequences(FILES / name)
    assert with_bom.sequences == plain.sequences and with_bom.ids == plain.ids
    assert (with_bom.labels is None) == (plain.labels is None)
    if plain.labels is not None:
        assert with_bom.labels.tolist() == plain.labels.tolist()


def test_format_detection_says_what_it_saw(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# My notes\n\nSome prose, not sequences.\n")
    with pytest.raises(KerasbindError) as caught:
        read_sequences(path)
    message = str(caught.value)
    assert message == (
        f"cannot tell the format of {path} (line 1 looks like a comment or a Markdown heading: "
        "'# My notes'); use --format tsv|deepbind|ionmf|fasta|bed"
    )
    path.write_text("a\tb\tc\n1\t2\t3\n")
    with pytest.raises(KerasbindError, match="line 1 looks like a table of 3 tab-separated"):
        read_sequences(path)


def test_duplicate_ids_warn_or_fail_when_strict(tmp_path: Path) -> None:
    path = tmp_path / "dup.fa"
    path.write_text(">a\nACGT\n>b\nACGT\n>a other\nGG\n")
    with pytest.warns(UserWarning, match=r"dup.fa:5: duplicate id 'a' \(first at line 1\)"):
        seqset = read_sequences(path)
    assert seqset.ids == ["a", "b", "a"]
    with pytest.raises(InputError, match="duplicate id 'a'") as caught:
        read_sequences(path, strict=True)
    assert caught.value.line == 5
