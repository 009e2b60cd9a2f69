"""Filter PFMs, MEME I/O, TOMTOM matching and the `kerasbind motifs` command."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import InputError, KerasbindError
from kerasbind.motifs import (
    Motif,
    analyse_filters,
    benjamini_hochberg,
    best_matches,
    filter_motifs,
    jaspar_motifs,
    match_motifs,
    read_meme,
    window_geometry,
    write_meme,
)
from kerasbind.motifs.pfm import count_sites
from kerasbind.readers import read_sequences
from kerasbind.sequences import BASES

E_BOX = "CACGTG"


def random_sequences(rng: np.random.Generator, n: int, length: int) -> list[str]:
    return ["".join(rng.choice(list(BASES), length)) for _ in range(n)]


def plant(sequence: str, motif: str, start: int) -> str:
    return sequence[:start] + motif + sequence[start + len(motif) :]


def occurrences(sequences: list[str], motif: str) -> list[tuple[int, int]]:
    """(sequence index, start) of every (overlapping) occurrence."""
    pattern = re.compile(f"(?={motif})")
    return [(i, m.start()) for i, s in enumerate(sequences) for m in pattern.finditer(s)]


# ------------------------------------------------------------------ MEME files and statistics


def test_meme_round_trip_keeps_matrices_sites_and_alphabet(tmp_path):
    rng = np.random.default_rng(0)
    motifs = [Motif(f"m{i}", f"name{i}", rng.dirichlet(np.ones(4), 7).T, 10 * i) for i in range(3)]
    for alphabet, row in (("DNA", "ACGT"), ("RNA", "ACGU")):
        path = tmp_path / f"{alphabet}.meme"
        write_meme(path, motifs, alphabet)
        assert f"ALPHABET= {row}" in path.read_text()
        back = read_meme(path)
        fields = [(m.id, m.name, m.n_sites) for m in motifs]
        assert [(m.id, m.name, m.n_sites) for m in back] == fields
        for a, b in zip(back, motifs, strict=True):
            np.testing.assert_allclose(a.frequencies, b.frequencies, atol=1e-5)


def test_read_meme_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.meme"
    path.write_text(
        "MEME version 4\n\nALPHABET= ACGT\n\nMOTIF x\n"
        "letter-probability matrix: alength= 4 w= 2\n0.1 0.2 0.3 0.4\n0.5 0.5\n"
    )
    with pytest.raises(InputError, match=r"bad\.meme:8: expected 2 rows"):
        read_meme(path)
    path.write_text("not a motif file\n")
    with pytest.raises(InputError, match="no motifs"):
        read_meme(path)


def test_cisbp_rna_collection_reads_and_matches_forward_only(shared_data):
    from kerasbind.motifs import load_database

    motifs, alphabet = load_database(str(shared_data / "motifs" / "Ray2013_rbp_RNA.meme"))
    assert (len(motifs), alphabet) == (102, "RNA")
    hur = [m for m in motifs if m.name == "HuR"]
    assert len(hur) == 5
    np.testing.assert_allclose(hur[0].frequencies.sum(axis=0), 1.0)
    rng = np.random.default_rng(5)
    counts = np.stack([rng.multinomial(30, p) for p in hur[0].frequencies.T], axis=1)
    query = Motif("copy", "copy", (counts + 0.5) / (counts + 0.5).sum(axis=0))
    best = best_matches(match_motifs([query], motifs, both_strands=False))
    assert best.loc["copy", "target_name"] == "HuR"
    assert best.loc["copy", "orientation"] == "+"


def test_corrected_information_removes_small_sample_noise():
    rng = np.random.default_rng(10)
    for n in (10, 40, 400):  # uniform letters: the expected correction leaves little
        counts = np.stack([rng.multinomial(n, np.full(4, 0.25)) for _ in range(24)], axis=1)
        noise = Motif("noise", "", counts / n, n)
        assert noise.information.sum() > 24 * 0.3 * 3 / (2 * n * np.log(2))
        assert noise.corrected_information < 0.5 * noise.information.sum()
    sharp = Motif("sharp", "", np.eye(4)[:, [0, 1, 2, 3, 0, 1]], 100)
    assert sharp.corrected_information == pytest.approx(6 * (2 - 3 / (200 * np.log(2))))
    assert Motif("unknown", "", sharp.frequencies).corrected_information == pytest.approx(12.0)


def test_benjamini_hochberg_by_hand():
    q = benjamini_hochberg(np.array([[0.01, 0.04, 0.03, 0.2], [0.5, 0.5, 0.5, 1.0]]))
    np.testing.assert_allclose(q[0], [0.04, 0.16 / 3, 0.16 / 3, 0.2])
    np.testing.assert_allclose(q[1], [2 / 3, 2 / 3, 2 / 3, 1.0])


def test_noisy_jaspar_copies_match_their_own_ids():
    """Sampled, flanked and (for one) reverse-complemented copies of JASPAR motifs are matched
    to their own matrix ids with small q-values."""
    targets = jaspar_motifs()
    by_id = {m.id: m for m in targets}
    rng = np.random.default_rng(1)
    queries = []
    for index, motif_id in enumerate(["MA0093.4", "MA0035.5", "MA0139.2", "MA0079.5"]):
        counts = np.stack([rng.multinomial(40, p) for p in by_id[motif_id].frequencies.T], axis=1)
        flank = rng.dirichlet(np.full(4, 20.0), 4).T
        matrix = np.concatenate([flank, (counts + 0.5) / (counts + 0.5).sum(axis=0), flank], 1)
        if index == 1:
            matrix = matrix[::-1, ::-1]
        queries.append(Motif(motif_id, "copy", matrix))
    matches = match_motifs(queries, targets, per_query=3)
    best = best_matches(matches)
    assert list(matches.columns[:8]) == [
        "filter",
        "target_id",
        "target_name",
        "p_value",
        "e_value",
        "q_value",
        "offset",
        "orientation",
    ]
    assert matches["q_value"].is_monotonic_increasing
    for query in queries:
        assert best.loc[query.id, "target_id"] == query.id
        assert best.loc[query.id, "q_value"] < 1e-3
    assert best.loc["MA0035.5", "orientation"] == "-"
    assert best.loc["MA0093.4", "orientation"] == "+"
    # the copy has 4 flank columns: its first column sits 4 before the target's
    assert best.loc["MA0093.4", "offset"] == -4
    np.testing.assert_allclose(best["e_value"], best["p_value"] * len(targets))


def test_pearson_column_scores_are_correlations():
    from kerasbind.motifs.tomtom import column_scores

    rng = np.random.default_rng(6)
    query, targets = rng.dirichlet(np.ones(4), 5).T, rng.dirichlet(np.ones(4), 7).T
    targets[:, 0] = 0.25  # a uniform column has no correlation: scored 0
    scores = column_scores(query, targets, "pearson")
    for i in range(5):
        for j in range(1, 7):
            assert scores[i, j] == pytest.approx(np.corrcoef(query[:, i], targets[:, j])[0, 1])
    np.testing.assert_array_equal(scores[:, 0], 0.0)
    distances = np.linalg.norm(query.T[:, None, :] - targets.T[None, :, :], axis=-1)
    np.testing.assert_allclose(column_scores(query, targets, "ed"), -distances, atol=1e-7)


@pytest.mark.slow
def test_euclidean_tomtom_agrees_with_memelite():
    """The NumPy TOMTOM with ``dist="ed"`` gives memelite's p-values (up to memelite's binned
    medians and merged target columns), offsets and strands: the same algorithm, so its Pearson
    score runs through machinery checked against an independent implementation."""
    from memelite import tomtom as memelite_tomtom

    from kerasbind.motifs import tomtom

    targets = [m.frequencies for m in jaspar_motifs()]
    rng = np.random.default_rng(7)
    queries = [rng.dirichlet(np.full(4, 0.5), w).T for w in (5, 8, 12, 16)] + targets[100:104]
    ours = tomtom(queries, targets, dist="ed")
    theirs = memelite_tomtom(queries, targets)
    difference = np.abs(np.log10(ours[0]) - np.log10(theirs[0]))
    assert np.median(difference) < 0.01
    # far tails (a query that is a database motif: p ~ 1e-40) differ more with the binning
    ordinary = np.minimum(ours[0], theirs[0]) >= 1e-6
    assert difference[ordinary].max() < 0.5
    assert np.maximum(ours[0], theirs[0])[~ordinary].max() < 1e-4
    for k in (2, 3, 4):  # offsets, overlaps, strands
        assert (ours[k] == theirs[k]).mean() > 0.95


def test_random_queries_are_rarely_significant_by_pearson():
    """Calibration: random matrices (no motif) seldom reach q < 0.05 against JASPAR with the
    default Pearson score (with Euclidean distance about half of them do, mostly to CTCF:
    benchmarks/RESULTS.md)."""
    targets = jaspar_motifs()
    rng = np.random.default_rng(8)
    queries = [Motif(f"r{i}", "", rng.dirichlet(np.ones(4), 10).T) for i in range(40)]
    significant = best_matches(match_motifs(queries, targets, per_query=1))
    assert len(significant) <= 2, significant


def test_unknown_distance_is_a_user_error():
    queries = [Motif("q", "", np.full((4, 5), 0.25))]
    with pytest.raises(KerasbindError, match="unknown distance"):
        match_motifs(queries, jaspar_motifs(), dist="cosine")


def test_unknown_jaspar_release_is_a_user_error():
    with pytest.raises(KerasbindError, match="JASPAR release"):
        jaspar_motifs("JASPAR1999")


# ------------------------------------------------------------------ counting sites


def test_count_sites_equals_a_loop_over_windows():
    rng = np.random.default_rng(2)
    n, length, filters = 5, 30, 3
    nucleotides = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))]
    from kerasbind.motifs.pfm import WindowGeometry

    for stride, span in ((1, 6), (2, 7)):
        positions = (length - span) // stride + 1
        geometry = WindowGeometry(0, stride, span, positions)
        active = rng.random((n, positions, filters)) > 0.7
        expected = np.zeros((filters, 4, span))
        for i, j, f in zip(*np.nonzero(active), strict=True):
            expected[f] += nucleotides[i, j * stride : j * stride + span].T
        np.testing.assert_allclose(count_sites(active, nucleotides, geometry), expected)


def _onehot_detector(length: int):
    """A DeepBind model whose filter 0 fires (1.5) only on an exact E-box at its first column."""
    from kerasbind.models import build_model, default_hyperparameters, resolve_architecture

    arch = resolve_architecture("deepbind")
    encoder = EncoderSpec("onehot", length)
    model = build_model(arch, default_hyperparameters(arch), encoder)
    kernel, bias = (np.zeros_like(w) for w in model.get_layer("conv_1").get_weights())
    for column, letter in enumerate(E_BOX):
        kernel[column, BASES.index(letter), 0] = 1.0
    bias[0] = -(len(E_BOX) - 1.5)
    model.get_layer("conv_1").set_weights([kernel, bias])
    return model, encoder


def _embedded_detector(length: int, stride: int, motif: str):
    """A k-mer model (identity embedding) whose filter 0 fires only on ``motif`` at k-mer
    positions 0, 1, … of its window."""
    from kerasbind.encoding import kmer_vocabulary
    from kerasbind.models import build_model, default_hyperparameters, resolve_architecture

    arch = resolve_architecture("deepbind", embedding=True)
    encoder = EncoderSpec("kmer", length, k=3, stride=stride)
    vocabulary = kmer_vocabulary(3)
    matrix = np.eye(len(vocabulary), dtype=np.float32)
    model = build_model(arch, default_hyperparameters(arch), encoder, matrix)
    kmers = [motif[i : i + 3] for i in range(0, len(motif) - 2, stride)]
    kernel, bias = (np.zeros_like(w) for w in model.get_layer("conv_1").get_weights())
    for column, kmer in enumerate(kmers):
        kernel[column, vocabulary.index(kmer), 0] = 1.0
    bias[0] = -(len(kmers) - 0.5)
    model.get_layer("conv_1").set_weights([kernel, bias])
    return model, encoder


def test_onehot_pfm_aligns_sites_including_those_in_the_padding():
    rng = np.random.default_rng(3)
    length = 40
    model, encoder = _onehot_detector(length)
    sequences = random_sequences(rng, 60, length)
    starts = rng.integers(0, length - len(E_BOX) + 1, 60)
    starts[:3] = length - len(E_BOX)  # sites whose windows run into the right padding
    sequences = [plant(s, E_BOX, int(a)) for s, a in zip(sequences, starts, strict=True)]
    sites = occurrences(sequences, E_BOX)
    found = filter_motifs(model, encoder, sequences)
    geometry = found.geometry
    assert (geometry.start, geometry.stride, geometry.span) == (-23, 1, 24)
    assert found.n_sites[0] == len(sites)
    counts = found.counts[0]
    assert "".join(BASES[i] for i in counts[:, :6].argmax(axis=0)) == E_BOX
    np.testing.assert_allclose(counts[:, :6].max(axis=0), len(sites))
    # every site's window is counted in full: letters plus 0.25 per padded column
    np.testing.assert_allclose(counts.sum(axis=0), len(sites))
    centres = geometry.centres[np.flatnonzero(found.positive_positions[0])]
    assert set(centres) == {start + 11.5 for _, start in sites}


def test_deepram_threshold_is_065_of_max_above_mean():
    from kerasbind.encoding import encode
    from kerasbind.motifs.pfm import activation_batches, site_thresholds

    rng = np.random.default_rng(9)
    model, encoder = _onehot_detector(40)
    sequences = [plant(s, E_BOX, 5) for s in random_sequences(rng, 30, 40)]
    x = encode(sequences, encoder)
    activations = np.concatenate(list(activation_batches(model, x)))
    peak, mean = activations.max(axis=(0, 1)), activations.mean(axis=(0, 1))
    thresholds = site_thresholds(model, x, "deepram", kmer=False)
    fired = peak > 0
    np.testing.assert_allclose(thresholds[fired], (0.65 * (peak - mean) + mean)[fired], rtol=1e-5)
    assert np.isinf(thresholds[~fired]).all()
    np.testing.assert_allclose(
        site_thresholds(model, x, "half_max", kmer=False)[fired], 0.5 * peak[fired], rtol=1e-6
    )
    found = filter_motifs(model, encoder, sequences, threshold="deepram")
    assert found.n_sites[0] == len(occurrences(sequences, E_BOX))


@pytest.mark.parametrize("stride", [1, 2])
def test_embedded_pfm_maps_kmer_windows_back_to_letters(stride):
    rng = np.random.default_rng(4)
    length, motif = 41, "CACGTGA"
    model, encoder = _embedded_detector(length, stride, motif)
    geometry = window_geometry(model, encoder)
    assert (geometry.start, geometry.stride, geometry.span) == (0, stride, 9 * stride + 3)
    sequences = random_sequences(rng, 50, length)
    starts = stride * rng.integers(0, (length - geometry.span) // stride + 1, 50)
    sequences = [plant(s, motif, int(a)) for s, a in zip(sequences, starts, strict=True)]
    found = filter_motifs(model, encoder, sequences)
    expected = sum(
        1
        for _, start in occurrences(sequences, motif)
        if start % stride == 0 and start + geometry.span <= length
    )
    assert found.n_sites[0] == expected
    counts = found.counts[0]
    assert "".join(BASES[i] for i in counts[:, : len(motif)].argmax(axis=0)) == motif
    np.testing.assert_allclose(counts[:, : len(motif)].max(axis=0), expected)


def test_model_without_convolution_is_refused():
    from kerasbind.models import build_model, default_hyperparameters, resolve_architecture

    arch = resolve_architecture("kegru")
    model = build_model(arch, default_hyperparameters(arch), EncoderSpec("kmer", 30))
    with pytest.raises(KerasbindError, match="no first convolution"):
        filter_motifs(model, EncoderSpec("kmer", 30), ["ACGT" * 8])


# ------------------------------------------------------------------ trained on planted motifs


def test_planted_motifs_are_recovered_as_their_jaspar_ids(planted_run):
    from kerasbind.run import load_run

    run = load_run(planted_run["run_dir"])
    analysis = analyse_filters(run.model, run.encoder, planted_run["test_set"], db="jaspar")
    best = best_matches(analysis.matches)
    significant = set(best.loc[best["q_value"] < 0.05, "target_id"])
    assert {"MA0093.4", "MA0035.5"} <= significant
    usf1 = best.index[best["target_id"] == "MA0093.4"][0]
    index = analysis.filters.ids.index(usf1)
    # the E-box filter fires far more often in positives than in their shuffles
    assert analysis.filters.positive_positions[index].sum() > 3 * max(
        1, analysis.filters.negative_positions[index].sum()
    )
    # ... and the summary says so: the most enriched filter that passed the gates is a planted
    # motif's (what a preset card shows as its top motif), and the E-box filter's ratio is > 3x
    summary = analysis.summary().set_index("filter")
    assert summary.loc[usf1, "enrichment"] > np.log2(3)
    gated = summary[summary["status"].isin(["best match", "no significant match"])]
    top = gated["enrichment"].idxmax()
    assert best.loc[top, "target_id"] in {"MA0093.4", "MA0035.5"}


def test_filters_under_the_gates_are_not_matched(planted_run):
    from kerasbind.motifs import load_database, match_filters, split_by_label
    from kerasbind.run import load_run

    run = load_run(planted_run["run_dir"])
    positives, _ = split_by_label(planted_run["test_set"])
    filters = filter_motifs(run.model, run.encoder, positives)
    targets, alphabet = load_database("jaspar")
    bits = {m.id: m.corrected_information for m in filters.motifs()}
    cut = float(np.median(list(bits.values())))
    analysis = match_filters(filters, targets, alphabet, min_information=cut)
    summary = analysis.summary().set_index("filter")
    low = [f for f, b in bits.items() if b < cut]
    assert low and set(analysis.matches["filter"]).isdisjoint(low)
    assert (summary.loc[low, "status"] == f"not matched: under {cut:g} corrected bits").all()
    assert summary.loc[low, "best_target_id"].isna().all()
    significant = summary["best_q_value"].notna()
    assert (summary.loc[significant, "best_q_value"] < 0.05).all()
    assert (summary.loc[significant, "status"] == "best match").all()
    unmatched = summary.index[summary["status"] == "no significant match"]
    assert set(unmatched).isdisjoint(analysis.best().index)


def test_motifs_command_writes_every_output(planted_run, tmp_path, capsys):
    from kerasbind.cli import main

    out = tmp_path / "motifs"
    code = main(
        [
            "motifs",
            str(planted_run["run_dir"]),
            "--input",
            str(planted_run["test"]),
            "--out",
            str(out),
            "--top",
            "3",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "USF1" in printed
    matches = pd.read_csv(out / "matches.tsv", sep="\t")
    assert matches["q_value"].is_monotonic_increasing
    assert matches.groupby("filter").size().max() == 5
    summary = pd.read_csv(out / "filters.tsv", sep="\t")
    assert "status" in summary.columns
    assert (summary["best_q_value"].dropna() < 0.05).all()
    motifs = read_meme(out / "filters.meme")
    assert len(motifs) == (summary["n_sites"] > 0).sum()
    for motif in motifs:
        for path in (f"logos/{motif.id}.png", f"logos/{motif.id}.svg", f"positions/{motif.id}.png"):
            assert (out / path).stat().st_size > 1000
    assert (out / "logos.png").stat().st_size > 10_000
    assert read_sequences(planted_run["test"]).alphabet == "DNA"


def test_motifs_command_euclidean_distance(planted_run, tmp_path, capsys):
    from kerasbind.cli import main

    out = tmp_path / "ed"
    code = main(
        [
            "motifs",
            str(planted_run["run_dir"]),
            "--input",
            str(planted_run["test"]),
            "--out",
            str(out),
            "--dist",
            "ed",
            "--top",
            "3",
        ]
    )
    assert code == 0
    assert "Euclidean" in capsys.readouterr().out
    assert (out / "matches.tsv").exists()


def test_motifs_command_reports_user_errors(planted_run, tmp_path, capsys):
    from kerasbind.cli import main

    code = main(
        [
            "motifs",
            str(planted_run["run_dir"]),
            "--input",
            str(planted_run["test"]),
            "--db",
            str(tmp_path / "missing.meme"),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "missing.meme" in capsys.readouterr().err
