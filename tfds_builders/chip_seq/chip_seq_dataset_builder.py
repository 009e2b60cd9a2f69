"""chip_seq: DeepBind's ENCODE ChIP-seq sets (Alipanahi et al., 2015), as deepRAM has them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import tensorflow_datasets as tfds

from kerasbind.readers import read_sequences
from kerasbind.shuffle import add_shuffled_negatives
from tfds_builders.common import (
    DEEPRAM_DATASETS_URL,
    LABEL_NAMES,
    KerasbindBuilder,
    sequence_examples,
)

# upstream file stems (<stem>_AC.seq.gz, <stem>_B.seq.gz in deepRAM datasets/ChIP-seq/); add a
# stem here to add a config. TFDS names allow no parentheses, so configs drop them.
EXPERIMENTS = [
    "SERBP1_H1-hESC_HudsonAlpha",
    "SRF_H1-hESC_SRF_HudsonAlpha",
    "SUZ12_H1-hESC_SUZ12_USC",
    "TAF1_H1-hESC_TAF1_HudsonAlpha",
    "TAF7_H1-hESC_TAF7_(SC-101167)_HudsonAlpha",
    "TBP_H1-hESC_TBP_Stanford",
    "TCF12_H1-hESC_TCF12_HudsonAlpha",
    "TEAD4_H1-hESC_TEAD4_(SC-101184)_HudsonAlpha",
    "USF1_H1-hESC_USF-1_HudsonAlpha",
    "USF2_H1-hESC_USF2_Stanford",
    "YY1_H1-hESC_YY1_(SC-281)_HudsonAlpha",
    "ZNF143_H1-hESC_Znf143_(16618-1-AP)_Stanford",
]
SPLIT_SUFFIXES = {"train": "_AC.seq.gz", "test": "_B.seq.gz"}
BASE_URL = DEEPRAM_DATASETS_URL + "ChIP-seq/"
NEGATIVE_SEED = 0  # seed of the dinucleotide shuffles that make the training negatives


def config_name(stem: str) -> str:
    """The TFDS config name of an upstream file stem (parentheses removed)."""
    return stem.replace("(", "").replace(")", "")


STEMS = {config_name(stem): stem for stem in EXPERIMENTS}


class Builder(KerasbindBuilder):
    """DatasetBuilder for chip_seq: one config per ENCODE experiment."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[tfds.core.BuilderConfig]] = [
        tfds.core.BuilderConfig(name=name, description=f"ENCODE ChIP-seq experiment {stem}")
        for name, stem in STEMS.items()
    ]
    MANUAL_DOWNLOAD_INSTRUCTIONS = """
    Optional: the files are downloaded from GitHub when they are not here. To build offline,
    pass --manual_dir pointing at a folder with <experiment>_AC.seq.gz and <experiment>_B.seq.gz.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Text(),
                    "label": tfds.features.ClassLabel(names=LABEL_NAMES),
                    "fold": tfds.features.Text(),
                    "event_id": tfds.features.Text(),
                }
            ),
            supervised_keys=("sequence", "label"),
            homepage="https://github.com/MedChaabane/deepRAM",
            disable_shuffling=True,
        )

    def raw_files(self) -> dict[str, str]:
        """Split -> the raw file it is read from, relative to the manual dir."""
        stem = STEMS[self.builder_config.name]
        return {split: stem + suffix for split, suffix in SPLIT_SUFFIXES.items()}

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        paths = self.fetch(dl_manager, self.raw_files(), BASE_URL)
        return {
            "train": self._generate_examples(paths["train"], shuffled_negatives=True),
            "test": self._generate_examples(paths["test"], shuffled_negatives=False),
        }

    def _generate_examples(
        self, path: Path, shuffled_negatives: bool
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        seqset = read_sequences(path, fmt="deepbind")
        if shuffled_negatives:
            seqset = add_shuffled_negatives(seqset, ratio=1.0, seed=NEGATIVE_SEED)
        seqset = replace(seqset, metadata=seqset.metadata.assign(event_id=seqset.ids))
        yield from sequence_examples(seqset, ["fold", "event_id"])
