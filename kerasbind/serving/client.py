"""What every TF Serving client does: validate sequences, batch them, name the model."""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from kerasbind.errors import KerasbindError
from kerasbind.model_name import check_model_name
from kerasbind.sequences import SequenceError, canonicalise

SIGNATURE = "serving_default"
INPUT_NAME = "sequences"
# the serving signature's outputs: probability and logit of each sequence, and how many windows
# scored it (1: the model's length or shorter, padded; more: the best of that many windows)
OUTPUT_TYPES = {"probability": np.float32, "logit": np.float32, "windows": np.int32}
OUTPUT_NAMES = tuple(OUTPUT_TYPES)
DEFAULT_BATCH = 1024
DEFAULT_TIMEOUT = 30.0
MAX_REPLY_BYTES = 256 * 1024 * 1024  # the most a reply may hold, REST and gRPC alike
Parsed = TypeVar("Parsed")


class ServingError(KerasbindError):
    """TF Serving could not be reached or refused the request."""


class ServingClient(ABC):
    """A model (optionally one version) on a TF Serving server."""

    def __init__(
        self, model: str, version: int | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.model = check_model_name(model)  # it goes into a URL path or a model spec
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or version < 0
        ):
            raise KerasbindError(f"model version must be a whole number >= 0, not {version!r}")
        timeout_ok = isinstance(timeout, int | float) and not isinstance(timeout, bool)
        if not (timeout_ok and math.isfinite(timeout) and timeout > 0):
            raise KerasbindError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.version = version
        self.timeout = timeout

    @property
    def servable(self) -> str:
        """``model 'NAME'`` or ``model 'NAME' version N``, for messages."""
        version = f" version {self.version}" if self.version is not None else ""
        return f"model {self.model!r}{version}"

    def parsed(self, server: str, what: str, parse: Callable[[], Parsed]) -> Parsed:
        """``parse()`` of a reply; a reply of another shape (a stranger's server, a proxy's
        page) is a one-line `ServingError` rather than a KeyError deep inside."""
        try:
            return parse()
        except (
            KeyError,
            IndexError,
            TypeError,
            ValueError,
            AttributeError,
            RecursionError,
        ) as error:
            raise ServingError(
                f"{server}: unexpected reply from {self.servable} to {what} "
                f"({type(error).__name__}: {str(error)[:80]})"
            ) from None

    @abstractmethod
    def status(self) -> list[dict[str, Any]]:
        """``[{"version": int, "state": str, "error": str}]`` for the model's versions."""

    @abstractmethod
    def signatures(self) -> dict[str, dict[str, Any]]:
        """``{signature: {"inputs": {name: dtype}, "outputs": {name: dtype}}}``."""

    @abstractmethod
    def predict_batch(self, sequences: list[str]) -> dict[str, np.ndarray]:
        """One request: ``{"probability": (n,), "logit": (n,)}`` float32 and ``{"windows":
        (n,)}`` int32 (see `OUTPUT_TYPES`)."""

    def predict(
        self, sequences: Sequence[str], batch_size: int = DEFAULT_BATCH
    ) -> dict[str, np.ndarray]:
        """Outputs for any number of sequences, sent ``batch_size`` per request: probability,
        logit and windows (which length rule applied: 1 window for a sequence of the model's
        length or shorter, centred between N; more for a longer one, scored by its best window).

        Sequences are checked here first, so a bad one is reported with its number before
        anything is sent.
        """
        if batch_size < 1:
            raise KerasbindError("batch size must be positive")
        sequences = list(sequences)
        empty = next((i for i, s in enumerate(sequences) if not s), None)
        if empty is not None:  # the SavedModel refuses it too (InvalidArgument)
            raise KerasbindError(f"sequence {empty + 1}: empty sequence")
        try:
            canonical = canonicalise(sequences)
        except SequenceError as error:
            raise KerasbindError(f"sequence {error.index + 1}: {error}") from error
        parts = []
        for start in range(0, len(canonical), batch_size):
            batch = canonical[start : start + batch_size]
            try:
                parts.append(self.predict_batch(batch))
            except ServingError as error:
                if len(canonical) <= batch_size:
                    raise
                where = f"request of sequences {start + 1}-{start + len(batch)}"
                raise ServingError(f"{error} ({where})") from error
        return {
            name: np.concatenate([p[name] for p in parts]).astype(dtype)
            if parts
            else np.zeros(0, dtype)
            for name, dtype in OUTPUT_TYPES.items()
        }


def server_message(text: str) -> str:
    """TF Serving's error text in one line: the assertion message alone when there is one."""
    found = re.search(r"assertion failed: \[(.*?)\]\s*$", text, flags=re.MULTILINE)
    if found:
        return found.group(1)
    first = text.strip().splitlines()[0] if text.strip() else "no details"
    return re.sub(r"^\{\{function_node [^}]*\}\}\s*", "", first)
