"""Shared test fixtures: the benchmark data folder, quiet TensorFlow, a numba cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KERASBIND_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# exact-number tests vary with oneDNN's kernels on AVX2 CPUs (7 Dec): the suite runs without
# them unless told otherwise; tests/test_runtime.py checks kerasbind's own default in a subprocess
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "kerasbind" / "numba"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (the real benchmark sets); tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"benchmark data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pum2_files(shared_data: Path) -> tuple[Path, Path]:
    """The PUM2 PAR-CLIP train and test FASTA files."""
    base = shared_data / "CLIP-seq" / "23_PARCLIP_PUM2_hg19" / "30000"
    return (
        base / "training_sample_0" / "sequences.fa.gz",
        base / "test_sample_0" / "sequences.fa.gz",
    )


@pytest.fixture(scope="session")
def usf1_files(shared_data: Path) -> tuple[Path, Path]:
    """The USF1 ENCODE ChIP-seq *_AC (positives only) and *_B files."""
    base = shared_data / "ChIP-seq"
    return (
        base / "USF1_H1-hESC_USF-1_HudsonAlpha_AC.seq.gz",
        base / "USF1_H1-hESC_USF-1_HudsonAlpha_B.seq.gz",
    )


@pytest.fixture(scope="session")
def planted_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A DeepBind run trained (600 steps, ~20 s) on simulated data with JASPAR USF1 (MA0093.4)
    and GATA1 (MA0035.5) planted in the positives, on the forward strand only, so trained and
    tested on that strand (``--strand forward``); for the motif, explain and report tests.

    Keys: ``run_dir``, ``train``/``test`` (TSV paths) and ``test_set`` (the `SequenceSet`, whose
    metadata has each positive's ``motif_id`` and 0-based ``motif_start``)."""
    from kerasbind.cli import main
    from kerasbind.readers import write_tsv
    from kerasbind.simulate import simulate_binding

    folder = tmp_path_factory.mktemp("planted")
    train, test = simulate_binding(2000, 400, ["MA0093.4", "MA0035.5"], seed=0)
    write_tsv(train, folder / "train.tsv")
    write_tsv(test, folder / "test.tsv")
    arguments = [
        "train",
        "--arch",
        "deepbind",
        "--train",
        str(folder / "train.tsv"),
        "--test",
        str(folder / "test.tsv"),
        "--steps",
        "600",
        "--eval-every",
        "600",
        "--out",
        str(folder / "run"),
        "--quiet",
        "--seed",
        "0",
        "--strand",
        "forward",
    ]
    assert main(arguments) == 0
    return {
        "run_dir": folder / "run",
        "train": folder / "train.tsv",
        "test": folder / "test.tsv",
        "test_set": test,
    }


@pytest.fixture(scope="session")
def ctcf_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A DeepBind run trained (400 steps, ~10 s) on simulated DNA with JASPAR CTCF (MA0139.1, a
    long, informative and not palindromic motif) planted on the forward strand of the positives,
    on that strand only (``strand="forward"``), so that which strand a site is on shows in the
    scores; for the scanning, length-rule and variant tests. Keys: ``run_dir``, ``site`` (the
    motif's consensus)."""
    import kerasbind as kb
    from kerasbind.simulate import motif_pfms, simulate_binding

    train, test = simulate_binding(2000, 400, ["MA0139.1"], seed=0)
    folder = tmp_path_factory.mktemp("ctcf") / "run"
    kb.train(
        "deepbind", train, test=test, steps=400, eval_every=400, seed=0, strand="forward",
        progress=False, out=folder,
    )  # fmt: skip
    pfm = motif_pfms(["MA0139.1"])["MA0139.1"]
    return {"run_dir": folder, "site": "".join("ACGT"[i] for i in pfm.argmax(axis=0))}
