"""A preset card's top motif: the run's default motif method (`default_motif_method`) on the
positives of its test set, matched by TOMTOM, and the logo of the best motif, drawn into the
library (never into the benchmark's run folder).

The top motif is the one that matters most to the model, whatever the database holds: for
filters, the one that fires most often in bound over unbound sequences (`site_enrichment`,
among those with enough sites and information to be matched; without negatives, the most
informative); for TF-MoDISco, the positive pattern with the most seqlets. Its best TOMTOM match,
if any, is reported beside it. (Choosing the lowest q-value instead showed PUM2's card a U-rich
filter matching CPEB4, fired 3.8 times as often in bound sequences, while the filters fired
34-39 times as often were UGUAAAUA, the Pumilio element.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.motifs.logos import save_logo
from kerasbind.motifs.matching import BEST_MATCH, NO_MATCH
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
        summary = analysis.summary()
        gated = summary[summary["status"].isin([BEST_MATCH, NO_MATCH])]
        chosen = _choose(gated, "filter", "enrichment") or _choose(
            summary[summary["corrected_bits"] > 0], "filter", "corrected_bits"
        )
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
    weight = {
        key: float(chosen[key])
        for key in ("enrichment", "n_seqlets")
        if key in chosen and pd.notna(chosen[key])
    }
    return {**found, "motif": str(motif_id), "match": match, "logo": logo.name, **weight}


def _choose(rows: pd.DataFrame, key: str, measure: str) -> dict[str, Any] | None:
    """The row with the largest ``measure`` (ties: the first ``key``); None without one."""
    rows = rows.dropna(subset=[measure])
    if not len(rows):
        return None
    return rows.sort_values([measure, key], ascending=[False, True]).iloc[0].to_dict()


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
