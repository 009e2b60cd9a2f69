"""Speed of attributions and of TF-MoDISco on them (issue 26): 10,000 sequences of 101 nt.

Trains a DeepBind and an ECBLSTM briefly on simulated data (USF1 and GATA1 planted), times each
attribution method on the positives of a simulated test split, then times modisco-lite on the
DeepBind integrated-gradients attributions and reports which planted motifs it found.

    python benchmarks/bench_attribution.py [--n 10000] [--ecblstm-n 10000] [--out FILE.json]

Methods slower than ``--budget`` seconds per architecture are timed on ``--sample`` sequences
and scaled to ``--n`` (marked "scaled" in the output). Figures go into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time

PLANTED = {"MA0093.4": "USF1", "MA0035.5": "GATA1"}
COLUMNS = ["motif", "n_seqlets", "consensus", "best_target_name", "best_q_value"]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--out", default="benchmarks/bench_attribution.json")
    parser.add_argument("--skip-modisco", action="store_true")
    args = parser.parse_args()

    import kerasbind as kb
    from kerasbind.attribution import attribute
    from kerasbind.motifs.meme import write_meme
    from kerasbind.motifs.modisco import analyse_modisco
    from kerasbind.motifs.motif import Motif
    from kerasbind.simulate import motif_pfms, simulate_binding

    train, test = simulate_binding(4000, 2 * args.n, list(PLANTED), seed=0)
    positives = [s for s, label in zip(test.sequences, test.labels, strict=True) if label == 1]
    positives = positives[: args.n]
    records = {"n": len(positives), "length": 101, "cpus": os.cpu_count(), "load": os.getloadavg()}
    plan = {
        "deepbind": (1500, ["integrated_gradients", "saliency", "deepshap", "ism"]),
        "ecblstm": (300, ["integrated_gradients", "saliency", "deepshap", "ism"]),
    }
    attributions = None
    for arch, (steps, methods) in plan.items():
        run, seconds = timed(kb.train, arch, train, steps=steps, eval_every=steps, progress=False)
        records[f"{arch}_train_seconds"] = round(seconds, 1)
        for method in methods:
            sample = positives if (arch, method) in _FULL else positives[: args.sample]
            found, seconds = timed(
                attribute, run.model, run.encoder, sample, method=method, progress=False
            )
            scaled = seconds * len(positives) / len(sample)
            records[f"{arch}_{method}"] = {
                "measured_on": len(sample),
                "seconds": round(seconds, 1),
                "seconds_for_n": round(scaled, 1),
                "scaled": len(sample) != len(positives),
            }
            print(arch, method, records[f"{arch}_{method}"], flush=True)
            if arch == "deepbind" and method == "integrated_gradients":
                attributions = found
    if not args.skip_modisco and attributions is not None:
        path = "/tmp/bench_attribution_planted.meme"
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
    with open(args.out, "w") as handle:
        json.dump(records, handle, indent=1, default=str)


# (architecture, method) pairs timed on all --n sequences; the others on --sample
_FULL = {
    ("deepbind", "integrated_gradients"),
    ("deepbind", "saliency"),
    ("deepbind", "deepshap"),
    ("ecblstm", "saliency"),
}

if __name__ == "__main__":
    main()
