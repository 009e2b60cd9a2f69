"""`load_tfds`: TFDS names → SequenceSets, equal to what the sources give directly."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from kerasbind.errors import KerasbindError
from kerasbind.readers import read_sequences
from kerasbind.runtime import start_tensorflow
from kerasbind.simulate import simulate_config
from kerasbind.tfds_loading import load_tfds
from tfds_builders.clip_seq import clip_seq_dataset_builder

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


def test_clip_seq_from_manual_dir_matches_the_file_reader(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    loaded = load_tfds(
        "clip_seq/23_PARCLIP_PUM2_hg19", "train", data_dir=tmp_path, manual_dir=CLIP_DUMMY
    )
    output = capfd.readouterr()
    assert "Unknown size" not in output.out + output.err  # TFDS's line, replaced by:
    assert (
        f"Preparing clip_seq/23_PARCLIP_PUM2_hg19 from {CLIP_DUMMY} into {tmp_path}" in output.err
    )
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


@pytest.fixture()
def unreachable_clip_seq(monkeypatch: pytest.MonkeyPatch) -> str:
    """clip_seq downloading from a host that never resolves (``.invalid``, RFC 2606), with no
    proxy: a real download attempt that fails as it does on a machine with no network."""
    for variable in ("https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.upper(), raising=False)
    monkeypatch.setattr(clip_seq_dataset_builder, "BASE_URL", "https://kerasbind.invalid/CLIP-seq/")
    return "clip_seq/23_PARCLIP_PUM2_hg19"


PUM2_FILES = (
    "23_PARCLIP_PUM2_hg19/30000/training_sample_0/sequences.fa.gz and "
    "23_PARCLIP_PUM2_hg19/30000/test_sample_0/sequences.fa.gz"
)


def test_offline_download_fails_fast_in_one_line(
    tmp_path: Path, unreachable_clip_seq: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """No retries for minutes, no urllib3 warnings, kerasbind's --manual-dir spelling only.
    (TensorFlow is imported before the clock starts: its import time depends on the machine.)"""
    start_tensorflow()
    start = time.monotonic()
    with pytest.raises(KerasbindError) as caught:
        load_tfds(unreachable_clip_seq, "train", data_dir=tmp_path)
    assert time.monotonic() - start < 20
    message = str(caught.value)
    assert message.startswith(
        "clip_seq/23_PARCLIP_PUM2_hg19: downloading the raw files failed (cannot reach "
        "kerasbind.invalid: "
    )
    assert message.endswith(
        f"to work offline, pass --manual-dir DIR, a folder holding {PUM2_FILES}"
    )
    assert "--manual_dir" not in message and "\n" not in message
    output = capfd.readouterr()
    assert "urllib3" not in output.err and "Retrying" not in output.err
    assert "Unknown size" not in output.out + output.err


def test_offline_builder_used_directly_fails_fast(
    tmp_path: Path, unreachable_clip_seq: str
) -> None:
    """The TFDS way (``tfds build``): a DownloadError with TFDS's --manual_dir spelling."""
    start_tensorflow()
    builder = clip_seq_dataset_builder.Builder(config="23_PARCLIP_PUM2_hg19", data_dir=tmp_path)
    start = time.monotonic()
    with pytest.raises(tfds.download.DownloadError, match=r"cannot reach kerasbind\.invalid"):
        builder.download_and_prepare()
    assert time.monotonic() - start < 20


def test_empty_manual_dir_and_offline(tmp_path: Path, unreachable_clip_seq: str) -> None:
    empty = tmp_path / "manual"
    empty.mkdir()
    with pytest.raises(KerasbindError) as caught:
        load_tfds(unreachable_clip_seq, "train", data_dir=tmp_path / "data", manual_dir=empty)
    assert str(caught.value).startswith(
        f"clip_seq/23_PARCLIP_PUM2_hg19: the raw files are not in --manual-dir {empty} and "
        "downloading them failed (cannot reach kerasbind.invalid: "
    )
    assert str(caught.value).endswith(f"--manual-dir must be a folder holding {PUM2_FILES}")


def test_failed_download_behind_a_proxy_asks_for_manual_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a proxy nothing is checked first; a failed download is still one line.
    Upstream names with parentheses resolve."""

    def offline(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("network is unreachable")

    monkeypatch.setattr(tfds.download.DownloadManager, "download", offline)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    empty = tmp_path / "manual"
    empty.mkdir()
    with pytest.raises(KerasbindError) as caught:
        load_tfds(
            "chip_seq/TAF7_H1-hESC_TAF7_(SC-101167)_HudsonAlpha",
            "train",
            data_dir=tmp_path / "data",
            manual_dir=empty,
        )
    assert str(caught.value) == (
        "chip_seq/TAF7_H1-hESC_TAF7_(SC-101167)_HudsonAlpha: the raw files are not in "
        f"--manual-dir {empty} and downloading them failed (network is unreachable); "
        "--manual-dir must be a folder holding TAF7_H1-hESC_TAF7_(SC-101167)_HudsonAlpha_AC.seq.gz "
        "and TAF7_H1-hESC_TAF7_(SC-101167)_HudsonAlpha_B.seq.gz"
    )


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
