"""In-silico mutagenesis maps, variant effects and the `kerasbind explain` command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kerasbind.prediction
from kerasbind.errors import InputError
from kerasbind.explain import mutation_maps, read_variants, variant_effects
from kerasbind.prediction import predict_sequences
from kerasbind.sequences import BASES


@pytest.fixture(scope="module")
def run(planted_run):
    from kerasbind.run import load_run

    return load_run(planted_run["run_dir"])


def log_odds(run, sequences: list[str]) -> np.ndarray:
    # explain scores the model's window on the given strand
    p = predict_sequences(run.model, run.encoder, sequences, strand="forward")
    p = p.astype(np.float64)
    return np.log(p / (1 - p))


def test_map_of_a_101_nt_sequence_is_one_pass_of_its_303_mutants(run, monkeypatch):
    sizes = []
    real = kerasbind.prediction.predict_encoded

    def counting(model, x, *args, **kwargs):
        sizes.append(len(x))
        return real(model, x, *args, **kwargs)

    monkeypatch.setattr(kerasbind.prediction, "predict_encoded", counting)
    sequence = "ACGT" * 25 + "A"
    (mutation,) = mutation_maps(run.model, run.encoder, [sequence], ["s"])
    assert sizes == [1 + 303]
    assert mutation.delta.shape == (101, 4)
    assert list(mutation.positions) == list(range(1, 102))


def test_map_equals_scoring_each_mutant_directly(run):
    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list(BASES), 101))
    sequence = sequence[:40] + "N" + sequence[41:]
    (mutation,) = mutation_maps(run.model, run.encoder, [sequence], ["s"])
    assert (mutation.delta[40] != 0).sum() >= 3  # all four letters replace an N
    picks = [(10, "A"), (40, "G"), (55, "T"), (90, "C")]
    mutants = [sequence[:i] + letter + sequence[i + 1 :] for i, letter in picks]
    direct = log_odds(run, mutants) - log_odds(run, [sequence])[0]
    mapped = [mutation.delta[i, BASES.index(letter)] for i, letter in picks]
    np.testing.assert_allclose(mapped, direct, atol=2e-3)
    assert mutation.delta[10, BASES.index(sequence[10])] == 0


def test_map_peaks_on_the_planted_motif(run, planted_run):
    test = planted_run["test_set"]
    meta = test.metadata
    chosen = np.flatnonzero((meta["motif_id"] == "MA0093.4").to_numpy())
    prob = predict_sequences(run.model, run.encoder, [test.sequences[i] for i in chosen])
    confident = chosen[np.argsort(-prob)[:20]]
    hits = 0
    maps = mutation_maps(
        run.model, run.encoder, [test.sequences[i] for i in confident], [str(i) for i in confident]
    )
    for index, mutation in zip(confident, maps, strict=True):
        start = int(meta["motif_start"].iloc[index])  # 0-based; USF1 MA0093.4 is 10 wide
        peak = int(mutation.positions[np.argmax(mutation.importance)]) - 1
        hits += start <= peak < start + 10
    assert hits >= 18


def test_variant_effects_match_direct_predictions(run, tmp_path):
    rng = np.random.default_rng(1)
    short = "".join(rng.choice(list(BASES), 101))
    long = "".join(rng.choice(list(BASES), 141))  # centre-trimmed to the model's 101
    path = tmp_path / "variants.tsv"
    path.write_text(
        "id\tsequence\tposition\talt\n"
        f"a\t{short}\t30\t{'A' if short[29] != 'A' else 'C'}\n"
        f"b\t{short.lower()}\t30\t{short[29].lower()}\n"
        f"c\t{long}\t5\tu\n"
        f"d\t{long}\t70\t{'G' if long[69] != 'G' else 'T'}\n"
    )
    effects = variant_effects(run.model, run.encoder, read_variants(path))
    alt_a = short[:29] + effects.loc[0, "alt"] + short[30:]
    expected = log_odds(run, [alt_a])[0] - log_odds(run, [short])[0]
    assert effects.loc[0, "delta_log_odds"] == pytest.approx(expected, abs=2e-3)
    p = predict_sequences(run.model, run.encoder, [short, alt_a], strand="forward")
    assert effects.loc[0, "delta_probability"] == pytest.approx(p[1] - p[0], abs=1e-4)
    assert effects.loc[1, "delta_log_odds"] == 0  # alt equals ref
    assert not effects.loc[2, "in_window"] and effects.loc[2, "delta_log_odds"] == 0
    assert effects.loc[3, "in_window"]
    assert list(effects["ref"]) == [short[29], short[29].upper(), long[4], long[69]]


@pytest.mark.parametrize(
    ("row", "problem"),
    [("x\tACGT\t9\tA", "position"), ("x\tACGT\t2\tZ", "alt"), ("x\tACXT\t2\tA", "invalid")],
)
def test_bad_variants_name_their_line(tmp_path, row, problem):
    path = tmp_path / "v.tsv"
    path.write_text(f"id\tsequence\tposition\talt\ny\tACGT\t1\tC\n{row}\n")
    with pytest.raises(InputError, match=rf"v\.tsv:3: .*{problem}"):
        read_variants(path)


def test_explain_command_writes_maps_and_variants(run, planted_run, tmp_path, capsys):
    from kerasbind.cli import main

    out = tmp_path / "explain"
    assert (
        main(
            [
                "explain",
                str(planted_run["run_dir"]),
                "--input",
                str(planted_run["test"]),
                "--ids",
                "simulated_test_3",
                "simulated_test_0",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = pd.read_csv(out / "explained.tsv", sep="\t")
    assert list(summary["id"]) == ["simulated_test_3", "simulated_test_0"]
    table = pd.read_csv(out / "simulated_test_3.ism.tsv", sep="\t")
    assert list(table.columns) == ["position", "ref", "A", "C", "G", "T", "importance"]
    assert len(table) == 101
    for name in (
        "simulated_test_3.ism.png",
        "simulated_test_3.logo.png",
        "simulated_test_0.ism.png",
    ):
        assert (out / name).stat().st_size > 5000
    assert (
        main(
            [
                "explain",
                str(planted_run["run_dir"]),
                "--input",
                str(planted_run["test"]),
                "--ids",
                "nope",
                "--out",
                str(out),
                "--overwrite",
            ]
        )
        == 2
    )
    assert "nope" in capsys.readouterr().err
