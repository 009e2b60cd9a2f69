"""TF Serving's REST API (port 8501) with the standard library's HTTP client.

``GET /v1/models/NAME[/versions/N]`` (status), ``…/metadata`` (signatures) and
``POST …:predict`` with ``{"signature_name": …, "instances": [sequence, …]}``, answered by
``{"predictions": [{"probability": p, "logit": l, "windows": w}, …]}``; errors are
``{"error": "…"}``.
Only ``http`` and ``https`` URLs are used; a reply is read up to `MAX_REPLY_BYTES` and must
have that shape, or the error says what came back.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.serving.client import (
    DEFAULT_TIMEOUT,
    MAX_REPLY_BYTES,
    OUTPUT_TYPES,
    SIGNATURE,
    ServingClient,
    ServingError,
    server_message,
)

ERROR_BYTES = 64 * 1024  # of an error reply, for its message


class RestClient(ServingClient):
    """A model served at ``url`` (e.g. ``http://localhost:8501``)."""

    def __init__(
        self, url: str, model: str, version: int | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(model, version, timeout)
        if "://" not in url:
            url = f"http://{url}"
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KerasbindError(f"REST URL {url!r}: expected http://HOST:PORT or https://…")
        self.url = url.rstrip("/")

    @property
    def endpoint(self) -> str:
        version = f"/versions/{self.version}" if self.version is not None else ""
        return f"{self.url}/v1/models/{self.model}{version}"

    def _call(self, suffix: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request; every failure becomes a one-line `ServingError`."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.endpoint + suffix, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise ServingError(self._describe(error.code, _error_text(error))) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, socket.timeout | TimeoutError):
                message = f"no answer within {self.timeout:g} s"
            elif isinstance(reason, ConnectionRefusedError):
                message = "connection refused (is TF Serving running, with --rest_api_port?)"
            else:
                message = str(reason)
            raise ServingError(f"{self.url}: {message}") from error
        if len(raw) > MAX_REPLY_BYTES:
            raise ServingError(f"{self.url}: reply larger than {MAX_REPLY_BYTES:,} bytes")
        answer = self._parse(suffix or "status", lambda: json.loads(raw))
        if not isinstance(answer, dict):
            raise ServingError(f"{self.url}: unexpected reply from {self.servable}: {raw[:60]!r}")
        return answer

    def _parse(self, what: str, parse: Callable[[], Any]) -> Any:
        return self.parsed(self.url, what, parse)

    def _describe(self, code: int, text: str) -> str:
        if code == 404:
            return f"{self.url}: {self.servable} is not served ({text})"
        if code == 400:
            return f"{self.url}: {self.servable} rejected the request: {text}"
        return f"{self.url}: HTTP {code}: {text}"

    def status(self) -> list[dict[str, Any]]:
        answer = self._call("")
        return self._parse(
            "status",
            lambda: [
                {
                    "version": int(entry["version"]),
                    "state": str(entry.get("state", "UNKNOWN")),
                    "error": str(entry.get("status", {}).get("error_message", "")),
                }
                for entry in answer.get("model_version_status", [])
            ],
        )

    def signatures(self) -> dict[str, dict[str, Any]]:
        answer = self._call("/metadata")
        found = self._parse("/metadata", lambda: answer["metadata"]["signature_def"])
        return self._parse(
            "/metadata",
            lambda: {
                str(name): {
                    side: {
                        str(key): str(tensor["dtype"]) for key, tensor in sig.get(side, {}).items()
                    }
                    for side in ("inputs", "outputs")
                }
                for name, sig in found["signature_def"].items()
            },
        )

    def predict_batch(self, sequences: list[str]) -> dict[str, np.ndarray]:
        answer = self._call(":predict", {"signature_name": SIGNATURE, "instances": sequences})
        rows = answer.get("predictions")
        if not isinstance(rows, list) or len(rows) != len(sequences):
            raise ServingError(f"{self.url}: unexpected answer from {self.servable}")
        return self._parse(
            ":predict",
            lambda: {
                name: np.array([float(row[name]) for row in rows]).astype(dtype)
                for name, dtype in OUTPUT_TYPES.items()
            },
        )


def _error_text(error: urllib.error.HTTPError) -> str:
    """The ``{"error": …}`` message TF Serving puts in an error response, or the reason."""
    try:
        return server_message(str(json.loads(error.read(ERROR_BYTES))["error"]))
    except (ValueError, KeyError, TypeError, OSError, RecursionError):
        return str(error.reason)
