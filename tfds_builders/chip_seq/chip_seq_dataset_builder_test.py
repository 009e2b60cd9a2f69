"""chip_seq builder on its dummy data: from manual_dir, and downloaded (checksums registered)."""

from typing import ClassVar
from unittest import mock

import tensorflow_datasets as tfds

from tfds_builders import common
from tfds_builders.chip_seq import chip_seq_dataset_builder


class ChipSeqManualDirTest(tfds.testing.DatasetBuilderTestCase):
    """6 A+C positives become 12 training examples (one shuffled negative each); B as given."""

    DATASET_CLASS = chip_seq_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["USF1_H1-hESC_USF-1_HudsonAlpha"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 12, "test": 4}


class ChipSeqDownloadTest(tfds.testing.DatasetBuilderTestCase):
    """An experiment absent from manual_dir is downloaded from its registered URL."""

    DATASET_CLASS = chip_seq_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["TAF7_H1-hESC_TAF7_SC-101167_HudsonAlpha"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 6, "test": 2}
    DL_DOWNLOAD_RESULT: ClassVar[dict[str, str]] = {
        "train": "download/AC.seq.gz",
        "test": "download/B.seq.gz",
    }

    def setUp(self) -> None:
        super().setUp()
        # TFDS's test case replaces the download by the dummy files: nothing goes to the
        # network, so the reachability check before a download is left out too
        patcher = mock.patch.object(common, "check_reachable", lambda *_: None)
        patcher.start()
        self.patchers.append(patcher)


if __name__ == "__main__":
    tfds.testing.test_main()
