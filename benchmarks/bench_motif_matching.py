"""Which TOMTOM column score and site threshold name learned filters correctly (issue 11 item 7).

Trains DeepBind models (once; the runs are kept in WORK, so a rerun only re-matches) on the
planted-motif simulation (``medium``: USF1; ``hard``: USF1 or SP1 with GATA1 decoys) and on the
real USF1 (ChIP-seq, JASPAR) and ELAVL1 (PAR-CLIP, CISBP-RNA) sets, reads every filter's PFM
with each site threshold, matches it by TOMTOM with each column score, and writes one row per
(run, threshold, distance, filter) to WORK/filters.tsv. A filter's *best match* is its lowest-q
target when q < 0.05; it is *right* when the target belongs to the family that binds the set
(E-box for USF1, SP/KLF GC-box for SP1, HuR for ELAVL1). The summary table counts, for filters
with at least 10 sites, the right and wrong best matches, overall and above cut-offs of
information corrected for the number of sites (`Motif.corrected_information`);
a calibration table counts random matrices (no motif at all) given a significant match.

    nice -n 10 python benchmarks/bench_motif_matching.py --work /tmp/bench_motifs
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from kerasbind.cli import main as cli
from kerasbind.motifs import jaspar_motifs, load_database
from kerasbind.motifs.analysis import match_filters, split_by_label
from kerasbind.motifs.pfm import THRESHOLDS, filter_motifs
from kerasbind.motifs.tomtom import DISTANCES
from kerasbind.readers import read_sequences, write_tsv
from kerasbind.run import load_run
from kerasbind.simulate import simulate_config

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
USF1 = DATA / "ChIP-seq" / "USF1_H1-hESC_USF-1_HudsonAlpha_{}.seq.gz"
ELAVL1 = DATA / "CLIP-seq" / "8_PARCLIP_ELAVL1_hg19" / "30000" / "{}_sample_0" / "sequences.fa.gz"
RNA_DB = DATA / "motifs" / "Ray2013_rbp_RNA.meme"
SEEDS = (0, 1)
INFORMATION_CUTS = (0.0, 10.0, 11.0, 12.0)


def consensus() -> dict[str, str]:
    """JASPAR id → consensus on both strands (``forward|reverse``)."""
    table = {}
    for motif in jaspar_motifs():
        forward = "".join("ACGT"[i] for i in motif.frequencies.argmax(axis=0))
        table[motif.id] = forward + "|" + forward[::-1].translate(str.maketrans("ACGT", "TGCA"))
    return table


def right(dataset: str, target_id: str, name: str, consensus: dict[str, str]) -> bool:
    """Whether a best match belongs to the family that binds ``dataset``."""
    text = consensus.get(target_id, "")
    e_box = "CACGTG" in text or name.upper() in ("USF1", "USF2")
    if dataset in ("usf1", "sim_medium"):
        return e_box
    if dataset == "sim_hard":
        gc_box = "GGGCGG" in text or name.upper().startswith(("SP", "KLF"))
        return e_box or gc_box
    return name == "HuR"


def train(work: Path, dataset: str, seed: int, steps: int) -> tuple[Path, Path]:
    """The run folder (trained here once) and its test file."""
    run = work / f"{dataset}_seed{seed}"
    if dataset.startswith("sim_"):
        files = [work / f"{dataset}_{split}.tsv" for split in ("train", "test")]
        if not files[1].exists():
            for split, path in zip(simulate_config(dataset[4:]), files, strict=True):
                write_tsv(split, path)
        arguments = ["--train", str(files[0])]
        test = files[1]
    elif dataset == "usf1":
        arguments = ["--train", str(USF1).format("AC"), "--negatives", "shuffle"]
        test = Path(str(USF1).format("B"))
    else:
        arguments = ["--train", str(ELAVL1).format("training")]
        test = Path(str(ELAVL1).format("test"))
    if not (run / "model.keras").exists():
        code = cli(["train", "--arch", "deepbind", *arguments, "--test", str(test), "--steps",
                    str(steps), "--eval-every", str(steps), "--out", str(run), "--quiet",
                    "--seed", str(seed)])  # fmt: skip
        assert code == 0, run
    return run, test


def measure(work: Path, datasets: list[str], steps: int) -> pd.DataFrame:
    rows = []
    names = consensus()
    for dataset in datasets:
        db = str(RNA_DB) if dataset == "elavl1" else "jaspar"
        targets, alphabet = load_database(db)
        for seed in SEEDS:
            run_dir, test = train(work, dataset, seed, steps)
            run = load_run(run_dir)
            positives, _ = split_by_label(read_sequences(test))
            for threshold in THRESHOLDS:
                filters = filter_motifs(run.model, run.encoder, positives, threshold=threshold)
                for dist in DISTANCES:
                    analysis = match_filters(
                        filters, targets, alphabet, dist=dist, min_information=0.0
                    )
                    best = analysis.best()
                    for motif in analysis.motifs:
                        hit = best.loc[motif.id] if motif.id in best.index else None
                        rows.append({
                            "dataset": dataset, "seed": seed, "threshold": threshold,
                            "dist": dist, "filter": motif.id, "n_sites": motif.n_sites,
                            "information_bits": round(float(motif.information.sum()), 2),
                            "corrected_bits": round(motif.corrected_information, 2),
                            "target_name": None if hit is None else hit["target_name"],
                            "q_value": np.nan if hit is None else hit["q_value"],
                            "right": hit is not None and right(
                                dataset, hit["target_id"], hit["target_name"], names
                            ),
                        })  # fmt: skip
    return pd.DataFrame(rows)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Right / wrong best matches of filters with >= 10 sites, per corrected-information cut."""
    parts = []
    table = table[table["n_sites"] >= 10]
    for cut in INFORMATION_CUTS:
        kept = table[table["corrected_bits"] >= cut]
        matched = kept["target_name"].notna()
        grouped = kept.assign(matched=matched, wrong=matched & ~kept["right"]).groupby(
            ["dataset", "threshold", "dist"]
        )
        part = grouped.agg(
            filters=("filter", "size"), matched=("matched", "sum"), right=("right", "sum"),
            wrong=("wrong", "sum"),
        )  # fmt: skip
        parts.append(part.assign(min_bits=cut).reset_index())
    out = pd.concat(parts)
    out["precision"] = (out["right"] / out["matched"].where(out["matched"] > 0)).round(2)
    return out


def calibration(n: int = 200, seed: int = 8) -> pd.DataFrame:
    """Random matrices (no motif; widths 6–15, columns Dirichlet(alpha)) that reach q < 0.05
    against JASPAR with each column score: false best matches."""
    from kerasbind.motifs import Motif, best_matches, match_motifs

    targets = jaspar_motifs()
    rng = np.random.default_rng(seed)
    rows = []
    for alpha in (1.0, 0.5):
        widths = rng.integers(6, 16, n)
        queries = [
            Motif(f"r{i}", "", rng.dirichlet(np.full(4, alpha), w).T) for i, w in enumerate(widths)
        ]
        for dist in DISTANCES:
            best = best_matches(match_motifs(queries, targets, dist=dist, per_query=1))
            ctcf = best["target_name"].str.upper().str.contains("CTCF").sum()
            rows.append({"alpha": alpha, "dist": dist, "queries": n, "significant": len(best),
                         "of_which_ctcf": int(ctcf)})  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_motifs"))
    parser.add_argument("--datasets", nargs="+",
                        default=["sim_medium", "sim_hard", "usf1", "elavl1"])  # fmt: skip
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    table = measure(args.work, args.datasets, args.steps)
    table.to_csv(args.work / "filters.tsv", sep="\t", index=False)
    summary = summarise(table)
    summary.to_csv(args.work / "summary.tsv", sep="\t", index=False)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(summary.to_string(index=False))
        print(calibration().to_string(index=False))


if __name__ == "__main__":
    main()
