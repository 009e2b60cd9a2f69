"""One length rule and one strand rule: the library, the command line and the SavedModel score a
sequence of any length the same way, and say which rule applied."""

from __future__ import annotations

import numpy as np
import pytest

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.scanning.strands import both_strands
from kerasbind.scanning.windows import reverse_complement, window_counts, window_table


def test_window_table_covers_every_letter_and_pads_short_sequences():
    table = window_table(np.array([101, 50, 250, 104]), 101, stride=2)
    assert list(table.counts) == [1, 1, 76, 3]
    starts = table.start[table.owner == 2]
    assert starts[0] == 0 and starts[-1] == 149 and np.all(np.diff(starts)[:-1] == 2)
    assert list(table.start[table.owner == 1]) == [-26]  # centred between N columns
    assert list(table.start[table.owner == 3]) == [0, 2, 3]
    assert list(window_counts(np.array([10, 101, 102]), 101, 1)) == [1, 1, 2]


def test_reverse_complement_keeps_unknowns():
    codes = np.array([[0, 1, 2, 3, 4]], np.uint8)
    assert reverse_complement(codes).tolist() == [[4, 0, 1, 2, 3]]


def test_rna_runs_score_one_strand():
    rna = EncoderSpec("onehot", 101, alphabet="RNA")
    assert not both_strands(rna) and both_strands(EncoderSpec("onehot", 101))
    with pytest.raises(KerasbindError, match="RNA"):
        both_strands(rna, "both")


@pytest.fixture(scope="module")
def run(ctcf_run):
    import kerasbind as kb

    return kb.load_run(ctcf_run["run_dir"])


@pytest.fixture(scope="module")
def sequences(ctcf_run) -> dict[str, str]:
    rng = np.random.default_rng(11)

    def background(n: int) -> str:
        return "".join(rng.choice(list("ACGT"), n))

    site = ctcf_run["site"]
    return {
        "off_centre": background(300) + site + background(2000 - 300 - len(site)),
        "centred": background(990) + site + background(2000 - 990 - len(site)),
        "reverse": background(1500)
        + site[::-1].translate(str.maketrans("ACGT", "TGCA"))
        + background(481),
        "plain": background(2000),
        "short": background(60),
        "exact": background(41) + site + background(41),
    }


def test_off_centre_motif_scores_as_high_as_centred(run, sequences):
    table = run.predict_table(list(sequences.values()))
    table.index = list(sequences)
    assert table.loc["off_centre", "probability"] > 0.99
    assert table.loc["off_centre", "log_odds"] == pytest.approx(
        table.loc["centred", "log_odds"], abs=1.0
    )
    # the best of 1,900 windows of background on two strands is high, but far below a site
    assert table.loc["plain", "log_odds"] < table.loc["off_centre", "log_odds"] - 3
    assert table.loc["reverse", "log_odds"] == pytest.approx(
        table.loc["centred", "log_odds"], abs=1.0
    )
    assert table.loc["reverse", "best_strand"] == "-"
    assert table.loc["off_centre", "best_strand"] == "+"
    best = table.loc["off_centre", "best_start"]  # 1-based; the window holds the site
    assert best <= 301 and best + 101 >= 301 + 19
    assert list(table["rule"]) == ["windows"] * 4 + ["padded", "exact"]
    assert list(table["windows"]) == [1900] * 4 + [1, 1]
    forward_only = run.predict_table(list(sequences.values()), strand="forward")
    # the reverse-strand site is seen only on the other strand
    assert forward_only["log_odds"].iloc[2] < table.loc["reverse", "log_odds"] - 3
    assert forward_only["log_odds"].iloc[0] == pytest.approx(table.loc["off_centre", "log_odds"])


def test_every_window_on_request(run, sequences):
    table = run.predict_table([sequences["off_centre"]], windows="all", stride=10)
    assert len(table) == 191 and table["start"].iloc[-1] == 1900 and table["end"].iloc[0] == 101
    best = run.predict_table([sequences["off_centre"]], stride=10)
    assert table["probability"].max() == pytest.approx(best["probability"].iloc[0])


def test_savedmodel_follows_the_same_rule(run, sequences, tmp_path):
    import tensorflow as tf

    from kerasbind.export import write_savedmodel

    write_savedmodel(run.model, run.encoder, tmp_path / "sm")
    serve = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    texts = [*sequences.values(), sequences["exact"].lower().replace("t", "u")]
    outputs = serve(sequences=tf.constant(texts))
    expected = run.predict_table(texts)
    np.testing.assert_allclose(outputs["probability"].numpy(), expected["probability"], atol=1e-5)
    assert outputs["windows"].numpy().tolist() == expected["windows"].tolist()


def test_predict_command_says_which_rule_applied(ctcf_run, sequences, tmp_path):
    import pandas as pd

    from kerasbind.cli import main

    fasta = tmp_path / "in.fa"
    fasta.write_text("".join(f">{name}\n{text}\n" for name, text in sequences.items()))
    out = tmp_path / "p.tsv"
    arguments = ["predict", str(ctcf_run["run_dir"]), "--input", str(fasta), "--output", str(out)]
    assert main(arguments) == 0
    table = pd.read_csv(out, sep="\t")
    assert list(table.columns) == [
        "id",
        "sequence",
        "probability",
        "log_odds",
        "rule",
        "windows",
        "best_start",
        "best_strand",
    ]
    assert table["sequence"].tolist() == list(sequences.values())  # nothing trimmed
    assert table["rule"].tolist()[-2:] == ["padded", "exact"]
