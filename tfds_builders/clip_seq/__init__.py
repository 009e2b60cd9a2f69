"""The clip_seq dataset (importing this registers it with TFDS)."""

from tfds_builders.clip_seq.clip_seq_dataset_builder import Builder

__all__ = ["Builder"]
