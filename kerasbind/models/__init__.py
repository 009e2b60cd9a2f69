"""deepRAM's architectures as Keras 3 functional models: specs, blocks and one builder.

The specs import no Keras, so the command line can list and check architectures before
TensorFlow starts; the builder's names are imported on first use.
"""

from typing import Any

from kerasbind.models.specs import ARCHITECTURES, RNN_KINDS, ArchitectureSpec, resolve_architecture

_BUILDER_NAMES = (
    "EMBEDDING_DIM",
    "HYPERPARAMETER_KEYS",
    "build_model",
    "compile_model",
    "default_hyperparameters",
)

__all__ = [
    "ARCHITECTURES",
    "RNN_KINDS",
    "ArchitectureSpec",
    "resolve_architecture",
    *_BUILDER_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in _BUILDER_NAMES:
        from kerasbind.runtime import start_tensorflow

        start_tensorflow()  # the builder imports Keras
        from kerasbind.models import builder

        return getattr(builder, name)
    raise AttributeError(f"module 'kerasbind.models' has no attribute {name!r}")
