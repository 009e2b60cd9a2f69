"""clip_seq builder on its dummy data: from manual_dir, and downloaded (checksums registered)."""

from typing import ClassVar
from unittest import mock

import tensorflow_datasets as tfds

from tfds_builders import common
from tfds_builders.clip_seq import clip_seq_dataset_builder


class ClipSeqManualDirTest(tfds.testing.DatasetBuilderTestCase):
    """dummy_data/ is the manual_dir and holds this experiment in the upstream layout."""

    DATASET_CLASS = clip_seq_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["23_PARCLIP_PUM2_hg19"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 6, "test": 3}


class ClipSeqDownloadTest(tfds.testing.DatasetBuilderTestCase):
    """An experiment absent from manual_dir is downloaded from its registered URL."""

    DATASET_CLASS = clip_seq_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["1_PARCLIP_AGO1234_hg19"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 4, "test": 2}
    DL_DOWNLOAD_RESULT: ClassVar[dict[str, str]] = {
        "train": "download/training_sample_0.fa.gz",
        "test": "download/test_sample_0.fa.gz",
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
