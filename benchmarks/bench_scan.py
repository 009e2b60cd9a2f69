"""Scanning and variant-scoring speed (issue 25), on a synthetic genome, both strands.

Measures, each with wall time and process CPU time (this machine may be shared; the CPU time is
less disturbed by other work):

- deepbind, one pass (fully convolutional): window starts scored per second over ``--mb`` Mb
  (default 10), scores only (`Scanner.scores` chunk by chunk; part ``scores``) and the whole
  `scan_genome` with its BigWig and hits outputs (the bedGraph text track is timed on 1 Mb: it
  is text); with ``--baseline REV`` the scores-only pass of the `Scanner` of git revision REV
  (its ``kerasbind/scanning/{scanner,convolution}.py``) runs too, interleaved ``--repeat``
  times with the current one, so that a loaded machine slows both alike;
- deepbind window by window on ``--window-kb`` kb: the one-pass speed-up;
- the standard budget's first trials (deepbind, 128 filters, ReLU dense layer of 32), global and
  positional pooling, one pass over ``--pooling-mb`` Mb against window by window over
  ``--window-kb`` kb (part ``pooling``);
- a recurrent model (danq) window by window at ``--stride``, against its `predict_encoded`
  throughput × stride;
- peak memory (max RSS of a fresh process) of a scan of a 1 Mb and a 50 Mb chromosome;
- variants per second: ``--variants`` SNVs scored against the genome with deepbind.

    .venv/bin/python benchmarks/bench_scan.py [--mb 10] [--parts one-pass windows ...]
    .venv/bin/python benchmarks/bench_scan.py --parts scores --baseline 52db185 --repeat 3
    .venv/bin/python benchmarks/bench_scan.py --parts scores --preset PUM2 --mb 1 --baseline REV

Untrained weights (speed does not depend on their values), 101-nt windows, float32.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kerasbind.runtime import set_seed, start_tensorflow

start_tensorflow()

from kerasbind.encoding import EncoderSpec  # noqa: E402
from kerasbind.models import build_model  # noqa: E402
from kerasbind.prediction import predict_encoded  # noqa: E402
from kerasbind.scanning import scan_genome, score_variants  # noqa: E402
from kerasbind.scanning.scanner import Scanner  # noqa: E402

WINDOW = 101
PARTS = ("scores", "one-pass", "windows", "pooling", "recurrent", "variants", "memory")


def write_genome(folder: Path, megabases: float, seed: int = 0) -> Path:
    """One chromosome of random letters (with a few N runs), FASTA + index."""
    from pyfaidx import Faidx

    rng = np.random.default_rng(seed)
    size = int(megabases * 1_000_000)
    letters = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, size)].copy()
    letters[size // 3 : size // 3 + 5000] = ord("N")
    path = folder / f"genome_{megabases:g}mb.fa"
    with open(path, "wb") as handle:
        handle.write(b">chrB\n")
        for start in range(0, size, 1 << 20):  # long lines: fast to write and to index
            handle.write(letters[start : start + (1 << 20)].tobytes() + b"\n")
    Faidx(str(path))
    return path


def timed(work):
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def model_of(arch: str, kind: str = "onehot"):
    encoder = EncoderSpec(kind, WINDOW)
    return build_model(arch, encoder=encoder), encoder


def scores_only(scanner: Scanner, genome: Path, stride: int) -> int:
    """Window starts scored, chunk by chunk, without writing anything."""
    from kerasbind.scanning.genome import DEFAULT_CHUNK, Genome, chunks

    fasta = Genome(genome)
    windows = 0
    for region in fasta.whole():
        for piece in chunks(fasta, region, WINDOW, stride, DEFAULT_CHUNK):
            windows += len(scanner.scores(piece.codes, stride, both=True).log_odds)
    return windows


def baseline_scanner(revision: str, folder: Path) -> type:
    """`Scanner` as it was at git ``revision`` (its scanner and convolution modules, read with
    ``git show`` into ``folder``; the rest of kerasbind is the current one)."""
    root = Path(__file__).resolve().parents[1]
    for name in ("convolution", "scanner"):
        text = subprocess.run(
            ["git", "show", f"{revision}:kerasbind/scanning/{name}.py"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        text = text.replace("kerasbind.scanning.convolution import", "baseline_convolution import")
        (folder / f"baseline_{name}.py").write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module("baseline_scanner").Scanner


def rate(count: int, wall: float, cpu: float) -> dict[str, float]:
    return {
        "count": count,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "per_s": round(count / wall),
        "per_cpu_s": round(count / cpu),
    }


def peak_memory(megabases: float, folder: Path) -> float:
    """Max RSS (MiB) of a fresh process scanning a chromosome of ``megabases``."""
    script = (
        "import sys, resource; sys.argv[1:] = []\n"
        "from benchmarks.bench_scan import *\n"
        f"genome = write_genome(Path({str(folder)!r}), {megabases})\n"
        "model, encoder = model_of('deepbind')\n"
        f"scan_genome(model, encoder, genome, Path({str(folder)!r}) / 'out{megabases:g}', "
        "formats=['bigwig', 'hits'], progress=False, overwrite=True)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def one_pass_scores(
    results: dict,
    genome: Path,
    small: Path,
    baseline: str | None,
    repeat: int,
    folder: Path,
    preset: str | None = None,
) -> None:
    """deepbind (or a shipped ``preset``'s model), one pass, scores only; with ``baseline``,
    that revision's `Scanner` too, interleaved with the current one (``repeat`` rounds of old
    then new)."""
    if preset is None:
        model, encoder = model_of("deepbind")
    else:
        import kerasbind as kb

        run = kb.load_preset(preset)
        model, encoder = run.model, run.encoder
    scanners = {"current": Scanner(model, encoder)}
    if baseline:
        scanners[f"baseline_{baseline}"] = baseline_scanner(baseline, folder)(model, encoder)
    for scanner in scanners.values():
        scores_only(scanner, small, 1)  # compile (numba) and trace (TensorFlow) first
    rounds: dict[str, list] = {name: [] for name in scanners}
    for _ in range(repeat):
        for name, scanner in reversed(scanners.items()):
            windows, wall, cpu = timed(lambda scanner=scanner: scores_only(scanner, genome, 1))
            rounds[name].append(rate(windows, wall, cpu))
            print(
                f"{name}: {rounds[name][-1]['per_s']:,} positions/s "
                f"({rounds[name][-1]['per_cpu_s']:,} per CPU-second)",
                file=sys.stderr,
            )
    for name, runs in rounds.items():
        best = max(runs, key=lambda run: run["per_s"])
        results[f"{preset or 'deepbind'}_one_pass_scores_{name}"] = {
            **best,
            "rounds_per_s": [run["per_s"] for run in runs],
            "rounds_per_cpu_s": [run["per_cpu_s"] for run in runs],
        }


def one_pass(results: dict, folder: Path, genome: Path, small: Path) -> None:
    """deepbind, one pass: whole scans with their outputs."""
    model, encoder = model_of("deepbind")
    scanner = Scanner(model, encoder)
    scores_only(scanner, small, 1)  # compile (numba) and trace (TensorFlow) first
    summary, wall, cpu = timed(
        lambda: scan_genome(
            model, encoder, genome, folder / "scan", formats=["bigwig", "hits"], progress=False
        )
    )
    results["deepbind_scan_bigwig_hits"] = rate(summary.windows, wall, cpu)
    one = write_genome(folder, 1.0, seed=2)
    summary, wall, cpu = timed(
        lambda: scan_genome(
            model, encoder, one, folder / "scan1", formats=["bedgraph"], progress=False
        )
    )
    results["deepbind_scan_bedgraph_1mb"] = rate(summary.windows, wall, cpu)


def window_path(results: dict, folder: Path, kilobases: float, small: Path) -> None:
    """deepbind window by window (the one pass's speed-up)."""
    model, encoder = model_of("deepbind")
    genome = write_genome(folder, kilobases / 1000, seed=3)
    windowed = Scanner(model, encoder, mode="windows")
    scores_only(windowed, small, 1)
    windows, wall, cpu = timed(lambda: scores_only(windowed, genome, 1))
    results["deepbind_window_path"] = rate(windows, wall, cpu)


def pooling(results: dict, folder: Path, megabases: float, kilobases: float, small: Path) -> None:
    """The standard budget's first trials, both poolings: one pass against window by window."""
    long = write_genome(folder, megabases, seed=5)
    short = write_genome(folder, kilobases / 1000, seed=3)
    for kind in ("global", "positional"):
        encoder = EncoderSpec("onehot", WINDOW)
        hparams = {"filters": 128, "dense_units": 32, "pooling": kind}
        model = build_model("deepbind", hparams, encoder=encoder)
        for mode, genome in (("convolutional", long), ("windows", short)):
            scanner = Scanner(model, encoder, mode=mode)
            scores_only(scanner, small, 1)  # compile (numba) and trace (TensorFlow) first
            windows, wall, cpu = timed(
                lambda scanner=scanner, genome=genome: scores_only(scanner, genome, 1)
            )
            results[f"deepbind128_{kind}_{mode}"] = rate(windows, wall, cpu)
        one_pass, windowed = (
            results[f"deepbind128_{kind}_{m}"] for m in ("convolutional", "windows")
        )
        results[f"deepbind128_{kind}_speedup"] = round(one_pass["per_s"] / windowed["per_s"], 1)


def recurrent(results: dict, folder: Path, kilobases: float, small: Path, stride: int) -> None:
    """danq window by window at ``stride``, against its prediction throughput × stride."""
    danq, encoder = model_of("danq")
    genome = write_genome(folder, kilobases / 1000, seed=3)
    scanner = Scanner(danq, encoder)
    scores_only(scanner, small, stride)
    windows, wall, cpu = timed(lambda: scores_only(scanner, genome, stride))
    results[f"danq_scan_stride{stride}_positions"] = rate(windows * stride, wall, cpu)
    x = np.random.default_rng(0).random((8192, WINDOW, 4), dtype=np.float32)
    predict_encoded(danq, x[:512])
    # `predict` of a DNA window: both strands, two model calls
    _, wall, cpu = timed(lambda: (predict_encoded(danq, x), predict_encoded(danq, x[:, ::-1])))
    results["danq_predict_windows_per_s"] = round(len(x) / wall)
    results["danq_predict_x_stride"] = round(len(x) / wall * stride)


def variants(results: dict, folder: Path, genome: Path, megabases: float, count: int) -> None:
    """``count`` SNVs at random places of ``genome``, scored with deepbind."""
    from pyfaidx import Fasta

    model, encoder = model_of("deepbind")
    rng = np.random.default_rng(4)
    fasta = Fasta(str(genome), as_raw=True)
    positions = np.sort(
        rng.choice(np.arange(1000, int(megabases * 1e6) - 1000), count, replace=False)
    )
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chrB>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    for number, position in enumerate(positions.tolist()):
        ref = fasta["chrB"][position - 1 : position]
        alt = "A" if ref != "A" else "C"
        lines.append(f"chrB\t{position}\tv{number}\t{ref}\t{alt}\t.\t.\t.")
    vcf = folder / "snvs.vcf"
    vcf.write_text("\n".join(lines) + "\n")
    score_variants(model, encoder, vcf, genome)  # trace first
    (table, _), wall, cpu = timed(lambda: score_variants(model, encoder, vcf, genome))
    results["deepbind_variants"] = rate(len(table), wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--window-kb", type=float, default=200.0)
    parser.add_argument("--pooling-mb", type=float, default=2.0)
    parser.add_argument("--stride", type=int, default=10)
    parser.add_argument("--variants", type=int, default=20000)
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time the one-pass scores of the Scanner at this git revision, interleaved",
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the scores part")
    parser.add_argument(
        "--preset", metavar="NAME", help="the scores part scans this shipped preset's model"
    )
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="which measurements (default all)",
    )
    args = parser.parse_args()
    set_seed(0)
    results: dict[str, object] = {"load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        genome = write_genome(folder, args.mb)
        small = write_genome(folder, 0.2, seed=1)
        if "scores" in args.parts:
            one_pass_scores(results, genome, small, args.baseline, args.repeat, folder, args.preset)
        if "one-pass" in args.parts:
            one_pass(results, folder, genome, small)
        if "windows" in args.parts:
            window_path(results, folder, args.window_kb, small)
        if "pooling" in args.parts:
            pooling(results, folder, args.pooling_mb, args.window_kb / 2, small)
        if "recurrent" in args.parts:
            recurrent(results, folder, args.window_kb, small, args.stride)
        if "variants" in args.parts:
            variants(results, folder, genome, args.mb, args.variants)
        if "memory" in args.parts:
            results["peak_rss_mib_1mb"] = round(peak_memory(1, folder))
            results["peak_rss_mib_50mb"] = round(peak_memory(50, folder))
    results["load_average_end"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
