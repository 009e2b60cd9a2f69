"""The preset library shipped in the package (issue 30, item 5): every preset loads; a fixed
sample — the first of each assay by name (a ChIP-seq and a CLIP-seq set) — reproduces its
card's test AUC on its own test set (read from ../shared/data) and the first exports to a
SavedModel that gives the same probabilities; ``predict --preset`` works on sequences the
library never saw."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.pipeline import score
from kerasbind.prediction import predict_sequences
from kerasbind.presets.library import PACKAGED, read_index

SHIPPED = kb.list_presets(PACKAGED)
SAMPLE = [  # the fixed sample: the first preset by name of each assay
    next(preset for preset in sorted(SHIPPED, key=lambda p: p.name) if preset.name.startswith(a))
    for a in ("chip/", "clip/")
    if any(preset.name.startswith(a) for preset in SHIPPED)
]
DATA_FOLDERS = ("CLIP-seq", "ChIP-seq")  # where a card's test file lies under ../shared/data
pytestmark = pytest.mark.skipif(not SHIPPED, reason="the shipped preset library is empty")


@pytest.fixture(autouse=True)
def shipped_library(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """The shipped library, unpacked into a cache of the test's own."""
    monkeypatch.delenv("KERASBIND_PRESETS", raising=False)
    monkeypatch.setenv("KERASBIND_CACHE", str(tmp_path_factory.getbasetemp() / "shipped-cache"))


def test_the_index_says_what_it_covers_and_stays_within_budget() -> None:
    index = read_index(PACKAGED)
    assert index["benchmark"]["name"] == "published_comparison"
    assert index["benchmark"]["code"]  # the commits the cells ran
    covered = index["coverage"]["datasets"]
    assert sorted(preset.card["dataset"] for preset in SHIPPED) == covered
    assert index["coverage"]["plan"]["datasets"] == 34  # 25 CLIP-seq and 9 ChIP-seq sets
    assert len(covered) + len(index["coverage"]["plan"]["missing"]) == 34
    assert sum(preset.size for preset in SHIPPED) <= kb.PRESET_LIBRARY_LIMIT
    for preset in SHIPPED:
        assert (PACKAGED / preset.file).stat().st_size == preset.size
        assert preset.card_file.is_file()
        motif = preset.card["top_motif"]  # no logo only when the method found no motif
        assert motif["logo"] or motif["motif"] is None, preset.name
        assert not motif["logo"] or (preset.card_file.parent / motif["logo"]).is_file()


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda preset: preset.name)
def test_every_shipped_preset_loads(preset: kb.Preset) -> None:
    run = kb.load_preset(preset.name)
    assert run.architecture.name == preset.card["architecture"]
    # CLIP-seq presets read RNA and score the given strand; ChIP-seq presets read DNA
    assert run.encoder.alphabet == ("RNA" if preset.name.startswith("clip/") else "DNA")
    probabilities = run.predict(["ACGTTGCATTTACGTAAGCT" * 5, "GGGCCCAATT" * 10])
    assert probabilities.shape == (2,)
    assert np.all((probabilities >= 0) & (probabilities <= 1))


def _test_set(preset: kb.Preset, shared_data: Path) -> kb.SequenceSet:
    """The card's test set, read again from ../shared/data as the benchmark read it."""
    recorded = preset.card["test_set"]
    parts = Path(recorded["file"]).parts
    start = next((i for i, part in enumerate(parts) if part in DATA_FOLDERS), None)
    assert start is not None, f"{recorded['file']}: not a file of ../shared/data"
    path = shared_data.joinpath(*parts[start:])
    if not path.is_file():
        pytest.skip(f"{path}: the test set of {preset.name} is not here")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded["sha256"]
    options = {key: recorded[key] for key in ("negatives", "neg_ratio", "seed")}
    return kb.read_sequences(path, **options)


@pytest.mark.parametrize("preset", SAMPLE, ids=lambda preset: preset.name)
def test_a_sample_reproduces_its_cards_test_auc(preset: kb.Preset, shared_data: Path) -> None:
    test = _test_set(preset, shared_data)
    assert len(test) == preset.card["test_set"]["n"]
    run = kb.load_preset(preset.name)
    metrics, _ = score(run.model, run.encoder, test, strand=run.strand)  # as it was tested
    assert abs(metrics["auc_roc"] - preset.card["auc"]["test"]) < 0.001
    assert abs(metrics["auc_roc"] - preset.card["auc"]["benchmark_test"]) < 0.001


def test_a_preset_exports_to_a_saved_model_with_the_same_probabilities(tmp_path: Path) -> None:
    import tensorflow as tf

    run = kb.load_preset(SAMPLE[0].name)
    sequences = _random_sequences(40, run.encoder.length)
    done = run.export(tmp_path / "models", name="preset")
    serve = tf.saved_model.load(str(done.path)).signatures["serving_default"]
    got = serve(sequences=tf.constant(sequences))["probability"].numpy()
    expected = predict_sequences(run.model, run.encoder, sequences)
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_predict_with_a_shipped_preset_on_new_sequences(tmp_path: Path) -> None:
    names = {name.casefold() for preset in SHIPPED for name in (preset.name, *preset.aliases)}
    alias = "PUM2" if "pum2" in names else (SHIPPED[0].aliases or (SHIPPED[0].name,))[0]
    run = kb.load_preset(alias)
    sequences = _random_sequences(30, run.encoder.length)
    fasta = tmp_path / "new.fa"
    fasta.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(sequences)))
    out = tmp_path / "p.tsv"
    assert main(["predict", "--preset", alias, "--input", str(fasta), "--output", str(out)]) == 0
    predicted = pd.read_csv(out, sep="\t")["probability"].to_numpy()
    np.testing.assert_allclose(predicted, run.predict(sequences), atol=1e-5, rtol=0)


def _random_sequences(count: int, length: int) -> list[str]:
    letters = np.array(list("ACGT"))
    rng = np.random.default_rng(0)
    return ["".join(row) for row in letters[rng.integers(0, 4, size=(count, length))]]
