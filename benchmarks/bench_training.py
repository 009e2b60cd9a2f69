"""Training, prediction and data-preparation speed of the architectures (sequences per second).

    .venv/bin/python benchmarks/bench_training.py [--arch deepbind danq ecblstm] [--steps 300]

Trains on random 101-nt sequences with batch 128 through `kerasbind.training.train_steps` (the
same path as ``kerasbind train``), after a warm-up that absorbs tracing and XLA compilation, and
predicts with `kerasbind.prediction.predict_encoded`. ``--jit on|off`` overrides the builder's
XLA choice to compare both. Data preparation reads and encodes the PUM2 training file when
../shared/data is present. Each training figure comes with the CPU cores the process kept busy
while training (process CPU time / wall time) and the load average before it: a run that used
about one core of two is a run that did not get the second one (the bimodal recurrent figures
in benchmarks/RESULTS.md). ``--folds 3`` instead compares a trial's three folds trained one
after another with the same folds trained as one grouped model. ``--merged 3`` instead
compares one model's prediction speed with that of three merged into one (the final ensemble).
Seeding turns TensorFlow's deterministic kernels on (`kerasbind.runtime.deterministic_kernels`);
``TF_DETERMINISTIC_OPS=0`` in the environment measures without them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from kerasbind.runtime import set_seed, start_tensorflow

PUM2 = Path(__file__).resolve().parents[2] / "shared/data/CLIP-seq/23_PARCLIP_PUM2_hg19/30000"


def random_sequences(n: int, length: int = 101, seed: int = 0) -> list[str]:
    codes = np.random.default_rng(seed).integers(0, 4, (n, length))
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[codes]
    return [row.tobytes().decode() for row in letters]


def bench_architecture(name: str, steps: int, jit: str, n: int) -> dict[str, float]:
    from kerasbind.models import (
        build_model,
        compile_model,
        default_hyperparameters,
        resolve_architecture,
    )
    from kerasbind.pipeline import encoder_for
    from kerasbind.prediction import predict_encoded
    from kerasbind.sequences import SequenceSet
    from kerasbind.training import train_steps

    set_seed(0)
    seqset = SequenceSet(random_sequences(n), labels=np.arange(n) % 2)
    arch = resolve_architecture(name)
    encoder = encoder_for(arch, seqset)
    from kerasbind.encoding import encode

    x, y = encode(seqset.sequences, encoder), seqset.labels.astype(np.float32)
    model = build_model(arch, default_hyperparameters(arch), encoder)
    compile_model(model, arch, default_hyperparameters(arch))
    if jit != "auto":
        model.jit_compile = jit == "on"
    # warm-up with the same chunking, so the timed run reuses the traced training function
    train_steps(model, x, y, steps=steps, eval_every=steps, progress=False)
    load = os.getloadavg()[0]
    cpu = time.process_time()
    history = train_steps(model, x, y, steps=steps, eval_every=steps, progress=False)
    cores_used = (time.process_time() - cpu) / history.seconds
    predict_encoded(model, x[:4096])
    started = time.perf_counter()
    predict_encoded(model, x)
    predict_seconds = time.perf_counter() - started
    return {
        "train_seq_per_s": steps * 128 / history.seconds,
        "predict_seq_per_s": n / predict_seconds,
        "cores_used": cores_used,
        "load": load,
    }


def bench_grouped(name: str, steps: int, n: int, folds: int = 3) -> dict[str, float]:
    """Sequences per second when a trial's folds train one after another and as one grouped
    model (`kerasbind.tuning.grouped`), each timed after a warm-up of the same length, model
    building and tracing included (a trial pays them for every setting)."""
    from kerasbind.models import default_hyperparameters, resolve_architecture
    from kerasbind.pipeline import fit_model, prepare_inputs
    from kerasbind.sequences import SequenceSet
    from kerasbind.training import train_steps
    from kerasbind.tuning.grouped import FoldGroup
    from kerasbind.tuning.tuner import fold_splits

    arch = resolve_architecture(name)
    seqset = SequenceSet(random_sequences(n), labels=np.arange(n) % 2)
    prepared = prepare_inputs(arch, seqset)
    hparams = default_hyperparameters(arch)
    splits = fold_splits(prepared, folds, seed=0)
    seeds = list(range(1, folds + 1))
    out = {}
    for _attempt in ("warm-up", "timed"):
        started = time.perf_counter()
        for (inputs, _), seed in zip(splits, seeds, strict=True):
            fit_model(
                arch, hparams, inputs, steps=steps, eval_every=steps, seed=seed, progress=False
            )
        out["sequential_seq_per_s"] = folds * steps * 128 / (time.perf_counter() - started)
        started = time.perf_counter()
        group = FoldGroup(arch, hparams, prepared, seeds)
        train_steps(
            group.model,
            [s[0].x for s in splits],
            [s[0].y for s in splits],
            steps=steps,
            eval_every=steps,
            seed=seeds,
            progress=False,
        )
        out["grouped_seq_per_s"] = folds * steps * 128 / (time.perf_counter() - started)
    return out


def bench_merged(name: str, n: int, members: int) -> dict[str, float]:
    """Prediction speed of one model against ``members`` models merged into one
    (`kerasbind.models.merge`, the ensemble a tuned run keeps)."""
    from kerasbind.encoding import encode
    from kerasbind.models import build_model, default_hyperparameters, resolve_architecture
    from kerasbind.models.merge import merge_models
    from kerasbind.pipeline import encoder_for
    from kerasbind.prediction import predict_encoded
    from kerasbind.sequences import SequenceSet

    seqset = SequenceSet(random_sequences(n), labels=np.arange(n) % 2)
    arch = resolve_architecture(name)
    encoder = encoder_for(arch, seqset)
    x = encode(seqset.sequences, encoder)
    hparams = default_hyperparameters(arch)
    built = []
    for seed in range(members):
        set_seed(seed)
        built.append(build_model(arch, hparams, encoder))
    speeds = {}
    for label, model in (
        ("one", built[0]),
        ("merged", merge_models(built, arch, hparams, encoder)),
    ):
        predict_encoded(model, x[:4096])
        started = time.perf_counter()
        predict_encoded(model, x)
        speeds[f"{label}_seq_per_s"] = n / (time.perf_counter() - started)
    return speeds


def bench_preparation() -> dict[str, float]:
    from kerasbind.embedding import train_word2vec
    from kerasbind.encoding import EncoderSpec, encode
    from kerasbind.readers import read_sequences

    out = {}
    sequences = random_sequences(30000)
    if PUM2.is_dir():
        started = time.perf_counter()
        sequences = read_sequences(PUM2 / "training_sample_0/sequences.fa.gz").sequences
        out["read_pum2_s"] = time.perf_counter() - started
    for kind in ("onehot", "kmer"):
        started = time.perf_counter()
        encode(sequences, EncoderSpec(kind, 101))
        out[f"encode_{kind}_30000_s"] = time.perf_counter() - started
    started = time.perf_counter()
    train_word2vec(sequences, seed=0)
    out["word2vec_30000_s"] = time.perf_counter() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=["deepbind", "danq", "ecblstm"])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--n", type=int, default=30000, help="sequences (default 30000)")
    parser.add_argument("--jit", choices=["auto", "on", "off"], default="auto")
    parser.add_argument("--no-prep", action="store_true", help="skip data preparation timings")
    parser.add_argument(
        "--folds", type=int, default=0, help="instead: k folds trained one after another vs grouped"
    )
    parser.add_argument(
        "--merged", type=int, default=0, help="instead: prediction of one model vs N merged"
    )
    args = parser.parse_args()
    start_tensorflow()
    if args.merged:
        for name in args.arch:
            result = bench_merged(name, args.n, args.merged)
            print(
                f"{name:16s} predict: one model {result['one_seq_per_s']:9.0f} seq/s   "
                f"{args.merged} merged {result['merged_seq_per_s']:9.0f} seq/s",
                flush=True,
            )
        return
    if args.folds:
        for name in args.arch:
            result = bench_grouped(name, args.steps, args.n, args.folds)
            print(
                f"{name:16s} {args.folds} folds: one after another "
                f"{result['sequential_seq_per_s']:9.0f} seq/s   grouped "
                f"{result['grouped_seq_per_s']:9.0f} seq/s",
                flush=True,
            )
        return
    if not args.no_prep:
        for key, value in bench_preparation().items():
            print(f"{key:28s} {value:8.2f}")
    for name in args.arch:
        result = bench_architecture(name, args.steps, args.jit, args.n)
        print(
            f"{name:16s} jit={args.jit:4s} train {result['train_seq_per_s']:9.0f} seq/s   "
            f"predict {result['predict_seq_per_s']:9.0f} seq/s   training used "
            f"{result['cores_used']:.2f} of {len(os.sched_getaffinity(0))} cores "
            f"(load average {result['load']:.1f} before)",
            flush=True,
        )


if __name__ == "__main__":
    main()
