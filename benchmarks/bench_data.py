"""Speed of the data layer: the dinucleotide shuffle and the readers.

    .venv/bin/python benchmarks/bench_data.py [--data ../shared/data] [--repeats 5]

Prints one Markdown table row per measurement (best of ``--repeats`` runs, after a warm-up call
that also compiles or loads the numba kernel). The shuffle runs on one core: numba's kernel is
single-threaded.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kerasbind.encoding import EncoderSpec, encode
from kerasbind.readers import read_sequences
from kerasbind.shuffle import dinucleotide_shuffle


def best_time(work: Callable[[], object], repeats: int) -> float:
    work()  # warm-up: numba compile / cache load, file cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}\n"
    )
    print("| what | n | seconds | per second |")
    print("| --- | ---: | ---: | ---: |")
    rng = np.random.default_rng(0)
    n = 100_000
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, size=(n, 101))]
    sequences = [row.tobytes().decode() for row in letters]
    seconds = best_time(lambda: dinucleotide_shuffle(sequences, seed=1), args.repeats)
    print(
        f"| dinucleotide_shuffle, 101 nt, random ACGT | {n:,} | {seconds:.3f} | "
        f"{n / seconds:,.0f} sequences |"
    )

    for kind in ("onehot", "kmer"):
        spec = EncoderSpec(kind, 101)
        seconds = best_time(lambda spec=spec: encode(sequences, spec), args.repeats)
        print(
            f"| encode, {kind}, 101 nt (strings to model input) | {n:,} | {seconds:.3f} | "
            f"{n / seconds:,.0f} sequences |"
        )

    files = {
        "read_sequences, iONMF FASTA (PUM2 training, gzip)": args.data
        / "CLIP-seq/23_PARCLIP_PUM2_hg19/30000/training_sample_0/sequences.fa.gz",
        "read_sequences, DeepBind ChIP (USF1 _AC, gzip)": args.data
        / "ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_AC.seq.gz",
    }
    for label, path in files.items():
        if not path.exists():
            print(f"| {label} | (missing: {path}) | | |")
            continue
        count = len(read_sequences(path))
        seconds = best_time(lambda path=path: read_sequences(path), args.repeats)
        print(f"| {label} | {count:,} | {seconds:.3f} | {count / seconds:,.0f} sequences |")


if __name__ == "__main__":
    main()
