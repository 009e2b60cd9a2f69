"""Mistakes and unusable places give one line and exit code 2: bad arguments and missing inputs
before TensorFlow starts, outputs under a file, under /proc or on a full disk without a
traceback or a half-written result; too small or odd training data."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_config

REPO = Path(__file__).resolve().parents[1]
# the issue asks for 3 s on an idle machine; a shared test machine gets a generous bound, and
# the real check is that TensorFlow was never imported
EARLY_ERROR_SECONDS = 30


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A simulated TSV and a DeepBind run trained on it for a few steps."""
    folder = tmp_path_factory.mktemp("errors")
    train, _ = simulate_config("easy")
    write_tsv(train.subset(np.arange(0, 4000, 10)), folder / "train.tsv")
    (folder / "hp.json").write_text('{"hyperparameters": {"filterz": 3}}')
    kb.train("deepbind", folder / "train.tsv", steps=10, eval_every=10, out=folder / "run",
             progress=False)  # fmt: skip
    return {"train": folder / "train.tsv", "run": folder / "run", "folder": folder}


def run_cli(*argv: str, preexec=None) -> tuple[subprocess.CompletedProcess, float, bool]:
    """``kerasbind ARGV`` in a fresh interpreter: the result, its seconds and whether
    TensorFlow was imported."""
    code = (
        "import sys; from kerasbind.cli import main; code = main(sys.argv[1:]); "
        "print('tensorflow' in sys.modules); sys.exit(code)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          env=env, preexec_fn=preexec, timeout=600)  # fmt: skip
    imported = done.stdout.strip().endswith("True")
    return done, time.perf_counter() - started, imported


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["predict", "RUN", "--input", "/nonexistent.fa", "--output", "p.tsv"],
         "argument --input: /nonexistent.fa: no such file"),
        (["predict", "RUN", "--input", "/tmp", "--output", "p.tsv"], "/tmp: is a folder"),
        (["train", "--train", "TRAIN", "--steps", "0", "--out", "r"],
         "--steps: must be at least 1"),
        (["train", "--train", "TRAIN", "--neg-ratio", "inf", "--out", "r"],
         "--neg-ratio: must be a finite number > 0, not 'inf'"),
        (["tune", "--train", "/nonexistent.fa", "--out", "r"], "/nonexistent.fa: no such file"),
        (["train", "--train", "TRAIN", "--hparams", "HP", "--out", "R"],
         "hp.json: unknown hyper-parameters filterz"),
        (["evaluate", "/nonexistent-run", "--test", "TRAIN"], "/nonexistent-run: no such folder"),
    ],
)  # fmt: skip
def test_argument_errors_come_before_tensorflow(small, argv: list[str], message: str) -> None:
    names = {"RUN": small["run"], "TRAIN": small["train"], "HP": small["folder"] / "hp.json",
             "R": small["folder"] / "never"}  # fmt: skip
    argv = [str(names.get(a, a)) for a in argv]
    done, seconds, imported = run_cli(*argv)
    assert done.returncode == 2
    assert message in one_line(done.stderr)
    assert not imported, "TensorFlow was imported before the error"
    assert seconds < EARLY_ERROR_SECONDS


def check_output_error(argv: list[str], capsys, *, leftover: Path | None = None) -> str:
    assert main(argv) == 2
    line = one_line(capsys.readouterr().err)
    if leftover is not None:
        assert not leftover.exists(), f"{leftover} left behind"
    return line


def test_outputs_under_a_file_or_proc(small, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    run, train = str(small["run"]), str(small["train"])
    for place in (blocker, Path("/proc")):
        line = check_output_error(
            ["predict", run, "--input", train, "--output", str(place / "p.tsv")], capsys
        )
        assert "cannot write the output file there" in line
        line = check_output_error(["export", run, "--out", str(place / "models")], capsys)
        assert "cannot write the export base folder there" in line
        for command in ("train", "tune"):
            line = check_output_error(
                [command, "--train", train, "--out", str(place / "run"), "--quiet"], capsys
            )
            assert f"{place / 'run'}: cannot write the run there" in line
        line = check_output_error(
            ["train", "--train", train, "--out", str(tmp_path / "r"), "--export",
             str(place / "m"), "--quiet"], capsys, leftover=tmp_path / "r" / "model.keras",
        )  # fmt: skip
        assert "cannot write the export base folder there" in line
    line = check_output_error(["predict", run, "--input", train, "--output", str(tmp_path)], capsys)
    assert "is a folder; give a file name" in line


@contextlib.contextmanager
def full_disk(tmp_path: Path) -> Iterator[tuple[Path, object]]:
    """A folder on a 64 KiB tmpfs with 8 KiB left (root only), or else an ordinary folder with
    the process's file size limit at 8 KiB (writes beyond it fail with EFBIG, a real OSError)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]
    mounted = os.geteuid() == 0 and subprocess.run(command, capture_output=True).returncode == 0

    def limit() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    if mounted:
        (mount / "filler").write_bytes(bytes(56 * 1024))
    try:
        yield mount, None if mounted else limit
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.slow
def test_a_full_disk_leaves_no_partial_output(small, tmp_path: Path) -> None:
    """Two fresh interpreters (about 30 s): an export and a training run that do not fit."""
    with full_disk(tmp_path) as (place, preexec):
        done, _, _ = run_cli("export", str(small["run"]), "--out", str(place / "models"),
                             preexec=preexec)  # fmt: skip
        assert done.returncode == 2, done.stderr
        one_line(done.stderr)
        assert not [p for p in (place / "models").rglob("*") if p.is_dir() and p.name == "1"]
        done, _, _ = run_cli("train", "--train", str(small["train"]), "--steps", "10",
                             "--out", str(place / "run"), "--quiet", preexec=preexec)  # fmt: skip
        assert done.returncode == 2, done.stderr
        one_line(done.stderr)
        assert not (place / "run" / "kerasbind.json").exists()  # not taken for a finished run


def test_too_small_training_sets_name_the_minimum(tmp_path: Path, capsys) -> None:
    four = tmp_path / "four.tsv"
    four.write_text(
        "sequence\tlabel\nACGTACGTAGCTAGCTAGCA\t1\nACGTTTTTAGCTAGCTAGCA\t0\n"
        "ACGAAAATAGCTAGCTAGCA\t1\nACGTACGTAGCTAGGGGGCA\t1\n"
    )
    argv = ["train", "--train", str(four), "--out", str(tmp_path / "r"), "--quiet"]
    line = check_output_error(argv, capsys)
    assert "3 positives and 1 negatives" in line and "at least 2 of each class" in line
