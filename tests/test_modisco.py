"""TF-MoDISco motifs (`kerasbind.motifs.modisco`, `kerasbind motifs --method modisco`): planted
motifs found from a DeepBind and a k-mer embedding model, and the files of the layout."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kerasbind.models import ARCHITECTURES
from kerasbind.motifs.meme import write_meme
from kerasbind.motifs.modisco import default_motif_method
from kerasbind.motifs.motif import Motif
from kerasbind.simulate import motif_pfms

PLANTED = {"MA0093.4": "USF1", "MA0035.5": "GATA1"}


@pytest.fixture(scope="module")
def planted_meme(tmp_path_factory) -> str:
    """The two planted JASPAR matrices as a MEME file: the database modisco motifs must hit."""
    path = tmp_path_factory.mktemp("planted_meme") / "planted.meme"
    write_meme(path, [Motif(i, PLANTED[i], pfm) for i, pfm in motif_pfms(list(PLANTED)).items()])
    return str(path)


@pytest.fixture(scope="module")
def modisco_folder(planted_run, planted_meme, tmp_path_factory):
    """``kerasbind motifs RUN --method modisco`` on the DeepBind run's planted test set."""
    from kerasbind.cli import main

    out = tmp_path_factory.mktemp("modisco") / "modisco"
    arguments = ["motifs", str(planted_run["run_dir"]), "--input", str(planted_run["test"])]
    assert main([*arguments, "--method", "modisco", "--db", planted_meme, "--out", str(out)]) == 0
    return out


def significant(summary: pd.DataFrame) -> set[str]:
    """Planted ids that some positive motif matches with q < 0.05."""
    hits = summary[(summary["sign"] == "+") & (summary["best_q_value"] < 0.05)]
    return set(hits["best_target_id"])


def test_deepbind_modisco_finds_the_planted_motifs(modisco_folder):
    summary = pd.read_csv(modisco_folder / "motifs.tsv", sep="\t")
    assert "MA0093.4" in significant(summary)  # USF1, planted in half the positives
    assert (summary["n_seqlets"] >= 20).all()


def test_modisco_folder_has_the_layout(modisco_folder):
    summary = pd.read_csv(modisco_folder / "motifs.tsv", sep="\t")
    assert list(summary.columns) == [
        "motif", "sign", "n_seqlets", "width", "information_bits", "contribution", "consensus",
        "status", "best_target_id", "best_target_name", "best_p_value", "best_q_value",
    ]  # fmt: skip
    matches = pd.read_csv(modisco_folder / "matches.tsv", sep="\t")
    assert matches.columns[0] == "motif" and set(matches["motif"]) <= set(summary["motif"])
    seqlets = pd.read_csv(modisco_folder / "seqlets.tsv", sep="\t")
    assert list(seqlets.columns) == ["motif", "sequence_index", "id", "start", "end", "strand"]
    counts = seqlets.groupby("motif").size()
    assert (counts.reindex(summary["motif"]).to_numpy() == summary["n_seqlets"].to_numpy()).all()
    for motif in summary["motif"]:
        assert (modisco_folder / "logos" / f"{motif}.cwm.png").is_file()
        assert (modisco_folder / "logos" / f"{motif}.pfm.png").is_file()
        assert (modisco_folder / "positions" / f"{motif}.png").is_file()
    for motif in summary.loc[summary["status"] == "best match", "motif"]:
        assert (modisco_folder / "logos" / f"{motif}.match.png").is_file()
    assert "MA0093.4" in (modisco_folder / "known.meme").read_text()
    record = json.loads((modisco_folder / "modisco.json").read_text())
    assert record["method"] == "modisco" and record["n_patterns"] == len(summary)
    with np.load(modisco_folder / "attributions.npz", allow_pickle=False) as data:
        assert data["hypothetical_contribs"].shape == (record["n_sequences"], 101, 4)
    for name in ("modisco.h5", "motifs.meme", "logos.png"):
        assert (modisco_folder / name).is_file()


def test_embedding_model_motifs_by_modisco(planted_meme):
    """A k-mer embedding model (attributed back to nucleotides) yields the planted USF1."""
    import kerasbind as kb
    from kerasbind.simulate import simulate_binding

    train, test = simulate_binding(2000, 600, list(PLANTED), seed=0)
    run = kb.train("deepbind_e_star", train, steps=600, eval_every=600, progress=False, seed=0)
    found = run.motifs(  # 3 Leiden runs instead of 10: a third of modisco's time, same motif
        test, method="modisco", db=planted_meme, progress=False, n_leiden_runs=3
    )
    assert "MA0093.4" in significant(found.summary())


def test_default_method_per_architecture():
    defaults = {name: default_motif_method(spec) for name, spec in ARCHITECTURES.items()}
    assert {name for name, method in defaults.items() if method == "filters"} == {
        "deepbind", "deepbind_star", "dilated", "danq", "danq_star",
    }  # fmt: skip
