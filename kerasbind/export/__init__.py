"""SavedModel export: raw-sequence signatures, TF Serving layout, warm-up records, configs.

Importing this package imports TensorFlow; the command line imports it lazily.
"""

from kerasbind.export.exporter import Export, default_model_name, export_run
from kerasbind.export.savedmodel import (
    ENCODED_SIGNATURE,
    INPUT_NAME,
    SERVING_SIGNATURE,
    build_archive,
    write_savedmodel,
)
from kerasbind.export.serving_config import write_models_config
from kerasbind.export.tf_encoding import encode_strings

__all__ = [
    "ENCODED_SIGNATURE",
    "INPUT_NAME",
    "SERVING_SIGNATURE",
    "Export",
    "build_archive",
    "default_model_name",
    "encode_strings",
    "export_run",
    "write_models_config",
    "write_savedmodel",
]
