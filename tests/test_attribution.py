"""Attributions (`kerasbind.attribution`): k-mers back to nucleotides, integrated gradients'
completeness, ISM against the explain maps, planted motifs, files and the command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kerasbind.attribution import METHODS, attribute, load_attributions, write_attributions
from kerasbind.attribution.integrated import COMPLETENESS_ABSOLUTE as ABSOLUTE
from kerasbind.attribution.integrated import COMPLETENESS_RELATIVE as RELATIVE
from kerasbind.attribution.tokens import token_space
from kerasbind.encoding import EncoderSpec, encode_codes
from kerasbind.sequences import BASES, to_codes

# completeness: |sum of contributions - (score - baseline score)| <= RELATIVE * |score - baseline|
# + ABSOLUTE (2 % + 0.01 log-odds; docs/attribution.md)


@pytest.fixture(scope="module")
def run(planted_run):
    from kerasbind.run import load_run

    return load_run(planted_run["run_dir"])


def random_sequences(n: int, length: int = 101, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(row) for row in rng.choice(list(BASES), (n, length))]


@pytest.mark.parametrize("stride", [1, 2])
def test_substituted_kmer_ids_equal_encoding_the_mutant(stride):
    import keras

    from kerasbind.models import build_model

    spec = EncoderSpec("kmer", 30, k=3, stride=stride)
    space = token_space(build_model("kegru", None, spec), spec)
    sequences = random_sequences(4, 30)
    sequences[1] = sequences[1][:7] + "N" + sequences[1][8:]
    codes = to_codes(sequences, 30)
    ids = space.substitution_ids(codes)  # (n, T, k, 4)
    for n, t, j, b in [(0, 0, 0, 2), (1, 2, 1, 0), (1, 3, 0, 3), (1, 5, 2, 1), (3, 13, 2, 3)]:
        mutant = codes[n].copy()
        mutant[t * stride + j] = b
        assert ids[n, t, j, b] == encode_codes(mutant[None], spec)[0, t]
    keras.backend.clear_session()


@pytest.mark.parametrize("arch", ["deepbind", "danq", "kegru", "deepbind_e_star"])
def test_integrated_gradients_are_complete(arch):
    """Sum of contributions = log-odds - log-odds of the all-N sequence, for one-hot and k-mer
    models (the path in embedding space), within the stated tolerance."""
    from kerasbind.models import build_model

    spec = EncoderSpec("kmer" if arch in ("kegru", "deepbind_e_star") else "onehot", 101)
    model = build_model(arch, None, spec)
    found = attribute(model, spec, random_sequences(12), progress=False)
    change = found.log_odds - found.baseline_log_odds
    assert np.abs(change).max() > 1e-3  # the test can fail: the scores do differ
    gap = np.abs(found.completeness_gap)
    assert (gap <= RELATIVE * np.abs(change) + ABSOLUTE).all(), (gap, change)


def test_integrated_gradients_are_complete_across_a_near_jump():
    """A log-odds that rises by 10 within 1e-4 of the path (as a trained recurrent model's
    gate can): the adaptive rule bisects where the jump is and stays within the tolerance."""
    import keras

    from kerasbind.attribution.gradients import gradient_function
    from kerasbind.attribution.integrated import baseline_vectors, reference_contributions
    from kerasbind.attribution.tokens import TokenSpace
    from kerasbind.encoding import onehot_from_codes

    spec = EncoderSpec("onehot", 20)
    weights = np.random.default_rng(1).normal(size=(80, 1)).astype("float32")
    inputs = keras.Input((20, 4))
    linear = keras.layers.Dense(1, use_bias=False, trainable=False)
    score = linear(keras.layers.Flatten()(inputs))
    linear.set_weights([weights])
    threshold = 0.25 * weights.sum() + 0.5  # half a unit past the all-N reference's score
    step = keras.layers.Lambda(lambda x: 5 * keras.ops.tanh(2e4 * (x - threshold)))
    space = TokenSpace(
        spec, onehot_from_codes(np.arange(5)[None])[0], keras.Model(inputs, step(score))
    )
    codes = to_codes(random_sequences(16, 20, seed=2), 20)
    gradient = gradient_function(space.scorer)
    vectors = baseline_vectors(space, codes)
    hypothetical = reference_contributions(space, codes, vectors, gradient, 8)
    change = gradient(space.vectors(codes))[0] - gradient(vectors[:, 0])[0]
    assert (np.abs(change) > 4).sum() >= 4  # these paths cross the jump inside (0, 1)
    gap = (onehot_from_codes(codes) * hypothetical).sum(axis=(1, 2)) - change
    assert (np.abs(gap) <= RELATIVE * np.abs(change) + ABSOLUTE).all(), (gap, change)


def test_deepshap_is_complete_against_the_shuffles_mean(run):
    found = attribute(
        run.model, run.encoder, random_sequences(8), method="deepshap", progress=False
    )
    change = found.log_odds - found.baseline_log_odds
    assert np.abs(change).max() > 1e-2
    assert (np.abs(found.completeness_gap) <= RELATIVE * np.abs(change) + ABSOLUTE).all()


def test_ism_contributions_are_the_explain_maps(run):
    from kerasbind.explain import mutation_maps

    sequences = random_sequences(3, seed=3)
    found = attribute(run.model, run.encoder, sequences, method="ism", progress=False)
    for i, mutation in enumerate(mutation_maps(run.model, run.encoder, sequences, ["a", "b", "c"])):
        np.testing.assert_allclose(found.contributions[i], 0.75 * mutation.importance, atol=1e-5)
        np.testing.assert_allclose(found.log_odds[i], mutation.log_odds, atol=1e-5)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_peaks_on_the_planted_motif(run, planted_run, method):
    test = planted_run["test_set"]
    meta = test.metadata
    chosen = np.flatnonzero((meta["motif_id"] == "MA0093.4").to_numpy())
    found = attribute(
        run.model, run.encoder, [test.sequences[i] for i in chosen], method=method, progress=False
    )
    confident = np.argsort(-found.log_odds)[:30]
    starts = meta["motif_start"].to_numpy()[chosen[confident]]
    peaks = found.contributions[confident].argmax(axis=1)
    hits = ((starts <= peaks) & (peaks < starts + 10)).sum()  # USF1 MA0093.4 is 10 wide
    assert hits >= 25, (method, hits)


def test_files_round_trip(run, tmp_path):
    sequences = random_sequences(6, seed=5)
    found = attribute(
        run.model, run.encoder, sequences, ids=[f"s{i}" for i in range(6)], progress=False
    )
    write_attributions(found, tmp_path, logos=2, progress=False)
    back = load_attributions(tmp_path / "attributions.npz")
    np.testing.assert_array_equal(back.hypothetical, found.hypothetical)
    np.testing.assert_array_equal(back.one_hot, found.one_hot)
    assert back.ids == found.ids and back.method == "integrated_gradients"
    np.testing.assert_allclose(back.baseline_log_odds, found.baseline_log_odds)
    top = pd.read_csv(tmp_path / "top_positions.tsv", sep="\t")
    assert list(top.columns) == ["id", "rank", "position", "letter", "contribution", "log_odds"]
    assert len(top) == 30 and top["contribution"].is_monotonic_decreasing
    assert len(list((tmp_path / "logos").glob("*.png"))) == 2
    with np.load(tmp_path / "attributions.npz", allow_pickle=False) as data:
        assert data["one_hot"].shape == data["hypothetical_contribs"].shape == (6, 101, 4)


def test_a_damaged_attributions_file_is_one_line(tmp_path):
    from kerasbind.errors import InputError

    path = tmp_path / "attributions.npz"
    np.savez(path, one_hot=np.zeros((2, 5, 4)))
    with pytest.raises(InputError, match="not an attributions file"):
        load_attributions(path)


def test_attribute_command(planted_run, tmp_path, capsys):
    from kerasbind.cli import main

    out = tmp_path / "attr"
    arguments = ["attribute", str(planted_run["run_dir"]), "--input", str(planted_run["test"])]
    code = main([*arguments, "--limit", "40", "--method", "saliency", "--out", str(out)])
    assert code == 0
    assert "40 sequences attributed (saliency)" in capsys.readouterr().out
    assert (out / "attributions.npz").is_file() and (out / "top_positions.tsv").is_file()
    assert main([*arguments, "--out", str(out)]) == 2  # an existing folder needs --overwrite
    assert "--overwrite" in capsys.readouterr().err
