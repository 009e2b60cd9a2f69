"""Issue 6 acceptance on real data (slow): learned filters match the known motifs of USF1
(ChIP-seq, JASPAR) and ELAVL1/HuR (PAR-CLIP, CISBP-RNA)."""

from __future__ import annotations

import pandas as pd
import pytest

from kerasbind.cli import main

pytestmark = [pytest.mark.shared_data]


def train_and_match(tmp_path, train: list[str], test, db: str) -> pd.DataFrame:
    run_dir = tmp_path / "run"
    assert main(["train", "--arch", "deepbind", *train, "--test", str(test), "--steps", "3000",
                 "--eval-every", "1000", "--out", str(run_dir), "--quiet"]) == 0
    assert main(["motifs", str(run_dir), "--input", str(test), "--db", db]) == 0
    return pd.read_csv(run_dir / "motifs" / "matches.tsv", sep="\t")


def test_usf1_filters_match_an_e_box_factor(usf1_files, tmp_path):
    from kerasbind.motifs import jaspar_motifs

    train, test = usf1_files
    matches = train_and_match(tmp_path, ["--train", str(train), "--negatives", "shuffle"],
                              test, "jaspar")
    best = matches.drop_duplicates("filter")
    consensus = {m.id: "".join("ACGT"[i] for i in m.frequencies.argmax(axis=0))
                 for m in jaspar_motifs()}
    e_box = best["target_name"].isin(["USF1", "USF2"]) | best["target_id"].map(
        lambda target: "CACGTG" in consensus[target]
    )
    assert (e_box & (best["q_value"] < 0.05)).any(), best.head(10).to_string()


def test_elavl1_filters_match_hur(shared_data, tmp_path):
    base = shared_data / "CLIP-seq" / "8_PARCLIP_ELAVL1_hg19" / "30000"
    matches = train_and_match(
        tmp_path, ["--train", str(base / "training_sample_0" / "sequences.fa.gz")],
        base / "test_sample_0" / "sequences.fa.gz",
        str(shared_data / "motifs" / "Ray2013_rbp_RNA.meme"),
    )
    best = matches.drop_duplicates("filter")
    assert ((best["target_name"] == "HuR") & (best["q_value"] < 0.05)).any(), best.to_string()
