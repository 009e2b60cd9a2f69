"""The whole motif step: PFMs from a model's filters, TOMTOM matches, and the files of ``OUT/``.

``OUT/`` holds ``filters.meme`` (every filter with sites), ``known.meme`` (the known motifs
that are some filter's best match, in the database's alphabet), ``matches.tsv`` (each filter's best
targets, sorted by q-value), ``filters.tsv`` (one summary row per filter), ``logos/<filter>.png``
and ``.svg``, the overview sheet ``logos.png`` and ``positions/<filter>.png`` (Fig. 4B).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.motifs.logos import save_logo, save_overview, save_position_histogram
from kerasbind.motifs.matching import (
    BEST_MATCH,
    DEFAULT_DISTANCE,
    DEFAULT_JASPAR_RELEASE,
    DEFAULT_TAXON,
    NO_MATCH,
    Q_THRESHOLD,
    best_matches,
    best_targets,
    load_database,
    match_motifs,
)
from kerasbind.motifs.meme import write_meme
from kerasbind.motifs.motif import Motif
from kerasbind.motifs.pfm import FilterMotifs, Threshold, filter_motifs
from kerasbind.motifs.tomtom import Distance
from kerasbind.sequences import Alphabet, SequenceSet

SUMMARY_FILE = "filters.tsv"
MATCHES_FILE = "matches.tsv"
MEME_FILE = "filters.meme"
KNOWN_FILE = "known.meme"
OVERVIEW_FILE = "logos.png"
MIN_SITES = 10  # deepRAM: filters with fewer sites are not matched
MIN_INFORMATION = 11.0  # corrected bits; benchmarks/bench_motif_matching.py, docs/motifs.md


@dataclass
class MotifAnalysis:
    """Filters' PFMs (`FilterMotifs`), their motifs, the TOMTOM matches table (filters that pass
    the site and information gates only), those gates, and the best-matching known motifs
    (``known``, in ``known_alphabet``)."""

    filters: FilterMotifs
    motifs: list[Motif]
    matches: pd.DataFrame
    min_sites: int = MIN_SITES
    min_information: float = MIN_INFORMATION
    q_threshold: float = Q_THRESHOLD
    known: list[Motif] = field(default_factory=list)
    known_alphabet: Alphabet = "DNA"

    def _status(self, motif: Motif | None, best: pd.DataFrame) -> str:
        """Why a filter has, or has no, best match."""
        if motif is None:
            return "never activated"
        if motif.n_sites < self.min_sites:
            return f"not matched: under {self.min_sites} sites"
        if motif.corrected_information < self.min_information:
            return f"not matched: under {self.min_information:g} corrected bits"
        return BEST_MATCH if motif.id in best.index else NO_MATCH

    def summary(self) -> pd.DataFrame:
        """One row per filter: sites, threshold, information (bits, and corrected for the number
        of sites), ``enrichment`` (`site_enrichment`), status and best significant match (empty
        unless q < ``q_threshold``)."""
        best = best_matches(self.matches, self.q_threshold)
        by_id = {m.id: m for m in self.motifs}
        table = pd.DataFrame(
            {
                "filter": self.filters.ids,
                "n_sites": self.filters.n_sites.astype(int),
                "threshold": np.where(
                    np.isfinite(self.filters.thresholds), self.filters.thresholds, np.nan
                ),
                "information_bits": [
                    float(by_id[i].information.sum()) if i in by_id else 0.0
                    for i in self.filters.ids
                ],
                "corrected_bits": [
                    by_id[i].corrected_information if i in by_id else 0.0 for i in self.filters.ids
                ],
                "enrichment": site_enrichment(self.filters),
                "status": [self._status(by_id.get(i), best) for i in self.filters.ids],
            }
        )
        columns = ["target_id", "target_name", "p_value", "q_value"]
        return table.join(best[columns].add_prefix("best_"), on="filter")

    def best(self) -> pd.DataFrame:
        """Best significant match of each filter, indexed by filter, by q-value."""
        return best_matches(self.matches, self.q_threshold)

    def describe(self, top: int = 10) -> str:
        """What ``kerasbind motifs`` prints: filters by status, and the ``top`` best matches."""
        summary = self.summary()
        counts = summary["status"].value_counts()
        lines = [", ".join(f"{n} {status}" for status, n in counts.items())]
        best = summary.dropna(subset=["best_q_value"]).sort_values("best_q_value").head(top)
        if len(best):
            columns = ["filter", "n_sites", "corrected_bits", "enrichment", "best_target_id",
                       "best_target_name", "best_q_value"]  # fmt: skip
            lines.append(best[columns].to_string(index=False, float_format=lambda v: f"{v:.2g}"))
        return "\n".join(lines)


def site_enrichment(filters: FilterMotifs) -> np.ndarray:
    """Each filter's log2 ratio of sites per bound sequence to sites per unbound one (both
    counted with one extra site, so a filter silent in the negatives is not infinite): how much
    more often it fires where the protein binds; NaN for all without negatives."""
    if filters.negative_positions is None or not filters.n_negative:
        return np.full(len(filters.counts), np.nan)
    positive = (filters.positive_positions.sum(axis=1) + 1.0) / filters.n_positive
    negative = (filters.negative_positions.sum(axis=1) + 1.0) / filters.n_negative
    return np.log2(positive / negative)


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
    dist: Distance = DEFAULT_DISTANCE,
    threshold: Threshold = "half_max",
    min_sites: int = MIN_SITES,
    min_information: float = MIN_INFORMATION,
) -> MotifAnalysis:
    """PFMs of ``model``'s ``conv_1`` filters from ``seqset``'s positives (sites above
    ``threshold``), matched against ``db`` (``"jaspar"`` or a MEME file) by TOMTOM with column
    score ``dist``; filters with fewer than ``min_sites`` sites or under ``min_information``
    corrected bits are not matched. See `filter_motifs`, `match_filters` and `match_motifs`."""
    targets, db_alphabet = load_database(db, release=release, taxon=taxon)
    positives, negatives = split_by_label(seqset, use_all)
    filters = replace(
        filter_motifs(model, encoder, positives, negatives or None, threshold=threshold),
        alphabet=seqset.alphabet,
    )
    return match_filters(
        filters,
        targets,
        db_alphabet,
        per_filter=per_filter,
        dist=dist,
        min_sites=min_sites,
        min_information=min_information,
    )


def match_filters(
    filters: FilterMotifs,
    targets: list[Motif],
    db_alphabet: Alphabet,
    *,
    per_filter: int = 5,
    dist: Distance = DEFAULT_DISTANCE,
    min_sites: int = MIN_SITES,
    min_information: float = MIN_INFORMATION,
) -> MotifAnalysis:
    """TOMTOM matches of the filters with at least ``min_sites`` sites and ``min_information``
    bits (`Motif.corrected_information`); every filter with sites stays in
    `MotifAnalysis.motifs` and the MEME file."""
    motifs = filters.motifs()
    eligible = [
        m for m in motifs if m.n_sites >= min_sites and m.corrected_information >= min_information
    ]
    matches = match_motifs(
        eligible, targets, per_query=per_filter, both_strands=db_alphabet == "DNA", dist=dist
    )
    known = best_targets(matches, targets)
    return MotifAnalysis(filters, motifs, matches, min_sites, min_information, known=known,
                         known_alphabet=db_alphabet)  # fmt: skip


def write_analysis(analysis: MotifAnalysis, out_dir: Path | str, progress: bool = True) -> Path:
    """Write the files listed in the module docstring into ``out_dir``; return it."""
    from tqdm.auto import tqdm

    from kerasbind.files import write_atomic

    out = Path(out_dir)
    alphabet = analysis.filters.alphabet
    write_meme(out / MEME_FILE, analysis.motifs, alphabet)
    write_meme(out / KNOWN_FILE, analysis.known, analysis.known_alphabet)
    for name, table in ((MATCHES_FILE, analysis.matches), (SUMMARY_FILE, analysis.summary())):
        write_atomic(out / name, lambda tmp, t=table: t.to_csv(tmp, sep="\t", index=False))
    save_overview(analysis.motifs, analysis.best(), out / OVERVIEW_FILE, alphabet)
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
