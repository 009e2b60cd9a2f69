"""What holds DeepBind back on CLIP-seq (issue 24): validation-AUC curves on training folds.

No test file is read. For each training set of `SETS` (``training_sample_0``; by default the
three sets the defaults were already chosen on; ``--all`` every CLIP-seq experiment in
../shared/data, for choices made leaving each experiment out), deepRAM's thirds are
made with seed 0 (as ``choose_defaults.py``); each candidate trains on two thirds and its AUC on
the held-out third is measured every `EVAL_EVERY` steps up to `STEPS`, so one run shows both how
fast a setting learns and where it levels off. One JSON line per (candidate, set, fold);
finished jobs are skipped, so the same command resumes::

    python benchmarks/study_deepbind_gap.py [--all] OUT.jsonl [CANDIDATE...]
    python benchmarks/study_deepbind_gap.py --summary OUT.jsonl [CANDIDATE...]
    python benchmarks/study_deepbind_gap.py --leave-one-out OUT.jsonl

``--leave-one-out`` checks the standard budget's priors (kerasbind/tuning/priors.py) as they
would be made without each experiment: for every experiment X, the comparisons behind each
prior over the *other* experiments, and whether each still points the same way.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from study_arguments import study_arguments

CLIP = Path(__file__).resolve().parents[2] / "shared/data/CLIP-seq"
SETS = {
    "PUM2": "23_PARCLIP_PUM2_hg19",
    "ELAVL1": "8_PARCLIP_ELAVL1_hg19",
    "TDP43": "27_ICLIP_TDP43_hg19",
}
FOLD = 0
STEPS = 8000
EVAL_EVERY = 1000
LENGTH = 101
# hyper-parameters changed from DeepBind's defaults ({} = the defaults themselves)
CANDIDATES: dict[str, dict[str, Any]] = {
    "default": {},
    "adagrad_0.03": {"learning_rate": 0.03},
    "adagrad_0.1": {"learning_rate": 0.1},
    "sgd_0.02_nesterov": {"optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.98},
    "filters_64": {"filters": 64},
    "no_dropout": {"dropout_keep": 1.0},
    "filters_128": {"filters": 128},
    "filters_128_maxavg": {"filters": 128},
    "filters_128_bins10": {"filters": 128},
    "filters_128_maxbins10": {"filters": 128},
}
# candidates whose model differs from kerasbind's deepbind beyond its hyper-parameters:
# "maxavg" concatenates a global average to the global max of the convolution (DeepBind's
# "max+avg" pooling; deepRAM and kerasbind keep the max alone)
MAX_AND_AVERAGE = {"filters_128_maxavg"}
# "bins10" keeps where along the sequence a filter fired: the maximum over each of 10 equal
# bins of the convolution's output instead of over the whole sequence, flattened into the head;
# "maxbins10" gives the head both: the global maximum and the 10 bins' maxima
BINNED_MAX = {"filters_128_bins10": 10, "filters_128_maxbins10": 10}
WITH_GLOBAL_MAX = {"filters_128_maxbins10"}


def max_and_average_model(arch: Any, hparams: dict[str, Any], encoder: Any) -> Any:
    """kerasbind's deepbind with the global max and the global average concatenated."""
    import keras

    from kerasbind.models.blocks import conv_stage, head, pad_unknown

    inputs = keras.Input(encoder.input_shape, dtype=encoder.input_dtype, name="encoded")
    x = conv_stage(pad_unknown(inputs, arch.filter_width - 1), arch, hparams, pool_last=False)
    pooled = keras.layers.Concatenate()(
        [keras.layers.GlobalMaxPooling1D()(x), keras.layers.GlobalAveragePooling1D()(x)]
    )
    return keras.Model(inputs, head(pooled, hparams))


def binned_max_model(
    arch: Any, hparams: dict[str, Any], encoder: Any, bins: int, with_global: bool
) -> Any:
    """kerasbind's deepbind with the maximum over ``bins`` bins of the sequence instead of
    (or, ``with_global``, beside) the global one."""
    import math

    import keras

    from kerasbind.models.blocks import conv_stage, head, pad_unknown

    inputs = keras.Input(encoder.input_shape, dtype=encoder.input_dtype, name="encoded")
    x = conv_stage(pad_unknown(inputs, arch.filter_width - 1), arch, hparams, pool_last=False)
    width = math.ceil(x.shape[1] / bins)
    binned = keras.layers.MaxPooling1D(width, strides=width, padding="same")(x)
    pooled = keras.layers.Flatten()(binned)
    if with_global:
        pooled = keras.layers.Concatenate()([keras.layers.GlobalMaxPooling1D()(x), pooled])
    return keras.Model(inputs, head(pooled, hparams))


def jobs(names: list[str], sets: list[str]) -> list[dict[str, Any]]:
    """Every (candidate, set), set-major so an interrupted study compares complete sets."""
    return [
        {"candidate": name, "set": set_name, "fold": FOLD} for set_name in sets for name in names
    ]


def read_training_set(set_name: str) -> tuple[Any, np.ndarray]:
    """A CLIP-seq set's training sequences and each one's third (0, 1 or 2; seed 0)."""
    from kerasbind.readers import read_sequences

    data = read_sequences(CLIP / set_name / "30000" / "training_sample_0" / "sequences.fa.gz")
    return data, np.random.default_rng(0).permutation(len(data.labels)) % 3


def _load(set_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data, third = read_training_set(set_name)
    return data.codes(LENGTH), data.labels.astype("float32"), third


def run_job(job: dict[str, Any], data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict:
    """Train one candidate on two thirds; AUC of the third at every checkpoint."""
    from kerasbind.encoding import EncoderSpec, encode_codes
    from kerasbind.models import (
        build_model,
        compile_model,
        default_hyperparameters,
        resolve_architecture,
    )
    from kerasbind.runtime import set_seed
    from kerasbind.training import train_steps

    codes, labels, third = data
    arch = resolve_architecture("deepbind")
    encoder = EncoderSpec("onehot", LENGTH)
    hparams = {**default_hyperparameters(arch), **CANDIDATES[job["candidate"]]}
    set_seed(job["fold"])
    if job["candidate"] in MAX_AND_AVERAGE:
        model = max_and_average_model(arch, hparams, encoder)
    elif job["candidate"] in BINNED_MAX:
        bins = BINNED_MAX[job["candidate"]]
        model = binned_max_model(arch, hparams, encoder, bins, job["candidate"] in WITH_GLOBAL_MAX)
    else:
        model = build_model(arch, hparams, encoder)
    compile_model(model, arch, hparams)
    held_out = third == job["fold"]
    x = encode_codes(codes, encoder)
    started = time.perf_counter()
    history = train_steps(
        model, x[~held_out], labels[~held_out], steps=STEPS, eval_every=EVAL_EVERY,
        validation=(x[held_out], labels[held_out]), seed=job["fold"], progress=False,
    )  # fmt: skip
    return {
        **job,
        "hparams": hparams,
        "steps": history.steps,
        "val_auc": [round(float(auc), 4) for auc in history.val_auc],
        "seconds": round(time.perf_counter() - started, 1),
    }


def study(out: Path, names: list[str], sets: list[str]) -> None:
    """Run the jobs not yet in ``out``, appending one line each."""
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()
    done = set()
    if out.exists():
        done = {(r["candidate"], r["set"], r["fold"]) for r in map(json.loads, out.open())}
    loaded: dict[str, Any] = {}
    for job in jobs(names, sets):
        if (job["candidate"], job["set"], job["fold"]) in done:
            continue
        if job["set"] not in loaded:
            loaded = {job["set"]: _load(job["set"])}
        result = run_job(job, loaded[job["set"]])
        with out.open("a") as lines:
            lines.write(json.dumps(result) + "\n")
        print(json.dumps(result), flush=True)


def summary(out: Path, names: list[str]) -> str:
    """Mean validation AUC per candidate and checkpoint over the sets all ``names`` (default:
    every candidate in ``out``) finished."""
    rows = [json.loads(line) for line in out.open()]
    sets_per: dict[str, set[str]] = {}
    for row in rows:
        if not names or row["candidate"] in names:
            sets_per.setdefault(row["candidate"], set()).add(row["set"])
    common = set.intersection(*sets_per.values())
    if not common:
        return f"no set was finished by all of {', '.join(sets_per)}: name fewer candidates"
    lines = [f"{len(common)} sets: {', '.join(sorted(common))} (fold {FOLD}, one seed)"]
    steps = rows[0]["steps"]
    lines.append("candidate | " + " | ".join(str(s) for s in steps) + " | best")
    for name in sets_per:
        curves = np.array(
            [r["val_auc"] for r in rows if r["candidate"] == name and r["set"] in common]
        )
        mean = curves.mean(axis=0)
        cells = " | ".join(f"{v:.4f}" for v in mean)
        lines.append(f"{name} | {cells} | {mean.max():.4f}")
    return "\n".join(lines)


# each prior of the standard budget: (the setting chosen, the one it was preferred to)
PRIORS = {
    "first trial with 128 filters": ("filters_128", "default"),
    "learning rate at most 0.03 (not 0.1)": ("default", "adagrad_0.1"),
    "learning rate below 0.03": ("default", "adagrad_0.03"),
}


def leave_one_out(out: Path) -> str:
    """For each experiment X and each prior: on how many of the other experiments the chosen
    setting's best validation AUC beat the one it was preferred to."""
    best: dict[str, dict[str, float]] = {}
    for row in map(json.loads, out.open()):
        best.setdefault(row["set"], {})[row["candidate"]] = max(row["val_auc"])
    lines = ["experiment left out | " + " | ".join(PRIORS)]
    holds = True
    for left_out in sorted(best):
        cells = []
        for chosen, other in PRIORS.values():
            pairs = [
                aucs[chosen] > aucs[other]
                for name, aucs in best.items()
                if name != left_out and chosen in aucs and other in aucs
            ]
            holds &= sum(pairs) > len(pairs) / 2
            cells.append(f"{sum(pairs)}/{len(pairs)}")
        lines.append(f"{left_out} | " + " | ".join(cells))
    verdict = "every prior" if holds else "NOT every prior"
    lines.append(f"{verdict} wins on a majority of the other experiments for every X")
    return "\n".join(lines)


if __name__ == "__main__":
    argv = study_arguments(__doc__, {"--all", "--leave-one-out", "--summary"})
    if argv[0] == "--leave-one-out":
        print(leave_one_out(Path(argv[1])))
    elif argv[0] == "--summary":
        print(summary(Path(argv[1]), argv[2:]))
    elif argv[0] == "--all":
        every = sorted(path.name for path in CLIP.iterdir() if (path / "30000").is_dir())
        study(Path(argv[1]), argv[2:] or list(CANDIDATES), every)
    else:
        study(Path(argv[0]), argv[1:] or list(CANDIDATES), list(SETS.values()))
