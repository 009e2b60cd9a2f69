"""Scoring speed of exported SavedModels through the ``serving_default`` string signature.

For every architecture (default hyper-parameters, 101-nt input, untrained weights: speed does not
depend on the values): export, load with ``tf.saved_model.load`` and time
- throughput: batches of 1,024 random 101-nt sequences (best of ``--repeats`` passes over
  ``--batches`` batches, after warm-up), in sequences per second, through the string signature
  and, for comparison, the ``encoded`` signature (the model alone);
- latency: one 101-nt sequence per call, median and 90th percentile of ``--calls`` calls, in ms.

    .venv/bin/python benchmarks/bench_export.py [--arch deepbind ...]

TensorFlow runs with oneDNN on (`kerasbind.runtime.start_tensorflow`), as a user's process
loading the SavedModel and TF Serving do on most CPUs; TF_ENABLE_ONEDNN_OPTS=0 turns it off.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kerasbind.runtime import set_seed, start_tensorflow

start_tensorflow()

import tensorflow as tf  # noqa: E402

from kerasbind.encoding import EncoderSpec, encode  # noqa: E402
from kerasbind.export import write_savedmodel  # noqa: E402
from kerasbind.export.warmup import warmup_sequences  # noqa: E402
from kerasbind.models import (  # noqa: E402
    ARCHITECTURES,
    build_model,
    default_hyperparameters,
    resolve_architecture,
)

LENGTH = 101
BATCH = 1024


def measure(arch_name: str, batches: int, repeats: int, calls: int) -> dict[str, float]:
    arch = resolve_architecture(arch_name)
    encoder = EncoderSpec("kmer" if arch.embedding else "onehot", LENGTH)
    model = build_model(arch, default_hyperparameters(arch), encoder)
    with tempfile.TemporaryDirectory() as folder:
        write_savedmodel(model, encoder, Path(folder))
        signatures = tf.saved_model.load(folder).signatures
        score, score_encoded = signatures["serving_default"], signatures["encoded"]
        sequences = warmup_sequences(LENGTH, BATCH, seed=1)
        batch, encoded = tf.constant(sequences), tf.constant(encode(sequences, encoder))
        one = tf.constant(warmup_sequences(LENGTH, 1, seed=2))
        for _ in range(3):
            score(sequences=batch)
            score(sequences=one)
            score_encoded(encoded=encoded)
        best = best_encoded = float("inf")
        for _ in range(repeats):  # interleaved, so both see the same machine load
            start = time.perf_counter()
            for _ in range(batches):
                score(sequences=batch)["probability"].numpy()
            best = min(best, time.perf_counter() - start)
            start = time.perf_counter()
            for _ in range(batches):
                score_encoded(encoded=encoded)["probability"].numpy()
            best_encoded = min(best_encoded, time.perf_counter() - start)
        latencies = []
        for _ in range(calls):
            start = time.perf_counter()
            score(sequences=one)["probability"].numpy()
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    return {
        "per_second": batches * BATCH / best,
        "encoded_per_second": batches * BATCH / best_encoded,
        "median_ms": 1000 * statistics.median(latencies),
        "p90_ms": 1000 * latencies[int(0.9 * len(latencies))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=list(ARCHITECTURES))
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    set_seed(0)
    print(
        "| architecture | strings: sequences/s | encoded input: sequences/s "
        "| 1 sequence: median ms | p90 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in args.arch:
        result = measure(name, args.batches, args.repeats, args.calls)
        print(
            f"| {name} | {result['per_second']:,.0f} | {result['encoded_per_second']:,.0f} "
            f"| {result['median_ms']:.2f} "
            f"| {result['p90_ms']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
