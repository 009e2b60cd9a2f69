"""Motifs learned by first-layer filters: PFMs, MEME files, logos and TOMTOM matches.

Python API::

    from kerasbind.motifs import analyse_filters, write_analysis
    analysis = analyse_filters(run.model, run.encoder, seqset, db="jaspar")
    analysis.motifs      # list[Motif], (4, w) frequency matrices with site counts
    analysis.matches     # DataFrame: filter, target_id, target_name, p/E/q-value, offset, ...
    analysis.best()      # each filter's best match with q < 0.05 ("no significant match": absent)
    write_analysis(analysis, "out/")
"""

from kerasbind.motifs.analysis import (
    MotifAnalysis,
    analyse_filters,
    match_filters,
    split_by_label,
    write_analysis,
)
from kerasbind.motifs.matching import (
    benjamini_hochberg,
    best_matches,
    jaspar_motifs,
    load_database,
    match_motifs,
)
from kerasbind.motifs.meme import read_meme, write_meme
from kerasbind.motifs.motif import Motif
from kerasbind.motifs.pfm import FilterMotifs, WindowGeometry, filter_motifs, window_geometry
from kerasbind.motifs.tomtom import DISTANCES, tomtom
from kerasbind.options import DEFAULT_DISTANCE, DISTANCE_METRIC

__all__ = [
    "DEFAULT_DISTANCE",
    "DISTANCES",
    "DISTANCE_METRIC",
    "FilterMotifs",
    "Motif",
    "MotifAnalysis",
    "WindowGeometry",
    "analyse_filters",
    "benjamini_hochberg",
    "best_matches",
    "filter_motifs",
    "jaspar_motifs",
    "load_database",
    "match_filters",
    "match_motifs",
    "read_meme",
    "split_by_label",
    "tomtom",
    "window_geometry",
    "write_analysis",
    "write_meme",
]
