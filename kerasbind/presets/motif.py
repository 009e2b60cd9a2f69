"""A preset card's top motif: the run's default motif method (`default_motif_method`) on the
positives of its test set, matched by TOMTOM, and the logo of the best motif, drawn into the
library (never into the benchmark's run folder).

The top motif is the one with the lowest TOMTOM q-value among significant matches; when none
matches, the most informative one (filters: corrected bits; modisco: seqlets), marked unmatched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.motifs.logos import save_logo
from kerasbind.motifs.modisco import default_motif_method
from kerasbind.motifs.motif import Motif
from kerasbind.options import DEFAULT_JASPAR_RELEASE, DEFAULT_TAXON
from kerasbind.sequences import Alphabet, SequenceSet

MODISCO_POSITIVES = 500  # attributions are costly: TF-MoDISco reads this many positives at most
LOGO_SUFFIX = "-motif.png"


def top_motif(run: Any, test_set: SequenceSet, db: str, cards: Path, stem: str) -> dict[str, Any]:
    """Find the run's motifs in ``test_set``'s positives, match them against ``db``
    (``"jaspar"`` or a MEME file), draw the top one as ``cards/STEM-motif.png``; the card's
    ``top_motif`` fields (``logo`` relative to the card; None when no motif was found)."""
    method = default_motif_method(run.architecture)
    logo = cards / f"{stem}{LOGO_SUFFIX}"
    if method == "filters":
        analysis = run.motifs(test_set, method="filters", db=db, progress=False)
        chosen = _choose(analysis.summary(), "filter", "corrected_bits")
        if chosen is not None:
            motif = next(m for m in analysis.motifs if m.id == chosen["filter"])
            _draw(motif, logo, analysis.filters.alphabet)
    else:
        chosen = _modisco_top(run, test_set, db, logo)
    found = {"method": method, "database": _database_name(db), "motif": None, "match": None}
    if chosen is None:
        return {**found, "logo": None}
    match = None
    if pd.notna(chosen.get("best_q_value")):
        match = {
            "id": str(chosen["best_target_id"]),
            "name": str(chosen["best_target_name"]),
            "q_value": float(chosen["best_q_value"]),
        }
    motif_id = chosen["filter"] if method == "filters" else chosen["motif"]
    return {**found, "motif": str(motif_id), "match": match, "logo": logo.name}


def _choose(summary: pd.DataFrame, key: str, information: str) -> dict[str, Any] | None:
    """The best-matching row (lowest q-value), else the most informative one with sites."""
    matched = summary.dropna(subset=["best_q_value"])
    if len(matched):
        return matched.sort_values(["best_q_value", key]).iloc[0].to_dict()
    candidates = summary[summary[information] > 0]
    if not len(candidates):
        return None
    return candidates.sort_values([information, key], ascending=[False, True]).iloc[0].to_dict()


def _modisco_top(run: Any, test_set: SequenceSet, db: str, logo: Path) -> dict[str, Any] | None:
    """TF-MoDISco on at most `MODISCO_POSITIVES` positives, in memory; the top positive
    pattern's letter logo drawn to ``logo``."""
    labels = np.asarray(test_set.labels)
    positives = test_set.subset(np.flatnonzero(labels == 1)[:MODISCO_POSITIVES])
    analysis = run.motifs(positives, method="modisco", db=db, progress=False)
    summary = analysis.summary()
    chosen = _choose(summary[summary["sign"] == "+"], "motif", "n_seqlets")
    if chosen is not None:
        motif = next(m for m in analysis.motifs if m.id == chosen["motif"])
        _draw(motif.pfm, logo, positives.alphabet)
    return chosen


def _draw(motif: Motif, logo: Path, alphabet: Alphabet) -> None:
    """The motif's information-content logo as ``logo`` (PNG only)."""
    save_logo(motif, logo.with_suffix(""), alphabet)
    logo.with_suffix(".svg").unlink(missing_ok=True)


def _database_name(db: str) -> str:
    """JASPAR's release and taxon, or the MEME file's name (not its folder: cards are
    published)."""
    if db == "jaspar":
        return f"JASPAR CORE ({DEFAULT_JASPAR_RELEASE}, {DEFAULT_TAXON})"
    return Path(db).name
