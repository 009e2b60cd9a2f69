"""clip_seq: the human CLIP-seq benchmark of iONMF (Stražar et al., 2016), 31 experiments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import tensorflow_datasets as tfds

from kerasbind.readers import read_sequences
from tfds_builders.common import (
    DEEPRAM_DATASETS_URL,
    LABEL_NAMES,
    KerasbindBuilder,
    sequence_examples,
)

# the upstream folder names (mstrazar/iONMF datasets/clip/, copied by deepRAM datasets/CLIP-seq/)
EXPERIMENTS = [
    "1_PARCLIP_AGO1234_hg19",
    "2_PARCLIP_AGO2MNASE_hg19",
    "3_HITSCLIP_Ago2_binding_clusters",
    "4_HITSCLIP_Ago2_binding_clusters_2",
    "5_CLIPSEQ_AGO2_hg19",
    "6_CLIP-seq-eIF4AIII_1",
    "7_CLIP-seq-eIF4AIII_2",
    "8_PARCLIP_ELAVL1_hg19",
    "9_PARCLIP_ELAVL1MNASE_hg19",
    "10_PARCLIP_ELAVL1A_hg19",
    "11_CLIPSEQ_ELAVL1_hg19",
    "12_PARCLIP_EWSR1_hg19",
    "13_PARCLIP_FUS_hg19",
    "14_PARCLIP_FUS_mut_hg19",
    "15_PARCLIP_IGF2BP123_hg19",
    "16_ICLIP_hnRNPC_Hela_iCLIP_all_clusters",
    "17_ICLIP_HNRNPC_hg19",
    "18_ICLIP_hnRNPL_Hela_group_3975_all-hnRNPL-Hela-hg19_sum_G_hg19--ensembl59_from_"
    "2337-2339-741_bedGraph-cDNA-hits-in-genome",
    "19_ICLIP_hnRNPL_U266_group_3986_all-hnRNPL-U266-hg19_sum_G_hg19--ensembl59_from_"
    "2485_bedGraph-cDNA-hits-in-genome",
    "20_ICLIP_hnRNPlike_U266_group_4000_all-hnRNPLlike-U266-hg19_sum_G_hg19--ensembl59_from_"
    "2342-2486_bedGraph-cDNA-hits-in-genome",
    "21_PARCLIP_MOV10_Sievers_hg19",
    "22_ICLIP_NSUN2_293_group_4007_all-NSUN2-293-hg19_sum_G_hg19--ensembl59_from_"
    "3137-3202_bedGraph-cDNA-hits-in-genome",
    "23_PARCLIP_PUM2_hg19",
    "24_PARCLIP_QKI_hg19",
    "25_CLIPSEQ_SFRS1_hg19",
    "26_PARCLIP_TAF15_hg19",
    "27_ICLIP_TDP43_hg19",
    "28_ICLIP_TIA1_hg19",
    "29_ICLIP_TIAL1_hg19",
    "30_ICLIP_U2AF65_Hela_iCLIP_ctrl_all_clusters",
    "31_ICLIP_U2AF65_Hela_iCLIP_ctrl+kd_all_clusters",
]
SPLIT_FOLDERS = {"train": "training_sample_0", "test": "test_sample_0"}
BASE_URL = DEEPRAM_DATASETS_URL + "CLIP-seq/"
METADATA = ["chrom", "strand", "start", "end"]


def split_file(experiment: str, split: str) -> str:
    """Where a split's FASTA lies, relative to ``manual_dir`` (the upstream layout)."""
    return f"{experiment}/30000/{SPLIT_FOLDERS[split]}/sequences.fa.gz"


class Builder(KerasbindBuilder):
    """DatasetBuilder for clip_seq: one config per iONMF experiment."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[tfds.core.BuilderConfig]] = [
        tfds.core.BuilderConfig(name=name, description=f"iONMF CLIP-seq experiment {name}")
        for name in EXPERIMENTS
    ]
    MANUAL_DOWNLOAD_INSTRUCTIONS = """
    Optional: the files are downloaded from GitHub when they are not here. To build offline,
    pass --manual_dir pointing at a folder with the upstream layout:
    <experiment>/30000/{training,test}_sample_0/sequences.fa.gz
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Text(),
                    "label": tfds.features.ClassLabel(names=LABEL_NAMES),
                    "chrom": tfds.features.Text(),
                    "strand": tfds.features.Text(),
                    "start": tfds.features.Scalar(dtype=np.int64),
                    "end": tfds.features.Scalar(dtype=np.int64),
                }
            ),
            supervised_keys=("sequence", "label"),
            homepage="https://github.com/mstrazar/iONMF",
            disable_shuffling=True,
        )

    def raw_files(self) -> dict[str, str]:
        """Split -> the raw file it is read from, relative to the manual dir."""
        return {split: split_file(self.builder_config.name, split) for split in SPLIT_FOLDERS}

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        paths = self.fetch(dl_manager, self.raw_files(), BASE_URL)
        return {split: self._generate_examples(path) for split, path in paths.items()}

    def _generate_examples(self, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        yield from sequence_examples(read_sequences(path, fmt="ionmf"), METADATA)
