"""The simulated_binding dataset (importing this registers it with TFDS)."""

from tfds_builders.simulated_binding.simulated_binding_dataset_builder import Builder

__all__ = ["Builder"]
