"""simulated_binding: JASPAR motifs planted into random backgrounds, with shuffled negatives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import tensorflow_datasets as tfds

from kerasbind.sequences import SequenceSet
from kerasbind.simulate import SIMULATION_CONFIGS, simulate_config
from tfds_builders.common import LABEL_NAMES, KerasbindBuilder, sequence_examples


class Builder(KerasbindBuilder):
    """DatasetBuilder for simulated_binding: deterministic and offline; ``easy`` is the default."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[tfds.core.BuilderConfig]] = [
        tfds.core.BuilderConfig(name=config.name, description=config.description)
        for config in SIMULATION_CONFIGS.values()
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Text(),
                    "label": tfds.features.ClassLabel(names=LABEL_NAMES),
                    "motif_id": tfds.features.Text(),
                    "motif_start": tfds.features.Scalar(dtype=np.int64),
                }
            ),
            supervised_keys=("sequence", "label"),
            disable_shuffling=True,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # nothing to download
        self.announce("sequences simulated here (offline, seeded)")
        train, test = simulate_config(self.builder_config.name)
        return {"train": self._generate_examples(train), "test": self._generate_examples(test)}

    def _generate_examples(self, seqset: SequenceSet) -> Iterator[tuple[int, dict[str, Any]]]:
        yield from sequence_examples(seqset, ["motif_id", "motif_start"])
