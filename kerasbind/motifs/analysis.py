"""The whole motif step: PFMs from a model's filters, TOMTOM matches, and the files of ``OUT/``.

``OUT/`` holds ``filters.meme`` (every filter with sites), ``matches.tsv`` (each filter's best
targets, sorted by q-value), ``filters.tsv`` (one summary row per filter), ``logos/<filter>.png``
and ``.svg``, the overview sheet ``logos.png`` and ``positions/<filter>.png`` (Fig. 4B).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.motifs.logos import save_logo, save_overview, save_position_histogram
from kerasbind.motifs.matching import (
    DEFAULT_JASPAR_RELEASE,
    DEFAULT_TAXON,
    best_matches,
    load_database,
    match_motifs,
)
from kerasbind.motifs.meme import write_meme
from kerasbind.motifs.motif import Motif
from kerasbind.motifs.pfm import FilterMotifs, filter_motifs
from kerasbind.sequences import SequenceSet

SUMMARY_FILE = "filters.tsv"
MATCHES_FILE = "matches.tsv"
MEME_FILE = "filters.meme"
OVERVIEW_FILE = "logos.png"


@dataclass
class MotifAnalysis:
    """Filters' PFMs (`FilterMotifs`), their motifs, and the TOMTOM matches table."""

    filters: FilterMotifs
    motifs: list[Motif]
    matches: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per filter: sites, threshold, information (bits) and best match."""
        best = best_matches(self.matches)
        information = {m.id: float(m.information.sum()) for m in self.motifs}
        table = pd.DataFrame(
            {
                "filter": self.filters.ids,
                "n_sites": self.filters.n_sites.astype(int),
                "threshold": np.where(
                    np.isfinite(self.filters.thresholds), self.filters.thresholds, np.nan
                ),
                "information_bits": [information.get(i, 0.0) for i in self.filters.ids],
            }
        )
        columns = ["target_id", "target_name", "p_value", "q_value"]
        return table.join(best[columns].add_prefix("best_"), on="filter")


def split_by_label(seqset: SequenceSet, use_all: bool = False) -> tuple[list[str], list[str]]:
    """``(positives, negatives)``: label 1 / label 0, or every sequence (and no negatives) for an
    unlabelled set or ``use_all``."""
    if use_all or seqset.labels is None:
        return list(seqset.sequences), []
    positives = [s for s, label in zip(seqset.sequences, seqset.labels, strict=True) if label == 1]
    negatives = [s for s, label in zip(seqset.sequences, seqset.labels, strict=True) if label == 0]
    if not positives:
        raise KerasbindError(f"{seqset.source}: has no positives (label 1) to extract motifs from")
    return positives, negatives


def analyse_filters(
    model: Any,
    encoder: EncoderSpec,
    seqset: SequenceSet,
    *,
    db: str = "jaspar",
    release: str = DEFAULT_JASPAR_RELEASE,
    taxon: str = DEFAULT_TAXON,
    per_filter: int = 5,
    use_all: bool = False,
) -> MotifAnalysis:
    """PFMs of ``model``'s ``conv_1`` filters from ``seqset``'s positives, matched against
    ``db`` (``"jaspar"`` or a MEME file); see `filter_motifs` and `match_motifs`."""
    targets, db_alphabet = load_database(db, release=release, taxon=taxon)
    positives, negatives = split_by_label(seqset, use_all)
    filters = replace(
        filter_motifs(model, encoder, positives, negatives or None), alphabet=seqset.alphabet
    )
    motifs = filters.motifs()
    matches = match_motifs(motifs, targets, per_query=per_filter, both_strands=db_alphabet == "DNA")
    return MotifAnalysis(filters, motifs, matches)


def write_analysis(analysis: MotifAnalysis, out_dir: Path | str, progress: bool = True) -> Path:
    """Write the files listed in the module docstring into ``out_dir``; return it."""
    from tqdm.auto import tqdm

    from kerasbind.files import write_atomic

    out = Path(out_dir)
    alphabet = analysis.filters.alphabet
    write_meme(out / MEME_FILE, analysis.motifs, alphabet)
    for name, table in ((MATCHES_FILE, analysis.matches), (SUMMARY_FILE, analysis.summary())):
        write_atomic(out / name, lambda tmp, t=table: t.to_csv(tmp, sep="\t", index=False))
    save_overview(analysis.motifs, best_matches(analysis.matches), out / OVERVIEW_FILE, alphabet)
    filters = analysis.filters
    index = {name: i for i, name in enumerate(filters.ids)}
    for motif in tqdm(analysis.motifs, desc="figures", unit="filter", disable=not progress):
        save_logo(motif, out / "logos" / motif.id, alphabet)
        i = index[motif.id]
        save_position_histogram(
            filters.geometry.centres,
            filters.positive_positions[i],
            None if filters.negative_positions is None else filters.negative_positions[i],
            (filters.n_positive, filters.n_negative),
            motif.id,
            out / "positions" / f"{motif.id}.png",
        )
    return out
