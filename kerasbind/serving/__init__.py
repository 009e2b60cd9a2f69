"""Clients for models exported by ``kerasbind export`` and served by TF Serving.

``connect(rest="http://host:8501", model="pum2")`` or ``connect(grpc="host:8500", …)`` gives a
`ServingClient` with ``status()``, ``signatures()`` and ``predict(sequences, batch_size)``.
``client.py`` holds the shared base, ``rest.py`` the REST client (standard library only),
``rpc.py`` the gRPC client (tensorflow-serving-api and TensorFlow, imported only when asked for).
"""

from __future__ import annotations

from kerasbind.errors import KerasbindError
from kerasbind.serving.client import DEFAULT_TIMEOUT, ServingClient, ServingError

__all__ = ["ServingClient", "ServingError", "connect"]


def connect(
    *,
    rest: str | None = None,
    grpc: str | None = None,
    model: str,
    version: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ServingClient:
    """A REST client for ``rest="http://host:8501"`` or a gRPC one for ``grpc="host:8500"``."""
    if (rest is None) == (grpc is None):
        raise KerasbindError("give exactly one of a REST URL and a gRPC address")
    if rest is not None:
        from kerasbind.serving.rest import RestClient

        return RestClient(rest, model, version, timeout)
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()  # the gRPC client imports TensorFlow
    from kerasbind.serving.rpc import GrpcClient

    return GrpcClient(grpc, model, version, timeout)
