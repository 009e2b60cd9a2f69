"""Does training on both strands help DNA models, and scoring them on both? (issue 25, item 2)

No test file is read. For each ChIP-seq training file in ../shared/data/ChIP-seq (``*_AC``),
shuffled negatives are added as ``kerasbind benchmark --negatives shuffle`` adds them (one per
positive, seed 0) and deepRAM's thirds are made with seed 0; DeepBind at the standard budget's
first trial (128 filters, global maximum) trains on two thirds, either on the sequences as given
(``forward``) or with every sequence's reverse complement added (``rc_augment``), and the
held-out third is scored every `EVAL_EVERY` steps up to `STEPS`: on the given strand alone
(``auc_forward``), and as the larger (``auc_max``) or mean (``auc_mean``) of the two strands'
scores, the rule `kerasbind predict` applies to DNA runs. One JSON line per (candidate, set);
finished ones are skipped, so the same command resumes::

    python benchmarks/study_reverse_complement.py OUT.jsonl [CANDIDATE...]
    python benchmarks/study_reverse_complement.py --summary OUT.jsonl
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from study_arguments import study_arguments

CHIP = Path(__file__).resolve().parents[2] / "shared/data/ChIP-seq"
FOLD = 0
STEPS = 8000
EVAL_EVERY = 1000
LENGTH = 101
HPARAMS = {"filters": 128}  # the standard budget's first trial (kerasbind/tuning/priors.py)
CANDIDATES = ("forward", "rc_augment")
SCORES = ("auc_forward", "auc_max", "auc_mean")


def training_files() -> list[Path]:
    """The ChIP-seq training files (DeepBind's ``_AC`` layout), smallest set first."""
    return sorted(CHIP.glob("*_AC.seq.gz"), key=lambda path: path.stat().st_size)


def _load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from kerasbind.datasets import apply_negatives, load_sequence_set

    seqset = apply_negatives(load_sequence_set(str(path), require_labels=False), "shuffle")
    data = seqset.codes(LENGTH), seqset.labels.astype("float32")
    third = np.random.default_rng(0).permutation(len(data[1])) % 3
    return data[0], data[1], third


def run_job(candidate: str, path: Path, data: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """Train one candidate on two thirds; the held-out third's AUCs at every checkpoint."""
    from kerasbind.encoding import EncoderSpec, encode_codes
    from kerasbind.models import (
        build_model,
        compile_model,
        default_hyperparameters,
        resolve_architecture,
    )
    from kerasbind.prediction import binary_metrics, log_odds_encoded
    from kerasbind.runtime import set_seed
    from kerasbind.scanning.strands import combine_strands
    from kerasbind.scanning.windows import reverse_complement
    from kerasbind.training import train_steps

    codes, labels, third = data
    arch = resolve_architecture("deepbind")
    encoder = EncoderSpec("onehot", LENGTH)
    hparams = {**default_hyperparameters(arch), **HPARAMS}
    set_seed(FOLD)
    model = build_model(arch, hparams, encoder)
    compile_model(model, arch, hparams)
    held_out = third == FOLD
    train_codes, train_labels = codes[~held_out], labels[~held_out]
    if candidate == "rc_augment":
        train_codes = np.concatenate([train_codes, reverse_complement(train_codes)])
        train_labels = np.concatenate([train_labels, train_labels])
    forward_x = encode_codes(codes[held_out], encoder)
    reverse_x = encode_codes(reverse_complement(codes[held_out]), encoder)
    aucs: dict[str, list[float]] = {name: [] for name in SCORES}

    def evaluate(step: int, _: float | None) -> bool:
        forward = log_odds_encoded(model, forward_x)
        reverse = log_odds_encoded(model, reverse_x)
        for name, scores in (
            ("auc_forward", forward),
            ("auc_max", combine_strands(forward, reverse, "max")),
            ("auc_mean", combine_strands(forward, reverse, "mean")),
        ):
            aucs[name].append(round(binary_metrics(labels[held_out], scores)["auc_roc"], 4))
        return False

    started = time.perf_counter()
    history = train_steps(
        model, encode_codes(train_codes, encoder), train_labels, steps=STEPS,
        eval_every=EVAL_EVERY, seed=FOLD, progress=False, on_checkpoint=evaluate,
    )  # fmt: skip
    return {
        "candidate": candidate,
        "set": path.name.removesuffix("_AC.seq.gz"),
        "fold": FOLD,
        "hparams": hparams,
        "training_sequences": len(train_labels),
        "steps": history.steps,
        **aucs,
        "seconds": round(time.perf_counter() - started, 1),
    }


def study(out: Path, candidates: list[str]) -> None:
    """Run the (candidate, set) jobs not yet in ``out``, appending one line each."""
    from kerasbind.runtime import start_tensorflow

    start_tensorflow()
    done = set()
    if out.exists():
        done = {(row["candidate"], row["set"]) for row in map(json.loads, out.open())}
    for path in training_files():
        name = path.name.removesuffix("_AC.seq.gz")
        todo = [candidate for candidate in candidates if (candidate, name) not in done]
        if not todo:
            continue
        data = _load(path)
        for candidate in todo:
            result = run_job(candidate, path, data)
            with out.open("a") as lines:
                lines.write(json.dumps(result) + "\n")
            print(json.dumps(result), flush=True)


def summary(out: Path) -> str:
    """Per set, each candidate's best held-out AUC under each scoring rule; then the means and
    how often augmentation and two-strand scoring beat training and scoring one strand."""
    rows = [json.loads(line) for line in out.open()]
    best = {(r["set"], r["candidate"]): {s: max(r[s]) for s in SCORES} for r in rows}
    sets = sorted({s for s, c in best if all((s, k) in best for k in CANDIDATES)})
    header = " | ".join(f"{c} {s.removeprefix('auc_')}" for c in CANDIDATES for s in SCORES)
    lines = [
        f"{len(sets)} sets (fold {FOLD}, one seed, best over {STEPS} steps)",
        f"set | {header}",
    ]
    table = np.array([[best[(s, c)][k] for c in CANDIDATES for k in SCORES] for s in sets])
    for name, row in zip(sets, table, strict=True):
        lines.append(f"{name} | " + " | ".join(f"{v:.4f}" for v in row))
    if len(sets):
        lines.append("mean | " + " | ".join(f"{v:.4f}" for v in table.mean(axis=0)))
        lines.append("median | " + " | ".join(f"{v:.4f}" for v in np.median(table, axis=0)))
        baseline = table[:, 0]
        for column, label in enumerate(header.split(" | ")):
            wins = int(np.sum(table[:, column] > baseline))
            lines.append(f"{label}: above forward/forward on {wins} of {len(sets)}")
    return "\n".join(lines)


if __name__ == "__main__":
    argv = study_arguments(__doc__, {"--summary"})
    if argv[0] == "--summary":
        print(summary(Path(argv[1])))
    else:
        study(Path(argv[0]), argv[1:] or list(CANDIDATES))
