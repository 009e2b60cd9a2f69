"""Choose the default hyper-parameters on validation folds of CLIP-seq training sets (issue 11).

No test file is read before ``remeasure``. Steps::

    python benchmarks/choose_defaults.py prepare DIR        # here: codes, folds, word2vec
    KERAS_BACKEND=jax python benchmarks/choose_defaults.py run DIR OUT [WORKERS] [SECONDS]
    python benchmarks/choose_defaults.py run DIR OUT 1 3000 STUDY...   # some studies, on a CPU
    python benchmarks/choose_defaults.py summarise benchmarks/choose_defaults.md RESULTS.jsonl...
    python benchmarks/choose_defaults.py remeasure DIR OUT.jsonl ARCH...   # after the choice

``prepare`` reads the training sets (``training_sample_0``) of `SETS`, splits each into thirds
as deepRAM does (``numpy`` permutation, seed 0) and trains both word2vec variants on its
sequences (kerasbind's: window 5, 5 epochs; deepRAM's: window 12, 5 + 100 epochs). ``run``
trains every job of `jobs` (one architecture, one candidate setting, one set, one fold: train on
the other two thirds for `STEPS` steps of 128, score the held-out third) in parallel worker
processes and appends one JSON line per job; jobs are ordered fold by fold, so a run stopped
by its time limit leaves every comparison with the same folds. ``summarise`` averages the
validation AUC over the (set, fold) pairs every compared setting finished and picks the best.
The GPU run used 14 workers and 235 s (``XLA_FLAGS=--xla_gpu_autotune_level=0``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

CLIP = Path("../shared/data/CLIP-seq")
SETS = {
    "PUM2": "23_PARCLIP_PUM2_hg19",
    "ELAVL1": "8_PARCLIP_ELAVL1_hg19",
    "TDP43": "27_ICLIP_TDP43_hg19",
}
FOLDS = (0, 1)
STEPS = 1500
# settings closer than this are tied (the same GPU job twice: 0.9527 and 0.9536)
TIE = 0.002
LENGTH = 101
W2V = {"kerasbind": {}, "deepram": {"window": 12, "extra_epochs": 100}}

# candidate defaults shared by the models with convolutions (the rest: as in the builder)
CANDIDATES = {
    "adagrad_0.05": {"optimizer": "adagrad", "learning_rate": 0.05},
    "adagrad_0.01": {"optimizer": "adagrad", "learning_rate": 0.01},
    "sgd_0.02": {"optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.98},
    "adagrad_0.05_keep0.7": {"optimizer": "adagrad", "learning_rate": 0.05, "dropout_keep": 0.7},
}
REPRESENTATIVES = ("deepbind", "danq", "deepbind_e_star", "ecblstm")
# one-setting studies compared with these rows of another study: study -> (source, setting, label)
REFERENCE = {
    "embedding": ("defaults", "adagrad_0.05", "trained"),
    "adagrad": ("defaults", "adagrad_0.05", "pytorch_accumulator_0"),
    "clipping": ("robust_rnn_embedding", "adagrad_0.01_conv0.1", "clipped_kerasbind"),
}
# Run on this CPU after the GPU run had chosen Adagrad lr 0.01: the first PyTorch-Adagrad step
# moves every weight by lr * sign(gradient), so a filter on one-hot input whose gradient says
# "lower" drops by about 24 * lr at once and, behind its ReLU, may never fire again; which
# filters survive depends on the seed. These candidates are judged over seeds too.
ROBUST = {
    "adagrad_0.01": {"optimizer": "adagrad", "learning_rate": 0.01},
    "adagrad_0.01_conv0.1": {"optimizer": "adagrad", "learning_rate": 0.01, "conv_init_std": 0.1},
    "adagrad_0.003": {"optimizer": "adagrad", "learning_rate": 0.003},
    "adagrad_0.001": {"optimizer": "adagrad", "learning_rate": 0.001},
    "sgd_0.02": {"optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.98},
}
SEEDS = (0, 1, 2)
SEEDED = {
    "robust",
    "robust_rnn_embedding",
    "bias",
    "clipping",
}  # studies run with every seed of SEEDS
# recurrent-only models (KEGRU) have their own defaults
RNN_ONLY = {
    "sgd_0.02": {"optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.98},
    "adagrad_0.05": {"optimizer": "adagrad", "learning_rate": 0.05},
}


def prepare(out: Path) -> None:
    """Codes, labels, folds and word2vec matrices of the training sets (resumable per set)."""
    from kerasbind.embedding import embedding_matrix, train_word2vec
    from kerasbind.readers import read_sequences

    out.mkdir(parents=True, exist_ok=True)
    for name, folder in SETS.items():
        path = out / f"{name}.npz"
        if path.exists():
            continue
        data = read_sequences(CLIP / folder / "30000" / "training_sample_0" / "sequences.fa.gz")
        third = np.random.default_rng(0).permutation(len(data.labels)) % 3
        arrays = {"codes": data.codes(LENGTH), "labels": data.labels, "third": third}
        for variant, options in W2V.items():
            started = time.perf_counter()
            model = train_word2vec(data.sequences, seed=0, **options)
            arrays[f"w2v_{variant}"] = embedding_matrix(model, 3)
            print(name, variant, f"{time.perf_counter() - started:.0f} s", flush=True)
        np.savez_compressed(path, **arrays)


def jobs(studies: list[str] | None = None) -> list[dict[str, Any]]:
    """Every (comparison, architecture, setting) on every (set, fold), fold-major; only
    ``studies`` when given."""
    settings: list[dict[str, Any]] = []
    for arch in REPRESENTATIVES:
        for cand, values in CANDIDATES.items():
            settings.append({"study": "defaults", "arch": arch, "setting": cand, "hp": values})
    for cand, values in RNN_ONLY.items():
        settings.append({"study": "rnn_only", "arch": "kegru", "setting": cand, "hp": values})
    for arch in ("deepbind_e_star", "ecblstm"):
        hp = CANDIDATES["adagrad_0.05"]
        settings.append({"study": f"w2v_{arch}", "arch": arch, "setting": "kerasbind", "hp": hp})
        settings.append(
            {"study": f"w2v_{arch}", "arch": arch, "setting": "deepram", "hp": hp, "w2v": "deepram"}
        )
    # run after the choice, on the CPU: the chosen defaults ({} = the builder's)
    for arch in ("deepbind_e_star",):
        settings.append(
            {"study": f"w2v_default_{arch}", "arch": arch, "setting": "kerasbind", "hp": {}}
        )
        settings.append(
            {
                "study": f"w2v_default_{arch}",
                "arch": arch,
                "setting": "deepram",
                "hp": {},
                "w2v": "deepram",
            }
        )
    settings += [
        {
            "study": "filters_default",
            "arch": "deepbind_star",
            "setting": "paper_16_24_36",
            "hp": {},
        },
        {
            "study": "filters_default",
            "arch": "deepbind_star",
            "setting": "deeprams_code_16_24_48",
            "hp": {},
            "growth": "deepram",
        },
    ]
    reference = CANDIDATES["adagrad_0.05"]
    settings += [
        {"study": "filters", "arch": "deepbind_star", "setting": "paper_16_24_36", "hp": reference},
        {
            "study": "filters",
            "arch": "deepbind_star",
            "setting": "deeprams_code_16_24_48",
            "hp": reference,
            "growth": "deepram",
        },
        {
            "study": "embedding",
            "arch": "ecblstm",
            "setting": "frozen",
            "hp": reference,
            "freeze": True,
        },
        {
            "study": "adagrad",
            "arch": "deepbind",
            "setting": "keras_accumulator_0.1",
            "hp": reference,
            "adagrad": "keras",
        },
    ]
    for arch in ("deepbind", "deepbind_star"):
        for cand, values in ROBUST.items():
            settings.append({"study": "robust", "arch": arch, "setting": cand, "hp": values})
    # the one-hot winner on the models whose first convolution reads word2vec vectors or
    # feeds an RNN
    for arch in ("deepbind_e_star", "ecblstm", "danq"):
        for cand in ("adagrad_0.01", "adagrad_0.01_conv0.1"):
            settings.append(
                {"study": "robust_rnn_embedding", "arch": arch, "setting": cand,
                 "hp": ROBUST[cand]}
            )  # fmt: skip
    # the kept departures from deepRAM, with the chosen defaults ({} = the builder's)
    for arch in ("deepbind",):
        settings.append({"study": "bias", "arch": arch, "setting": "zero_kerasbind", "hp": {}})
        settings.append(
            {"study": "bias", "arch": arch, "setting": "normal_1_deepram", "hp": {},
             "bias": "deepram"}
        )  # fmt: skip
    # (its reference: the same setting, clipped, in robust_rnn_embedding)
    settings.append(
        {"study": "clipping", "arch": "danq", "setting": "not_clipped_deepram",
         "hp": ROBUST["adagrad_0.01_conv0.1"], "clip": False}
    )  # fmt: skip
    out = []
    for fold in FOLDS:
        for name in SETS:
            for setting in settings:
                if studies is not None and setting["study"] not in studies:
                    continue
                seeds = SEEDS if setting["study"] in SEEDED else (fold,)
                if setting["study"] in ("robust_rnn_embedding", "clipping"):
                    seeds = SEEDS[:2]  # the slower models: two seeds
                out += [{**setting, "set": name, "fold": fold, "seed": seed} for seed in seeds]
    return out


def _worker_init(data_dir: str, deadline: float) -> None:
    global _DATA, _DEADLINE
    _DATA = {name: dict(np.load(Path(data_dir) / f"{name}.npz")) for name in SETS}
    _DEADLINE = deadline


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Train one job and score its held-out third; skipped once the deadline has passed."""
    if time.time() > _DEADLINE:
        return {**job, "skipped": True}
    try:
        return _train_and_score(job)
    except Exception as error:  # one failed job (e.g. out of GPU memory) must not end the run
        return {**job, "error": f"{type(error).__name__}: {str(error)[:200]}"}


def _train_and_score(job: dict[str, Any]) -> dict[str, Any]:
    import keras
    from sklearn.metrics import roc_auc_score

    from kerasbind.encoding import EncoderSpec, encode_codes
    from kerasbind.models import blocks, build_model, builder, compile_model, resolve_architecture

    started = time.perf_counter()
    data = _DATA[job["set"]]
    arch = resolve_architecture(job["arch"])
    encoder = EncoderSpec("kmer" if arch.embedding else "onehot", LENGTH)
    held_out = data["third"] == job["fold"]
    x = encode_codes(data["codes"], encoder)
    y = data["labels"].astype("float32")
    keras.utils.set_random_seed(job["seed"])
    growth = blocks.conv_filters
    if job.get("growth") == "deepram":  # deepRAM's code: int(1.5 * c * first) for layer c >= 1
        blocks.conv_filters = lambda first, layer: int(1.5 * layer * first) if layer else first
    try:
        matrix = data[f"w2v_{job.get('w2v', 'kerasbind')}"] if arch.embedding else None
        model = build_model(arch, job["hp"], encoder, matrix, job.get("freeze", False))
    finally:
        blocks.conv_filters = growth
    hparams = {**_defaults(arch), **job["hp"]}
    if job.get("bias") == "deepram":  # deepRAM: conv biases, and under Xavier dense ones, N(0, 1)
        rng = np.random.default_rng(job["fold"])
        for layer in model.layers:
            dense = isinstance(layer, keras.layers.Dense) and hparams["init"] == "xavier"
            if isinstance(layer, keras.layers.Conv1D) or dense:
                layer.bias.assign(rng.normal(size=layer.bias.shape).astype("float32"))
    clipnorm = builder.RNN_CLIPNORM
    if job.get("clip") is False:  # deepRAM does not clip gradients
        builder.RNN_CLIPNORM = None
    try:
        compile_model(model, arch, hparams)
    finally:
        builder.RNN_CLIPNORM = clipnorm
    if job.get("adagrad") == "keras":  # Keras's own Adagrad: accumulator from 0.1
        model.compile(
            optimizer=keras.optimizers.Adagrad(hparams["learning_rate"]),
            loss="binary_crossentropy",
            jit_compile=model.jit_compile,
        )
    x_train, y_train = x[~held_out], y[~held_out]
    epochs = max(1, round(STEPS * 128 / len(x_train)))
    model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0)
    probability = model.predict(x[held_out], batch_size=2048, verbose=0).ravel()
    return {
        **job,
        "backend": keras.backend.backend(),
        "hparams": hparams,
        "steps": epochs * math.ceil(len(x_train) / 128),
        "val_auc": round(float(roc_auc_score(y[held_out], probability)), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def remeasure(data_dir: Path, out: Path, archs: list[str], steps: int = 2000) -> None:
    """After the choice: each architecture with the defaults, trained on the whole PUM2
    training set for ``steps`` steps, scored on its test set (the only step reading a test)."""
    import keras
    from sklearn.metrics import roc_auc_score

    from kerasbind.encoding import EncoderSpec, encode, encode_codes
    from kerasbind.models import build_model, compile_model, resolve_architecture
    from kerasbind.readers import read_sequences

    data = dict(np.load(data_dir / "PUM2.npz"))
    test = read_sequences(CLIP / SETS["PUM2"] / "30000" / "test_sample_0" / "sequences.fa.gz")
    for name in archs:
        started = time.perf_counter()
        keras.utils.set_random_seed(0)
        arch = resolve_architecture(name)
        encoder = EncoderSpec("kmer" if arch.embedding else "onehot", LENGTH)
        matrix = data["w2v_kerasbind"] if arch.embedding else None
        model = build_model(arch, encoder=encoder, embedding_matrix=matrix)
        hparams = _defaults(arch)
        compile_model(model, arch, hparams)
        x, y = encode_codes(data["codes"], encoder), data["labels"].astype("float32")
        epochs = max(1, round(steps * 128 / len(x)))
        model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
        probability = model.predict(encode(test.sequences, encoder), batch_size=2048, verbose=0)
        result = {
            "arch": name,
            "backend": keras.backend.backend(),
            "hparams": hparams,
            "steps": epochs * math.ceil(len(x) / 128),
            "test_auc": round(float(roc_auc_score(test.labels, probability.ravel())), 4),
            "seconds": round(time.perf_counter() - started, 1),
        }
        with open(out, "a") as results:
            results.write(json.dumps(result) + "\n")
        print(json.dumps(result), flush=True)


def _defaults(arch: Any) -> dict[str, Any]:
    from kerasbind.models import default_hyperparameters

    return default_hyperparameters(arch)


def run(
    data_dir: Path, out: Path, workers: int, seconds: float, studies: list[str] | None = None
) -> None:
    """The jobs (of ``studies``) on ``workers`` processes, stopping new jobs after ``seconds``."""
    import multiprocessing

    # each worker gets a fixed share of the GPU (on-demand growth ran 14 workers out of memory)
    os.environ.setdefault("XLA_PYTHON_CLIENT_MEM_FRACTION", f"{0.7 / workers:.3f}")
    out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + seconds
    context = multiprocessing.get_context("spawn")
    with (
        context.Pool(workers, _worker_init, (str(data_dir), deadline)) as pool,
        open(out / "results.jsonl", "a") as results,
    ):
        for result in pool.imap_unordered(run_job, jobs(studies), chunksize=1):
            results.write(json.dumps(result) + "\n")
            results.flush()
            print(json.dumps(result), flush=True)


def _pair(row: dict[str, Any]) -> tuple[str, int, int]:
    """What a comparison pairs rows by: set, fold and seed (the fold, in runs before seeds)."""
    return row["set"], row["fold"], row.get("seed", row["fold"])


def _describe(pairs: set[tuple[str, int, int]]) -> str:
    """``PUM2 fold 0 (seeds 0, 1, 2), …`` for the compared (set, fold, seed) triples."""
    seeds: dict[tuple[str, int], list[int]] = {}
    for name, fold, seed in sorted(pairs):
        seeds.setdefault((name, fold), []).append(seed)
    return ", ".join(
        f"{name} fold {fold}" + (f" (seeds {', '.join(map(str, s))})" if s != [fold] else "")
        for (name, fold), s in seeds.items()
    )


def summarise(out: Path, *results: Path) -> None:
    """Mean validation AUC per study and setting over the (set, fold) pairs all its settings
    finished; the best is the first setting (incumbent first) within `TIE` of the top mean."""
    rows = [json.loads(line) for path in results for line in path.read_text().splitlines() if line]
    failed = [row for row in rows if "error" in row]
    rows = [row for row in rows if "val_auc" in row]
    for study, (source, setting, label) in REFERENCE.items():
        rows += [
            {**row, "study": study, "setting": label}
            for row in rows
            if row["study"] == source
            and row["setting"] == setting
            and any(r["study"] == study and r["arch"] == row["arch"] for r in rows)
        ]
    lines = [
        "# Defaults chosen on validation folds (`benchmarks/choose_defaults.py`)",
        "",
        f"Training sets (`training_sample_0`, no test file read): {', '.join(SETS)}; folds of "
        f"deepRAM's three (train on two thirds, score the third); {STEPS} steps of 128 (1,570 "
        "done). Mean validation AUC over the (set, fold) pairs that every setting of a study "
        f"finished (n); the best is the first listed setting within {TIE} of the top mean.",
        "",
    ]
    summary: dict[str, Any] = {}
    for study in dict.fromkeys(job["study"] for job in jobs()):
        study_rows = [row for row in rows if row["study"] == study]
        if not study_rows:
            continue
        keys = {(row["arch"], row["setting"]) for row in study_rows}
        pairs = set.intersection(
            *({_pair(r) for r in study_rows if (r["arch"], r["setting"]) == key} for key in keys)
        )
        order = [REFERENCE[study][2]] if study in REFERENCE else []
        order = list(dict.fromkeys(order + [job["setting"] for job in jobs([study])]))
        table: dict[str, dict[str, list[float]]] = {setting: {} for setting in order}
        for row in study_rows:
            if _pair(row) in pairs:
                table[row["setting"]].setdefault(row["arch"], []).append(row["val_auc"])
        archs = sorted({arch for arch, _ in keys})
        backends = sorted({row.get("backend", "jax") for row in study_rows})
        lines += [
            f"## {study} ({', '.join(backends)}; n = {len(pairs)}: " + _describe(pairs) + ")",
            "",
            "| setting | " + " | ".join(archs) + " | mean |",
            "| --- |" + " ---: |" * (len(archs) + 1),
        ]
        means = {}
        for setting, per_arch in table.items():
            if not per_arch:
                continue
            values = [float(np.mean(per_arch[arch])) for arch in archs]
            means[setting] = float(np.mean(values))
            cells = " | ".join(f"{value:.4f}" for value in values)
            lines.append(f"| {setting} | {cells} | {means[setting]:.4f} |")
        top = max(means.values())
        best = next(setting for setting in means if means[setting] >= top - TIE)
        summary[study] = {"best": best, "means": means, "pairs": len(pairs)}
        lines += ["", f"Best: **{best}**.", ""]
        errors = [row for row in failed if row["study"] == study]
        if errors:
            lines += [f"Failed jobs: {len(errors)} ({errors[0]['error'][:90]}…).", ""]
    out.write_text("\n".join(lines) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare(Path(sys.argv[2]))
    elif command == "run":
        run(
            Path(sys.argv[2]),
            Path(sys.argv[3]),
            int(sys.argv[4]) if len(sys.argv) > 4 else 12,
            float(sys.argv[5]) if len(sys.argv) > 5 else 280.0,
            sys.argv[6:] or None,
        )
    elif command == "remeasure":
        remeasure(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:])
    else:
        summarise(Path(sys.argv[2]), *(Path(path) for path in sys.argv[3:]))
