"""`load_tfds`: TFDS names → SequenceSets, equal to what the sources give directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from kerasbind.errors import KerasbindError
from kerasbind.readers import read_sequences
from kerasbind.simulate import simulate_config
from kerasbind.tfds_loading import load_tfds

BUILDERS_DIR = Path(__file__).resolve().parents[1] / "tfds_builders"
CLIP_DUMMY = BUILDERS_DIR / "clip_seq" / "dummy_data"
CHIP_DUMMY = BUILDERS_DIR / "chip_seq" / "dummy_data"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tensorflow_datasets")


def test_simulated_binding_round_trips_in_order(data_dir: Path) -> None:
    expected_train, expected_test = simulate_config("easy")
    train = load_tfds("simulated_binding", "train", data_dir=data_dir)  # default config: easy
    test = load_tfds("simulated_binding/easy", "test", data_dir=data_dir)
    for loaded, expected in ((train, expected_train), (test, expected_test)):
        assert loaded.sequences == expected.sequences
        np.testing.assert_array_equal(loaded.labels, expected.labels)
        assert loaded.metadata.motif_id.tolist() == expected.metadata.motif_id.tolist()
        np.testing.assert_array_equal(loaded.metadata.motif_start, expected.metadata.motif_start)
    assert train.source == "tfds:simulated_binding/easy[train]"
    assert train.alphabet == "DNA"
    assert len(load_tfds("simulated_binding", "train[:10]", data_dir=data_dir)) == 10


def test_clip_seq_from_manual_dir_matches_the_file_reader(tmp_path: Path) -> None:
    loaded = load_tfds("clip_seq/23_PARCLIP_PUM2_hg19", "train", data_dir=tmp_path,
                       manual_dir=CLIP_DUMMY)
    direct = read_sequences(
        CLIP_DUMMY / "23_PARCLIP_PUM2_hg19/30000/training_sample_0/sequences.fa.gz", fmt="ionmf"
    )
    assert loaded.sequences == direct.sequences
    assert loaded.ids == direct.ids
    np.testing.assert_array_equal(loaded.labels, direct.labels)
    assert loaded.alphabet == "RNA"
    assert loaded.metadata[["chrom", "strand", "start", "end"]].equals(direct.metadata)


def test_chip_seq_adds_shuffled_negatives_to_train_only(tmp_path: Path) -> None:
    name = "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha"
    train = load_tfds(name, "train", data_dir=tmp_path, manual_dir=CHIP_DUMMY)
    test = load_tfds(name, "test", data_dir=tmp_path, manual_dir=CHIP_DUMMY)
    positives = read_sequences(CHIP_DUMMY / "USF1_H1-hESC_USF-1_HudsonAlpha_AC.seq.gz")
    assert train.sequences[:6] == positives.sequences
    assert train.labels.tolist() == [1] * 6 + [0] * 6
    assert all(i.endswith("_shuf1") for i in train.ids[6:])
    assert sorted(train.sequences[6:]) != sorted(positives.sequences)
    assert (len(test), test.n_positive) == (4, 2)


def test_unknown_names_list_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(KerasbindError, match="choose from simulated_binding, clip_seq, chip_seq"):
        load_tfds("mnist", "train", data_dir=tmp_path)
    with pytest.raises(KerasbindError, match=r"no config 'PUM2'.*23_PARCLIP_PUM2_hg19"):
        load_tfds("clip_seq/PUM2", "train", data_dir=tmp_path)


def test_unknown_split_is_refused(data_dir: Path) -> None:
    with pytest.raises(KerasbindError, match="no split 'validation'; choose from"):
        load_tfds("simulated_binding", "validation", data_dir=data_dir)


def test_missing_raw_files_ask_for_manual_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upstream names with parentheses resolve; an offline download fails with one line."""

    def offline(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("network is unreachable")

    monkeypatch.setattr(tfds.download.DownloadManager, "download", offline)
    empty = tmp_path / "manual"
    empty.mkdir()
    with pytest.raises(KerasbindError, match=r"not in --manual-dir .*Pass --manual-dir DIR"):
        load_tfds("chip_seq/TAF7_H1-hESC_TAF7_(SC-101167)_HudsonAlpha", "train",
                  data_dir=tmp_path / "data", manual_dir=empty)


@pytest.mark.shared_data
def test_pum2_full_build_from_shared_data(
    tmp_path: Path, shared_data: Path, pum2_files: tuple[Path, Path]
) -> None:
    name = "clip_seq/23_PARCLIP_PUM2_hg19"
    train = load_tfds(name, "train", data_dir=tmp_path, manual_dir=shared_data / "CLIP-seq")
    test = load_tfds(name, "test", data_dir=tmp_path, manual_dir=shared_data / "CLIP-seq")
    assert (len(train), len(test)) == (30_000, 10_000)
    assert 0.15 < test.labels.mean() < 0.25
    direct = read_sequences(pum2_files[1], fmt="ionmf")
    assert test.sequences == direct.sequences
    np.testing.assert_array_equal(test.labels, direct.labels)


@pytest.mark.shared_data
def test_usf1_full_build_from_shared_data(
    tmp_path: Path, shared_data: Path, usf1_files: tuple[Path, Path]
) -> None:
    name = "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha"
    train = load_tfds(name, "train", data_dir=tmp_path, manual_dir=shared_data / "ChIP-seq")
    n_positives = len(read_sequences(usf1_files[0]))
    assert (len(train), train.n_positive) == (2 * n_positives, n_positives)
    test = load_tfds(name, "test", data_dir=tmp_path, manual_dir=shared_data / "ChIP-seq")
    assert len(test) == len(read_sequences(usf1_files[1]))
