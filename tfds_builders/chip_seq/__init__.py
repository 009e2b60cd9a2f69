"""The chip_seq dataset (importing this registers it with TFDS)."""

from tfds_builders.chip_seq.chip_seq_dataset_builder import Builder

__all__ = ["Builder"]
