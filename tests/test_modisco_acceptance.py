"""Slow acceptance checks of modisco motifs (issue 26): every architecture finds both planted
motifs; on real data the top motifs carry HNRNPC's (poly-U), PUM2's and USF1's known ones.

Run with ``pytest -m slow tests/test_modisco_acceptance.py`` (tens of minutes on 2 cores)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kerasbind.models import ARCHITECTURES
from kerasbind.motifs.meme import write_meme
from kerasbind.motifs.motif import Motif
from kerasbind.simulate import motif_pfms

PLANTED = {"MA0093.4": "USF1", "MA0035.5": "GATA1"}
HNRNPC = "RNCMPT00025"  # CISBP-RNA (Ray et al. 2013)
# learning steps: deeper and recurrent models learn the planted motifs more slowly
STEPS = {
    "deepbind_star": 3000,
    "kegru": 4000,
    "eclstm": 3000,
    "ecblstm": 3000,
    "danq": 3000,
    "danq_star": 3000,
}
# dilated at its default learning rate (0.01) had learned only one of the two motifs after
# 8,000 steps (validation AUC 0.79 at 3,000); at 0.03, the top of the standard budget's range,
# it reaches 0.92 — deepbind's — by 1,000 steps. KEGRU with its defaults (SGD, lr 0.02) had
# a test AUC of 0.71 after 4,000 steps; with Adagrad at lr 0.05 (tied with them on CLIP-seq
# validation folds, docs/models.md) 0.87
HPARAMS = {
    "dilated": {"learning_rate": 0.03},
    "kegru": {"optimizer": "adagrad", "learning_rate": 0.05},
}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    from kerasbind.simulate import simulate_binding

    path = tmp_path_factory.mktemp("planted") / "planted.meme"
    write_meme(path, [Motif(i, PLANTED[i], pfm) for i, pfm in motif_pfms(list(PLANTED)).items()])
    train, test = simulate_binding(20000, 1200, list(PLANTED), seed=0)
    return train, test, str(path)


@pytest.mark.slow
@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_every_architecture_yields_both_planted_motifs(arch, simulated):
    import kerasbind as kb

    train, test, db = simulated
    steps = STEPS.get(arch, 2000)
    # the sites are planted on the forward strand only, so one strand (docs/scanning.md)
    run = kb.train(
        arch, train, hparams=HPARAMS.get(arch), steps=steps, eval_every=steps // 2,
        strand="forward", progress=False, seed=0,
    )  # fmt: skip
    assert run.evaluate(test)["auc_roc"] > 0.8  # both motifs learned (one alone: about 0.75)
    summary = run.motifs(test, method="modisco", db=db, progress=False).summary()
    found = summary[(summary["sign"] == "+") & (summary["best_q_value"] < 0.05)]
    assert set(found["best_target_id"]) >= set(PLANTED), summary.to_string()


def _trained(train, steps: int, negatives: str = "none"):
    import kerasbind as kb

    return kb.train(
        "deepbind", train, steps=steps, eval_every=steps, negatives=negatives,
        progress=False, seed=0,
    )  # fmt: skip


@pytest.mark.slow
def test_hnrnpc_top_motif_is_u_rich_and_matches_hnrnpc(shared_data):
    """HNRNPC (17): trained on 24,000 sequences of the training file, motifs from the bound
    sequences of its other 6,000 (no test file read). HNRNPC's CISBP-RNA motif (RNCMPT00025,
    AUUUUUU) is one of ten near-identical poly-U motifs (HuR, RALY, CPEB, TIA1, U2AF2, ...),
    so which of them matches best is not evidence either way; what is checked is that the top
    motif is U-rich and HNRNPC is among its significant matches (docs/attribution.md)."""
    import kerasbind as kb

    base = shared_data / "CLIP-seq" / "17_ICLIP_HNRNPC_hg19" / "30000"
    data = kb.read_sequences(base / "training_sample_0" / "sequences.fa.gz")
    order = np.random.default_rng(0).permutation(len(data))
    run = _trained(data.subset(np.sort(order[6000:])), 3000)
    db = shared_data / "motifs" / "Ray2013_rbp_RNA.meme"
    held_out = data.subset(np.sort(order[:6000]))
    found = run.motifs(held_out, method="modisco", db=str(db), progress=False, per_motif=None)
    summary = found.summary()
    top = summary[summary["sign"] == "+"].iloc[0]
    uracils = top["consensus"].count("U")  # iONMF files are read as RNA
    assert uracils >= 0.6 * len(top["consensus"]), summary.to_string()
    matches = found.matches[found.matches["motif"] == top["motif"]]
    hnrnpc = matches[matches["target_id"] == HNRNPC]
    assert (hnrnpc["q_value"] < 0.05).any(), matches.head(15).to_string()


@pytest.mark.slow
def test_pum2_motif_carries_the_pum_consensus(pum2_files):
    train, test = pum2_files
    summary = (
        _trained(train, 3000).motifs(test, method="modisco", progress=False).summary()
    )  # the consensus is what is checked (CISBP-RNA has no PUM2), in the run's RNA letters
    consensus = summary.loc[summary["sign"] == "+", "consensus"].head(3)
    assert any(re.search("UGUA[ACU]AUA", c) for c in consensus), summary.to_string()


@pytest.mark.slow
def test_usf1_top_motif_is_an_e_box(usf1_files):
    train, test = usf1_files
    run = _trained(train, 3000, negatives="shuffle")  # *_AC holds positives only
    summary = run.motifs(test, method="modisco", progress=False).summary()
    top = summary[summary["sign"] == "+"].iloc[0]
    assert "CACGTG" in top["consensus"], summary.to_string()
