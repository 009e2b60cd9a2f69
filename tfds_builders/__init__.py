"""kerasbind's TensorFlow Datasets builders; importing this package registers all of them."""

from tfds_builders import chip_seq, clip_seq, simulated_binding

BUILDERS = {
    "simulated_binding": simulated_binding.Builder,
    "clip_seq": clip_seq.Builder,
    "chip_seq": chip_seq.Builder,
}

__all__ = ["BUILDERS"]
