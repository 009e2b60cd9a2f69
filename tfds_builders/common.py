"""What the kerasbind builders share: raw files from ``manual_dir`` or a URL, and examples."""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import tensorflow_datasets as tfds

from kerasbind.sequences import SequenceSet

# deepRAM's copy of the iONMF CLIP-seq and DeepBind ChIP-seq benchmark files (unchanged upstream)
DEEPRAM_DATASETS_URL = "https://raw.githubusercontent.com/MedChaabane/deepRAM/master/datasets/"

LABEL_NAMES = ["unbound", "bound"]
PROBE_SECONDS = 3.0  # the connect timeout; a name lookup that hangs is given twice that
_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")


class OfflineError(tfds.download.DownloadError):
    """The download host cannot be reached: raised before TFDS's download (which retries for
    minutes) is tried. ``files`` are the raw files the build needs, relative to a manual dir."""

    def __init__(self, host: str, reason: str, files: Sequence[str]) -> None:
        self.host, self.reason, self.files = host, reason, list(files)
        super().__init__(
            f"cannot reach {host} ({reason}), so nothing was downloaded; to build offline, pass "
            f"--manual_dir DIR, a folder holding {' and '.join(self.files)}"
        )


def check_reachable(url: str, files: Sequence[str], seconds: float = PROBE_SECONDS) -> None:
    """Raise `OfflineError` unless ``url``'s host answers a TCP connection within ``seconds``
    (name lookup included, which has no timeout of its own, hence the thread). Behind a proxy
    the host need not be reachable directly, so nothing is checked."""
    if any(os.environ.get(v) or os.environ.get(v.upper()) for v in _PROXY_VARIABLES):
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    failure: list[str] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=seconds).close()
        except OSError as error:
            failure.append(str(error.strerror or error))

    probe = threading.Thread(target=connect, daemon=True)
    probe.start()
    probe.join(2 * seconds)
    if probe.is_alive():
        failure.append(f"no answer within {2 * seconds:g} s")
    if failure:
        raise OfflineError(host, failure[0], files)


class KerasbindBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """The kerasbind builders' base: it says what it prepares, and from where, on stderr.

    TFDS's own line ("Downloading and preparing dataset Unknown size …", from
    ``_log_download_bytes``) comes before the source is known and says nothing for local files,
    so it is replaced by `announce`, called once the raw files are at hand.
    """

    def _log_download_bytes(self) -> None:
        """Nothing: `announce` says it once the source is known."""

    def announce(self, source: str) -> None:
        """``Preparing NAME/CONFIG from SOURCE into DATA_DIR`` on stderr."""
        print(
            f"Preparing {self.name}/{self.builder_config.name} from {source} into {self.data_dir}",
            file=sys.stderr,
            flush=True,
        )

    def fetch(
        self, dl_manager: tfds.download.DownloadManager, files: Mapping[str, str], base_url: str
    ) -> dict[str, Path]:
        """Local paths of ``files`` (key -> path relative to ``manual_dir`` and ``base_url``).

        Files present under ``manual_dir`` (all of them) are read there; otherwise they are
        downloaded from ``base_url`` (after `check_reachable`) and checked against
        ``checksums.tsv``.
        """
        local = manual_dir(dl_manager)
        if local is not None and all((local / path).is_file() for path in files.values()):
            self.announce(str(local))
            return {key: local / path for key, path in files.items()}
        check_reachable(base_url, list(files.values()))
        self.announce(f"{base_url} (downloading)")
        urls = {key: raw_url(base_url, path) for key, path in files.items()}
        return {key: Path(path) for key, path in dl_manager.download(urls).items()}


def raw_url(base_url: str, relative_path: str) -> str:
    """The download URL of a file at ``relative_path`` under ``base_url`` (percent-encoded)."""
    return base_url + quote(relative_path)


def manual_dir(dl_manager: tfds.download.DownloadManager) -> Path | None:
    """The user's ``manual_dir``, or ``None`` when it was not given or is empty."""
    try:
        return Path(dl_manager.manual_dir)
    except (AssertionError, ValueError):  # TFDS's way of saying "no manual dir"
        return None


def sequence_examples(
    seqset: SequenceSet, columns: Mapping[str, str] | Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(key, example)`` pairs in the set's order: ``sequence``, ``label`` and metadata columns.

    ``columns`` maps feature names to metadata columns (a list means the same names).
    """
    if not isinstance(columns, Mapping):
        columns = {name: name for name in columns}
    metadata = {feature: seqset.metadata[column].tolist() for feature, column in columns.items()}
    for i, (sequence, label) in enumerate(zip(seqset.sequences, seqset.labels, strict=True)):
        example = {"sequence": sequence, "label": int(label)}
        example.update({feature: values[i] for feature, values in metadata.items()})
        yield i, example
