"""Issue 6 / issue 11 acceptance on real data: learned filters match the known motifs of
USF1 (ChIP-seq, JASPAR) and ELAVL1/HuR (PAR-CLIP, CISBP-RNA) as their best *significant* match,
and filters under the information threshold are not matched at all."""

from __future__ import annotations

import pandas as pd
import pytest

from kerasbind.cli import main

pytestmark = [pytest.mark.shared_data]


def train_and_match(tmp_path, train: list[str], test, db: str) -> pd.DataFrame:
    """``filters.tsv`` of a DeepBind run (3,000 steps) matched with the default settings."""
    run_dir = tmp_path / "run"
    assert main(["train", "--arch", "deepbind", *train, "--test", str(test), "--steps", "3000",
                 "--eval-every", "1000", "--out", str(run_dir), "--quiet"]) == 0  # fmt: skip
    assert main(["motifs", str(run_dir), "--input", str(test), "--db", db]) == 0
    return pd.read_csv(run_dir / "motifs" / "filters.tsv", sep="\t")


def check(summary: pd.DataFrame, right: pd.Series, majority: bool = True) -> None:
    """Most (or, without ``majority``, at least half) of the informative filters have the right
    best significant match, and filters under the gates are not matched."""
    informative = summary["status"].isin(["best match", "no significant match"])
    assert informative.any(), summary.to_string()
    hits, half = (right & informative).sum(), informative.sum() / 2
    assert hits > half if majority else hits >= half, summary.to_string()
    below = summary["status"].str.startswith("not matched")
    assert summary.loc[below, "best_target_id"].isna().all()
    assert (summary["best_q_value"].dropna() < 0.05).all()


def test_usf1_filters_match_an_e_box_factor(usf1_files, tmp_path):
    from kerasbind.motifs import jaspar_motifs

    train, test = usf1_files
    summary = train_and_match(tmp_path, ["--train", str(train), "--negatives", "shuffle"],
                              test, "jaspar")  # fmt: skip
    consensus = {m.id: "".join("ACGT"[i] for i in m.frequencies.argmax(axis=0))
                 for m in jaspar_motifs()}  # fmt: skip
    e_box = summary["best_target_name"].isin(["USF1", "USF2"]) | summary["best_target_id"].map(
        lambda target: isinstance(target, str) and "CACGTG" in consensus[target]
    )
    check(summary, e_box)


def test_elavl1_filters_match_hur(shared_data, tmp_path):
    base = shared_data / "CLIP-seq" / "8_PARCLIP_ELAVL1_hg19" / "30000"
    summary = train_and_match(
        tmp_path, ["--train", str(base / "training_sample_0" / "sequences.fa.gz")],
        base / "test_sample_0" / "sequences.fa.gz",
        str(shared_data / "motifs" / "Ray2013_rbp_RNA.meme"),
    )  # fmt: skip
    # with the validation-chosen defaults about half the informative filters reach q < 0.05
    # against CISBP-RNA's 102 motifs (5 of them HuR); the rest say "no significant match"
    check(summary, summary["best_target_name"] == "HuR", majority=False)
