"""Compare motifs with known ones by TOMTOM (`kerasbind.motifs.tomtom`).

Similarity is TOMTOM's complete score with the **Pearson correlation** between matrix columns
by default, as deepRAM runs MEME's ``tomtom -dist pearson`` (``dist="ed"``: negative Euclidean
distance, memelite's metric); p-values come from TOMTOM's per-column background distributions,
merged over both strands of the target for DNA (forward strand only for RNA databases:
single-stranded RNA has no reverse complement). Query motifs are trimmed to the columns between
their first and last column of at least ``min_ic`` bits before matching; offsets are reported in
the untrimmed query's coordinates. A best match is one with q < `Q_THRESHOLD` (deepRAM's
``-thresh 0.05``); a filter without one has "no significant match".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from kerasbind.errors import KerasbindError
from kerasbind.motifs.meme import meme_alphabet, read_meme
from kerasbind.motifs.motif import Motif, column_frequencies, trimmed_span
from kerasbind.motifs.tomtom import DISTANCES, Distance, tomtom
from kerasbind.options import (
    DEFAULT_DISTANCE,
    DEFAULT_JASPAR_RELEASE,
    DEFAULT_TAXON,
    JASPAR_TAXA,
)
from kerasbind.sequences import BASES, Alphabet

MIN_IC = 0.3
Q_THRESHOLD = 0.05
# a motif's status in an analysis's summary once the gates are passed
BEST_MATCH = "best match"
NO_MATCH = "no significant match"
MATCH_COLUMNS = [
    "filter",
    "target_id",
    "target_name",
    "p_value",
    "e_value",
    "q_value",
    "offset",
    "orientation",
    "overlap",
]


@cache
def _jaspar(release: str, taxon: str) -> tuple[Motif, ...]:
    from pyjaspar import jaspardb

    releases = jaspardb().get_releases()
    if release not in releases:
        raise KerasbindError(f"unknown JASPAR release {release!r} (one of {', '.join(releases)})")
    if taxon not in JASPAR_TAXA:
        raise KerasbindError(f"unknown taxon {taxon!r} (one of {', '.join(JASPAR_TAXA)})")
    found = jaspardb(release=release).fetch_motifs(
        collection="CORE", tax_group=None if taxon == "all" else [taxon]
    )
    motifs = []
    for m in found:
        counts = np.array([m.counts[base] for base in BASES], dtype=np.float64)
        sites = int(counts[:, 0].sum())
        motifs.append(Motif(m.matrix_id, m.name, column_frequencies(counts), sites))
    return tuple(motifs)


def jaspar_motifs(release: str = DEFAULT_JASPAR_RELEASE, taxon: str = DEFAULT_TAXON) -> list[Motif]:
    """JASPAR CORE motifs of one taxon (``"all"`` for every taxon), from pyjaspar's offline copy."""
    return list(_jaspar(release, taxon))


def load_database(
    db: str, *, release: str = DEFAULT_JASPAR_RELEASE, taxon: str = DEFAULT_TAXON
) -> tuple[list[Motif], Alphabet]:
    """Motifs and their alphabet: ``"jaspar"`` → JASPAR CORE (``release``, ``taxon``), DNA;
    anything else is a MEME file path (RNA when it declares ``ALPHABET= ACGU``)."""
    if db == "jaspar":
        return jaspar_motifs(release, taxon), "DNA"
    return read_meme(db), meme_alphabet(db)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values along the last axis (each row is one family of tests)."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.shape[-1]
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1) * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    q = np.empty_like(p)
    np.put_along_axis(q, order, np.minimum(ranked, 1.0), axis=-1)
    return q


def match_motifs(
    queries: Sequence[Motif],
    targets: Sequence[Motif],
    *,
    per_query: int | None = 5,
    min_ic: float = MIN_IC,
    both_strands: bool = True,
    dist: Distance = DEFAULT_DISTANCE,
) -> pd.DataFrame:
    """Each query's best targets by TOMTOM, as a table sorted by q-value.

    Parameters
    ----------
    queries, targets : motifs with ``(4, w)`` frequency matrices
    per_query : keep each query's best ``per_query`` targets (``None``: all of them)
    min_ic : flank columns under this many bits are trimmed from queries before matching
    both_strands : also try each target's reverse complement (DNA); ``False`` for RNA motifs
    dist : column score, ``"pearson"`` (default, as deepRAM) or ``"ed"`` (see `DISTANCES`)

    Returns
    -------
    DataFrame with `MATCH_COLUMNS`: ``e_value`` is p × number of targets, ``q_value`` is
    Benjamini–Hochberg over the query's comparisons with all targets; ``offset`` is the target
    column (of the reverse-complemented target when ``orientation`` is ``-``) that the query's
    first column aligns with (negative: the query starts before the target).
    """
    if dist not in DISTANCES:
        raise KerasbindError(f"unknown distance {dist!r} (one of {', '.join(DISTANCES)})")
    if not queries:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    if len(targets) < 2:
        raise KerasbindError("the motif database needs at least two motifs")
    spans = [trimmed_span(q.frequencies, min_ic) for q in queries]
    trimmed = [
        np.ascontiguousarray(q.frequencies[:, a:b])
        for q, (a, b) in zip(queries, spans, strict=True)
    ]
    p, _, offsets, overlaps, strands = tomtom(
        trimmed, [t.frequencies for t in targets], dist=dist, reverse_complement=both_strands
    )
    q = benjamini_hochberg(p)
    keep = len(targets) if per_query is None else min(per_query, len(targets))
    best = np.argsort(p, axis=1, kind="stable")[:, :keep]
    rows = np.repeat(np.arange(len(queries)), keep)
    cols = best.ravel()
    table = pd.DataFrame(
        {
            "filter": [queries[i].id for i in rows],
            "target_id": [targets[j].id for j in cols],
            "target_name": [targets[j].name for j in cols],
            "p_value": p[rows, cols],
            "e_value": p[rows, cols] * len(targets),
            "q_value": q[rows, cols],
            "offset": (offsets[rows, cols] - np.array([spans[i][0] for i in rows])).astype(int),
            "orientation": np.where(strands[rows, cols] == 1, "-", "+"),
            "overlap": overlaps[rows, cols].astype(int),
        }
    )
    return table.sort_values(["q_value", "p_value"], kind="stable").reset_index(drop=True)


def best_matches(matches: pd.DataFrame, q_threshold: float | None = Q_THRESHOLD) -> pd.DataFrame:
    """Each filter's lowest-q row, indexed by filter, for the filters whose lowest q-value is
    below ``q_threshold`` (``None``: every filter's lowest row, significant or not)."""
    best = matches.drop_duplicates("filter").set_index("filter")
    return best if q_threshold is None else best[best["q_value"] < q_threshold]


def best_targets(
    matches: pd.DataFrame, targets: Sequence[Motif], q_threshold: float = Q_THRESHOLD
) -> list[Motif]:
    """The distinct targets that are some query's best match with q < ``q_threshold``, in the
    order of ``targets`` (the ``known.meme`` beside the motifs, for logos of the matches)."""
    ids = set(best_matches(matches, q_threshold)["target_id"])
    return [target for target in targets if target.id in ids]
