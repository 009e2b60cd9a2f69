"""``--datasets SPEC`` → named datasets: TFDS names (with globs) or a TSV manifest of files."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from kerasbind.errors import InputError, KerasbindError
from kerasbind.fingerprint import file_fingerprint
from kerasbind.sequences import SequenceSet

# a dataset name becomes a folder under OUT/runs: no absolute paths, no '..', no spaces
NAME = re.compile(r"[\w.+()-]+(/[\w.+()-]+)*")
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # all but the tab


@dataclass(frozen=True)
class DatasetSource:
    """One dataset: a TFDS name (``tfds``) or a training and a test file."""

    name: str
    tfds: str | None = None
    train: Path | None = None
    test: Path | None = None
    origin: str = ""  # where it was named (``manifest.tsv:3``), for messages

    def fingerprint(self) -> str:
        """What the cell's data are: the TFDS name, or the SHA-256 of both files' bytes (so
        two spellings of one file agree and two files of one name differ)."""
        if self.tfds is not None:
            return f"tfds:{self.tfds}"
        assert self.train is not None and self.test is not None
        return f"files:{file_fingerprint(self.train)}:{file_fingerprint(self.test)}"


def _check_name(name: str, where: tuple[Path, int] | None = None) -> str:
    """The canonical form of a usable dataset name: ``./a`` and ``a/./b`` are ``a`` and
    ``a/b`` (one folder, one name)."""
    parts = [part for part in name.split("/") if part != "."]
    if not NAME.fullmatch(name) or ".." in parts or not parts:
        problem = f"dataset name {name!r} is not usable as a folder name"
        if where:
            raise InputError(where[0], where[1], problem)
        raise KerasbindError(problem)
    return "/".join(parts)


def _manifest_lines(path: Path) -> list[str]:
    """The manifest's lines: UTF-8 (a byte-order mark allowed), of bounded size."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise InputError(path, None, f"larger than {MAX_MANIFEST_BYTES:,} bytes; not a manifest")
    try:
        return raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InputError(path, line, f"not UTF-8 text (byte 0x{raw[error.start]:02x})") from None


def read_manifest(path: Path) -> list[DatasetSource]:
    """``name<TAB>train<TAB>test`` lines (blank lines and ``#`` comments skipped); relative
    paths are relative to the manifest's folder."""
    sources: list[DatasetSource] = []
    for number, line in enumerate(_manifest_lines(path), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 3:
            raise InputError(
                path,
                number,
                f"expected name<TAB>train<TAB>test, got {len(fields)} tab-separated fields",
            )
        if CONTROL.search(line):  # a NUL breaks every path call
            raise InputError(path, number, "control characters in the line")
        name = _check_name(fields[0].strip(), (path, number))
        files = [path.parent / field.strip() for field in fields[1:]]
        for file in files:
            if not file.is_file():
                raise InputError(path, number, f"{file}: no such file")
        sources.append(
            DatasetSource(name, train=files[0], test=files[1], origin=f"{path}:{number}")
        )
    if not sources:
        raise InputError(path, None, "the manifest names no datasets")
    return sources


def _tfds_names(pattern: str) -> list[str]:
    """``dataset/config`` names matching ``pattern`` (a glob on the config part)."""
    from kerasbind.tfds_loading import dataset_builders

    builders = dataset_builders()
    dataset, _, config = pattern.strip().partition("/")
    if dataset not in builders:
        raise KerasbindError(
            f"--datasets: {pattern!r} is neither a file nor a TFDS name "
            f"({', '.join(builders)}, e.g. clip_seq/* or chip_seq/USF1*)"
        )
    configs = [c.name for c in builders[dataset].BUILDER_CONFIGS]
    config = config.replace("(", "").replace(")", "")  # upstream ChIP-seq names have them
    matched = fnmatch.filter(configs, config) if config else configs[:1]
    if not matched:
        raise KerasbindError(f"--datasets: no {dataset} config matches {config!r}")
    return [f"{dataset}/{name}" for name in matched]


def resolve_datasets(spec: str | Path) -> list[DatasetSource]:
    """A manifest file, or comma-separated TFDS names and globs, in the order given."""
    if Path(spec).is_file():
        return read_manifest(Path(spec))
    names: list[str] = []
    for pattern in str(spec).split(","):
        names += [name for name in _tfds_names(pattern) if name not in names]
    return [DatasetSource(_check_name(name), tfds=name, origin="--datasets") for name in names]


def load_source(
    source: DatasetSource,
    *,
    negatives: str = "none",
    neg_ratio: float = 1.0,
    seed: int = 0,
    data_dir: Path | None = None,
    manual_dir: Path | None = None,
) -> tuple[SequenceSet, SequenceSet]:
    """The training and test sets, through the same gate as ``tune``'s options: files or a
    TFDS name's ``train`` and ``test`` splits, shuffled negatives added when asked."""
    from kerasbind.datasets import load_sequence_set, read_dataset

    where = {"data_dir": data_dir, "manual_dir": manual_dir}
    if source.tfds is not None:
        train, test = (read_dataset(source.tfds, split, **where) for split in ("train", "test"))
    else:
        train, test = source.train, source.test
    options = {"negatives": negatives, "neg_ratio": neg_ratio, "seed": seed}
    return load_sequence_set(train, **options), load_sequence_set(test, **options)
