"""deepRAM's architectures as Keras 3 functional models: specs, blocks and one builder."""

from kerasbind.models.builder import (
    EMBEDDING_DIM,
    HYPERPARAMETER_KEYS,
    build_model,
    compile_model,
    default_hyperparameters,
)
from kerasbind.models.specs import ARCHITECTURES, RNN_KINDS, ArchitectureSpec, resolve_architecture

__all__ = [
    "ARCHITECTURES",
    "EMBEDDING_DIM",
    "HYPERPARAMETER_KEYS",
    "RNN_KINDS",
    "ArchitectureSpec",
    "build_model",
    "compile_model",
    "default_hyperparameters",
    "resolve_architecture",
]
