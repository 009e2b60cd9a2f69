"""Speed of attributions and of TF-MoDISco on them (issue 26): 10,000 sequences of 101 nt.

Trains a DeepBind and an ECBLSTM briefly on simulated data (USF1 and GATA1 planted), times each
attribution method on the positives of a simulated test split, then times modisco-lite on the
DeepBind integrated-gradients attributions and reports which planted motifs it found.

    python benchmarks/bench_attribution.py [--n 10000] [--arch ARCH] [--method METHOD]
    python benchmarks/bench_attribution.py --arch ecblstm --method integrated_gradients \\
        --against f62f47c --sample 1000 --skip-modisco   # old vs new integrated gradients

Methods slower than a few minutes are timed on ``--sample`` sequences and scaled to ``--n``
(marked "scaled"). Every line prints seconds per 10,000 sequences and, for the path methods,
gradient evaluations per sequence. ``--against COMMIT`` also times integrated gradients as that
commit computed them (its ``kerasbind/attribution/integrated.py``, read with ``git show``), in
blocks interleaved with the current code on the same sequences, so both see the same load.
Figures go into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

PLANTED = {"MA0093.4": "USF1", "MA0035.5": "GATA1"}
COLUMNS = ["motif", "n_seqlets", "consensus", "best_target_name", "best_q_value"]
TRAIN_STEPS = {"deepbind": 1500, "ecblstm": 300}
METHODS = ["integrated_gradients", "saliency", "deepshap", "ism"]
# (architecture, method) pairs timed on all --n sequences; the others on --sample
FULL = {
    ("deepbind", "integrated_gradients"),
    ("deepbind", "saliency"),
    ("deepbind", "deepshap"),
    ("ecblstm", "saliency"),
}
BLOCK = 250  # sequences per interleaved block of --against


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


class CountingGradient:
    """The model's gradient function, counting the rows it is asked for."""

    def __init__(self, model) -> None:
        from kerasbind.attribution.gradients import gradient_function

        self.function, self.rows = gradient_function(model), 0

    def __call__(self, z: np.ndarray):
        self.rows += len(z)
        return self.function(z)


def old_integrated(commit: str):
    """The ``kerasbind.attribution.integrated`` module of ``commit`` (midpoint rule, doubling)."""
    text = subprocess.run(
        ["git", "show", f"{commit}:kerasbind/attribution/integrated.py"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    path = os.path.join(tempfile.mkdtemp(), "old_integrated.py")
    with open(path, "w") as handle:
        handle.write(text)
    spec = importlib.util.spec_from_file_location("old_integrated", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare_integrated(run, sequences: list[str], commit: str, n: int) -> dict:
    """Integrated gradients by ``commit``'s code and by the current one, interleaved in blocks:
    seconds (scaled to ``n``), gradient rows per sequence, worst completeness gap/tolerance."""
    from kerasbind.attribution import integrated
    from kerasbind.attribution.tokens import token_space
    from kerasbind.encoding import onehot_from_codes
    from kerasbind.prediction import predict_encoded
    from kerasbind.sequences import to_codes

    old = old_integrated(commit)
    space = token_space(run.model, run.encoder)
    counters = {"old": CountingGradient(space.scorer), "new": CountingGradient(space.scorer)}

    def gap_over_tolerance(key: str, block: list[str]) -> np.ndarray:
        codes = to_codes(block, run.encoder.length)
        one_hot = onehot_from_codes(codes)
        vectors = integrated.baseline_vectors(space, codes)
        change = predict_encoded(space.scorer, space.vectors(space.ids(codes))) - predict_encoded(
            space.scorer, vectors[:, 0]
        )
        gradient = counters[key]
        if key == "new":
            hypothetical = integrated.reference_contributions(
                space, codes, vectors, gradient, integrated.DEFAULT_STEPS
            )
        else:

            def contributions(rows, steps):
                return old.reference_contributions(
                    space, codes[rows], vectors[rows], lambda z: gradient(z)[1], steps
                )

            first = contributions(np.arange(len(codes)), old.DEFAULT_STEPS)
            hypothetical = old.refine_until_complete(
                contributions, one_hot, change, old.DEFAULT_STEPS, first
            )
        gap = (one_hot * hypothetical).sum(axis=(1, 2)) - change
        return np.abs(gap) / integrated.tolerance(change)

    gap_over_tolerance("old", sequences[:8])  # trace both once
    gap_over_tolerance("new", sequences[:8])
    for counter in counters.values():
        counter.rows = 0
    seconds, ratios = {"old": 0.0, "new": 0.0}, {"old": [], "new": []}
    for start in range(0, len(sequences), BLOCK):
        for key in ("old", "new"):
            ratio, took = timed(gap_over_tolerance, key, sequences[start : start + BLOCK])
            seconds[key] += took
            ratios[key].append(ratio)
    record = {}
    for key in ("old", "new"):
        ratio = np.concatenate(ratios[key])
        record[key] = {
            "code": commit if key == "old" else "working tree",
            "measured_on": len(sequences),
            "seconds": round(seconds[key], 1),
            "seconds_per_10000": round(seconds[key] * 10000 / len(sequences), 1),
            "seconds_for_n": round(seconds[key] * n / len(sequences), 1),
            "gradients_per_sequence": round(counters[key].rows / len(sequences), 1),
            "worst_gap_over_tolerance": round(float(ratio.max()), 3),
            "incomplete": int((ratio > 1).sum()),
        }
    return record


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--arch", action="append", choices=list(TRAIN_STEPS))
    parser.add_argument("--method", action="append", choices=METHODS)
    parser.add_argument("--against", metavar="COMMIT", help="also time this commit's IG")
    parser.add_argument("--out", default="benchmarks/bench_attribution.json")
    parser.add_argument("--skip-modisco", action="store_true")
    args = parser.parse_args()

    import kerasbind as kb
    from kerasbind.attribution import attribute
    from kerasbind.attribution.integrated import tolerance
    from kerasbind.motifs.meme import write_meme
    from kerasbind.motifs.modisco import analyse_modisco
    from kerasbind.motifs.motif import Motif
    from kerasbind.simulate import motif_pfms, simulate_binding

    train, test = simulate_binding(4000, 2 * args.n, list(PLANTED), seed=0)
    positives = [s for s, label in zip(test.sequences, test.labels, strict=True) if label == 1]
    positives = positives[: args.n]
    records = {"n": len(positives), "length": 101, "cpus": os.cpu_count(), "load": os.getloadavg()}
    attributions = None
    for arch in args.arch or list(TRAIN_STEPS):
        steps = TRAIN_STEPS[arch]
        run, seconds = timed(kb.train, arch, train, steps=steps, eval_every=steps, progress=False)
        records[f"{arch}_train_seconds"] = round(seconds, 1)
        if args.against:
            sample = positives[: args.sample]
            record = compare_integrated(run, sample, args.against, len(positives))
            records[f"{arch}_integrated_gradients_old_vs_new"] = record
            print(arch, "integrated_gradients old vs new", record, flush=True)
        for method in args.method or METHODS:
            sample = positives if (arch, method) in FULL else positives[: args.sample]
            found, seconds = timed(
                attribute, run.model, run.encoder, sample, method=method, progress=False
            )
            record = {
                "measured_on": len(sample),
                "seconds": round(seconds, 1),
                "seconds_per_10000": round(seconds * 10000 / len(sample), 1),
                "seconds_for_n": round(seconds * len(positives) / len(sample), 1),
                "scaled": len(sample) != len(positives),
            }
            gap = found.completeness_gap
            if gap is not None:
                change = found.log_odds - found.baseline_log_odds
                ratio = np.abs(gap) / tolerance(change)
                record["worst_gap_over_tolerance"] = round(float(ratio.max()), 3)
            records[f"{arch}_{method}"] = record
            print(arch, method, record, flush=True)
            if arch == "deepbind" and method == "integrated_gradients":
                attributions = found
    if not args.skip_modisco and attributions is not None:
        path = os.path.join(tempfile.mkdtemp(), "planted.meme")
        write_meme(path, [Motif(i, PLANTED[i], m) for i, m in motif_pfms(list(PLANTED)).items()])
        analysis, seconds = timed(analyse_modisco, attributions, db=path)
        summary = analysis.summary()
        records["modisco"] = {
            "sequences": len(attributions),
            "seconds": round(seconds, 1),
            "motifs": summary[COLUMNS].to_dict("records"),
        }
        print(analysis.describe(), flush=True)
    records["load_after"] = os.getloadavg()
    records["command"] = " ".join(sys.argv)
    with open(args.out, "w") as handle:
        json.dump(records, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
