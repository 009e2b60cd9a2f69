"""Clients for models exported by ``kerasbind export`` and served by TF Serving.

``connect(rest="http://host:8501", model="pum2")`` or ``connect(grpc="host:8500", …)`` gives a
`ServingClient` with ``status()``, ``signatures()`` and ``predict(sequences, batch_size)``.
The gRPC client (and TensorFlow) is imported only when asked for.
"""

from kerasbind.serving.client import ServingClient, ServingError, connect

__all__ = ["ServingClient", "ServingError", "connect"]
