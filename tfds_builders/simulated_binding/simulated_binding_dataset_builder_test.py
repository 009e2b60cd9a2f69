"""simulated_binding builder: every config generates its full, balanced splits offline."""

from typing import ClassVar

import tensorflow_datasets as tfds

from tfds_builders.simulated_binding import simulated_binding_dataset_builder


class SimulatedBindingTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = simulated_binding_dataset_builder.Builder
    # medium and hard differ only in simulate() options, which tests/test_simulate.py covers
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["easy"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 4000, "test": 1000}


if __name__ == "__main__":
    tfds.testing.test_main()
