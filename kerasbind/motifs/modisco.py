"""TF-MoDISco motifs (modisco-lite) from attributions, matched to known motifs by TOMTOM.

modisco-lite cuts *seqlets* (windows of high total contribution) out of the attributions,
clusters them and aggregates each cluster into a **pattern**: a contribution-weight matrix (CWM,
the mean contributions of the aligned seqlets), a position probability matrix (PFM, their
letters) and a hypothetical CWM. Patterns are trimmed to the columns whose total absolute
contribution reaches `TRIM_FRACTION` of the largest (as modisco's own report does), then matched
against JASPAR or a MEME file with the same TOMTOM as the filter motifs (`match_motifs`).
Positive patterns (``pos_0`` …: letters that raise the log-odds) come first, then negative ones.

Unlike DNA, RNA has one strand: modisco aligns seqlets on both strands, so for RNA a pattern
whose seqlets were mostly taken reverse-complemented is turned back, and matched on the forward
strand only. docs/attribution.md lists the files `write_modisco` writes.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kerasbind.attribution.attributions import Attributions
from kerasbind.errors import KerasbindError
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
from kerasbind.motifs.motif import Motif, letters
from kerasbind.motifs.tomtom import Distance
from kerasbind.sequences import Alphabet

if TYPE_CHECKING:
    from kerasbind.encoding import EncoderSpec
    from kerasbind.models import ArchitectureSpec
    from kerasbind.sequences import SequenceSet

MOTIF_METHODS = ("filters", "modisco")
TRIM_FRACTION = 0.3
# modisco-lite's defaults are for 1,000-nt windows; 101-nt sequences take shorter seqlets
MODISCO_OPTIONS: dict[str, Any] = {
    "sliding_window_size": 15,
    "flank_size": 5,
    "trim_to_window_size": 20,
    "initial_flank_to_add": 5,
    "max_seqlets_per_metacluster": 20000,
    "n_leiden_runs": 10,  # modisco-lite: 50; same motifs, a third of the time (docs)
}
SUMMARY_FILE = "motifs.tsv"
MATCHES_FILE = "matches.tsv"
MEME_FILE = "motifs.meme"
KNOWN_FILE = "known.meme"
SEQLETS_FILE = "seqlets.tsv"
RESULTS_FILE = "modisco.h5"
OVERVIEW_FILE = "logos.png"
SUMMARY_JSON = "modisco.json"
MAX_OVERVIEW = 24


@dataclass
class ModiscoMotif:
    """One modisco pattern, trimmed.

    Attributes
    ----------
    pfm : the letters' frequencies ``(4, w)`` as a `Motif` (``n_sites``: seqlets)
    cwm : ``(4, w)`` mean contributions of the aligned seqlets
    seqlets : sequence_index, start, end (0-based, end exclusive, in the model window), strand
    """

    pfm: Motif
    cwm: np.ndarray
    seqlets: pd.DataFrame

    @property
    def id(self) -> str:
        return self.pfm.id

    @property
    def sign(self) -> str:
        return "-" if self.id.startswith("neg") else "+"

    def consensus(self, alphabet: Alphabet = "DNA") -> str:
        return "".join(np.array(list(letters(alphabet)))[self.pfm.frequencies.argmax(axis=0)])


@dataclass
class ModiscoAnalysis:
    """Patterns found in ``attributions``, their TOMTOM ``matches`` (first column ``motif``),
    the ``known`` motifs that are some pattern's best match (in ``known_alphabet``) and the
    ``database`` matched against."""

    attributions: Attributions
    motifs: list[ModiscoMotif]
    matches: pd.DataFrame
    known: list[Motif] = field(default_factory=list)
    known_alphabet: Alphabet = "DNA"
    database: str = "jaspar"
    patterns: tuple[Any, Any] = (None, None)  # modisco-lite's (positive, negative) SeqletSets
    q_threshold: float = Q_THRESHOLD
    seconds: dict[str, float] = field(default_factory=dict)  # time taken, for modisco.json

    def best(self) -> pd.DataFrame:
        """Each motif's best match with q < ``q_threshold``, indexed by motif."""
        return best_matches(self.matches.rename(columns={"motif": "filter"}), self.q_threshold)

    def summary(self) -> pd.DataFrame:
        """One row per motif: sign, seqlets, width, bits, total contribution, consensus, status
        and best match (empty unless q < ``q_threshold``)."""
        best = self.best()
        alphabet = self.attributions.alphabet
        table = pd.DataFrame(
            {
                "motif": pd.Series([m.id for m in self.motifs], dtype=object),  # none: joinable
                "sign": [m.sign for m in self.motifs],
                "n_seqlets": [m.pfm.n_sites for m in self.motifs],
                "width": [m.pfm.width for m in self.motifs],
                "information_bits": [float(m.pfm.information.sum()) for m in self.motifs],
                "contribution": [float(m.cwm.sum()) for m in self.motifs],
                "consensus": [m.consensus(alphabet) for m in self.motifs],
                "status": [BEST_MATCH if m.id in best.index else NO_MATCH for m in self.motifs],
            }
        )
        columns = ["target_id", "target_name", "p_value", "q_value"]
        return table.join(best[columns].add_prefix("best_"), on="motif")

    def describe(self, top: int = 10) -> str:
        """What ``kerasbind motifs --method modisco`` prints."""
        summary = self.summary()
        n_positive = int((summary["sign"] == "+").sum()) if len(summary) else 0
        lines = [
            f"{len(summary)} modisco motifs ({n_positive} positive) from "
            f"{len(self.attributions)} sequences ({self.attributions.method} attributions); "
            f"{int((summary['status'] == 'best match').sum()) if len(summary) else 0} matched"
        ]
        if len(summary):
            columns = ["motif", "n_seqlets", "consensus", "best_target_id", "best_target_name",
                       "best_q_value"]  # fmt: skip
            lines.append(
                summary[columns]
                .head(top)
                .to_string(index=False, float_format=lambda v: f"{v:.2g}", na_rep="-")
            )
        return "\n".join(lines)


def trimmed_span(cwm: np.ndarray, fraction: float = TRIM_FRACTION) -> tuple[int, int]:
    """``(start, stop)`` of the columns from the first to the last whose total absolute
    contribution reaches ``fraction`` of the largest (``cwm``: ``(w, 4)``)."""
    weight = np.abs(cwm).sum(axis=1)
    keep = np.flatnonzero(weight >= fraction * weight.max())
    return (int(keep[0]), int(keep[-1]) + 1) if keep.size else (0, len(cwm))


def _motif(pattern: Any, name: str, alphabet: Alphabet) -> ModiscoMotif:
    """A `ModiscoMotif` from a modisco-lite pattern (``SeqletSet``)."""
    sequence = np.asarray(pattern.sequence, dtype=np.float64)  # (w, 4)
    cwm = np.asarray(pattern.contrib_scores, dtype=np.float64)
    seqlets = pattern.seqlets
    strand = np.array(["-" if s.is_revcomp else "+" for s in seqlets])
    if alphabet == "RNA" and (strand == "-").mean() > 0.5:  # back to the RNA's own strand
        sequence, cwm = sequence[::-1, ::-1], cwm[::-1, ::-1]
        strand = np.where(strand == "-", "+", "-")
    start, stop = trimmed_span(cwm)
    frequencies = sequence[start:stop].T
    frequencies = frequencies / np.maximum(frequencies.sum(axis=0, keepdims=True), 1e-12)
    table = pd.DataFrame(
        {
            "sequence_index": [s.example_idx for s in seqlets],
            "start": [s.start for s in seqlets],
            "end": [s.end for s in seqlets],
            "strand": strand,
        }
    )
    return ModiscoMotif(Motif(name, "", frequencies, len(seqlets)), cwm[start:stop].T, table)


def run_modisco(attributions: Attributions, **options: Any) -> tuple[Any, Any]:
    """modisco-lite's ``TFMoDISco`` on the attributions: ``(positive, negative)`` pattern lists
    (either may be ``None``). ``options`` override `MODISCO_OPTIONS`."""
    from kerasbind.runtime import use_numba_cache

    use_numba_cache()
    from modiscolite.tfmodisco import TFMoDISco

    if len(attributions) < 2:
        raise KerasbindError("modisco needs attributions of at least two sequences")
    known = attributions.one_hot.max(axis=2) == 1.0
    one_hot = np.where(known[..., None], attributions.one_hot, 0.0).astype(np.float32)
    return TFMoDISco(
        one_hot=one_hot,
        hypothetical_contribs=attributions.hypothetical.astype(np.float32),
        **{**MODISCO_OPTIONS, **options},
    )


def modisco_motifs(patterns: tuple[Any, Any], alphabet: Alphabet) -> list[ModiscoMotif]:
    """Positive then negative patterns as `ModiscoMotif`s (``pos_0`` …, ``neg_0`` …)."""
    motifs = []
    for prefix, found in zip(("pos", "neg"), patterns, strict=True):
        for i, pattern in enumerate(found or []):
            motifs.append(_motif(pattern, f"{prefix}_{i}", alphabet))
    return motifs


def analyse_modisco(
    attributions: Attributions,
    *,
    db: str = "jaspar",
    release: str = DEFAULT_JASPAR_RELEASE,
    taxon: str = DEFAULT_TAXON,
    per_motif: int = 5,
    dist: Distance = DEFAULT_DISTANCE,
    **options: Any,
) -> ModiscoAnalysis:
    """modisco motifs of ``attributions`` matched by TOMTOM against ``db`` (``"jaspar"`` or a
    MEME file); ``options``: modisco-lite's ``TFMoDISco`` parameters (see `MODISCO_OPTIONS`)."""
    targets, db_alphabet = load_database(db, release=release, taxon=taxon)
    patterns = run_modisco(attributions, **options)
    motifs = modisco_motifs(patterns, attributions.alphabet)
    matches = match_motifs(
        [m.pfm for m in motifs],
        targets,
        per_query=per_motif,
        both_strands=db_alphabet == "DNA",
        dist=dist,
    ).rename(columns={"filter": "motif"})
    known = best_targets(matches.rename(columns={"motif": "filter"}), targets)
    return ModiscoAnalysis(attributions, motifs, matches, known, db_alphabet, db, patterns)


def default_motif_method(architecture: ArchitectureSpec) -> str:
    """``"filters"`` (the paper's method) for models whose first layer is a convolution over
    one-hot nucleotides, ``"modisco"`` for the others: k-mer embedding models (their filters see
    k-mer vectors) and models without a convolution (KEGRU). docs/attribution.md gives the
    evidence; for a run folder, ``default_motif_method(kb.run_architecture(path))``."""
    return "filters" if architecture.conv_layers and not architecture.embedding else "modisco"


def modisco_of_sequences(
    model: Any,
    encoder: EncoderSpec,
    seqset: SequenceSet,
    *,
    attribution: str = "integrated_gradients",
    steps: int | None = None,
    references: int | None = None,
    use_all: bool = False,
    seed: int = 0,
    progress: bool = True,
    **options: Any,
) -> ModiscoAnalysis:
    """Attributions (`kerasbind.attribution.attribute` by ``attribution``) of ``seqset``'s
    positives (every sequence with ``use_all`` or without labels), then `analyse_modisco`
    (``options``: its keyword arguments)."""
    import time

    from kerasbind.attribution import attribute

    if use_all or seqset.labels is None:
        chosen = seqset
    else:
        chosen = seqset.subset(np.flatnonzero(np.asarray(seqset.labels) == 1))
        if not len(chosen):
            raise KerasbindError(f"{seqset.source}: has no positives (label 1) to find motifs in")
    started = time.perf_counter()
    attributions = attribute(
        model, encoder, chosen.sequences, ids=chosen.ids, method=attribution, steps=steps,
        references=references, seed=seed, alphabet=chosen.alphabet, progress=progress,
    )  # fmt: skip
    seconds_attribution = time.perf_counter() - started
    analysis = analyse_modisco(attributions, **options)
    analysis.seconds = {
        "seconds_attribution": round(seconds_attribution, 1),
        "seconds_modisco": round(time.perf_counter() - started - seconds_attribution, 1),
    }
    return analysis


def _cwm_frame(motif: ModiscoMotif, alphabet: Alphabet) -> pd.DataFrame:
    return pd.DataFrame(
        motif.cwm.T, index=np.arange(1, motif.pfm.width + 1), columns=list(letters(alphabet))
    )


def _oriented(target: Motif, orientation: str) -> Motif:
    """``target`` as it aligned: reverse-complemented for a ``-`` match."""
    if orientation != "-":
        return target
    return Motif(target.id, target.name, target.frequencies[::-1, ::-1], target.n_sites)


def _draw(axes: Any, motif: ModiscoMotif, kind: str, alphabet: Alphabet, match: Any) -> None:
    """One panel: ``kind`` ``"cwm"``, ``"pfm"`` or ``"match"`` (``match``: (row, `Motif`))."""
    from kerasbind.motifs.logos import draw_logo, match_label, motif_panel

    if kind == "cwm":
        draw_logo(axes, _cwm_frame(motif, alphabet), ylabel="contribution")
        axes.set_title(f"{motif.id} CWM ({motif.pfm.n_sites} seqlets)", fontsize=9)
    elif kind == "pfm":
        motif_panel(axes, motif.pfm, alphabet)
    elif match is None:
        axes.axis("off")
        axes.set_title("no significant match", fontsize=9)
    else:
        row, target = match
        motif_panel(axes, _oriented(target, row["orientation"]), alphabet)
        axes.set_title(match_label(row), fontsize=9)


def _save_panel(motif: ModiscoMotif, kind: str, alphabet: Alphabet, match: Any, path: Path) -> None:
    from kerasbind.motifs.logos import pyplot, save_figure

    width = motif.pfm.width if match is None else max(motif.pfm.width, match[1].width)
    figure, axes = pyplot().subplots(figsize=(max(2.8, 0.2 * width + 0.9), 1.7))
    _draw(axes, motif, kind, alphabet, match)
    save_figure(figure, path)


def _save_positions(motif: ModiscoMotif, length: int, path: Path) -> None:
    """Histogram of seqlet centres along the window (positions 1..L)."""
    from kerasbind.motifs.logos import pyplot, save_figure

    centres = (motif.seqlets["start"] + motif.seqlets["end"]) / 2.0 + 0.5
    figure, axes = pyplot().subplots(figsize=(5, 2.4))
    axes.hist(centres, bins=np.linspace(0.5, length + 0.5, min(length, 50) + 1), color="tab:red")
    axes.set_xlim(0.5, length + 0.5)
    axes.set_xlabel("seqlet centre (position in the window)")
    axes.set_ylabel("seqlets")
    axes.set_title(f"{motif.id}: {len(centres)} seqlets", fontsize=9)
    save_figure(figure, path)


def _save_overview(analysis: ModiscoAnalysis, matched: dict[str, Any], path: Path) -> None:
    from kerasbind.motifs.logos import pyplot, save_figure

    shown = analysis.motifs[:MAX_OVERVIEW]
    alphabet = analysis.attributions.alphabet
    figure, grid = pyplot().subplots(
        max(1, len(shown)), 3, figsize=(11, 1.9 * max(1, len(shown))), squeeze=False
    )
    for axes_row, motif in zip(grid, shown, strict=False):
        for axes, kind in zip(axes_row, ("cwm", "pfm", "match"), strict=True):
            _draw(axes, motif, kind, alphabet, matched.get(motif.id))
    for axes in grid.flat[3 * len(shown) :]:
        axes.axis("off")
    figure.tight_layout()
    save_figure(figure, path)


def write_modisco(
    analysis: ModiscoAnalysis, out_dir: str | os.PathLike[str], *, progress: bool = True
) -> Path:
    """Write the motif files (docs/attribution.md) into ``out_dir``; return the folder."""
    from modiscolite.io import save_hdf5
    from tqdm.auto import tqdm

    from kerasbind.attribution.output import ATTRIBUTIONS_FILE, save_attributions
    from kerasbind.files import write_atomic, write_json, write_table
    from kerasbind.motifs.meme import write_meme

    out = Path(out_dir)
    attributions = analysis.attributions
    alphabet = attributions.alphabet
    save_attributions(attributions, out / ATTRIBUTIONS_FILE)

    def write_h5(tmp: Path) -> None:
        save_hdf5(str(tmp), *analysis.patterns, MODISCO_OPTIONS["sliding_window_size"])
        gc.collect()  # modisco-lite leaves its h5py file to be closed when collected

    write_atomic(out / RESULTS_FILE, write_h5)
    write_table(out / SUMMARY_FILE, analysis.summary())
    write_table(out / MATCHES_FILE, analysis.matches)
    write_meme(out / MEME_FILE, [m.pfm for m in analysis.motifs], alphabet)
    write_meme(out / KNOWN_FILE, analysis.known, analysis.known_alphabet)
    seqlets = [m.seqlets.assign(motif=m.id) for m in analysis.motifs]
    table = pd.concat(seqlets) if seqlets else pd.DataFrame(columns=["sequence_index"])
    table.insert(2, "id", [attributions.ids[i] for i in table["sequence_index"]])
    columns = ["motif", "sequence_index", "id", "start", "end", "strand"]
    write_table(out / SEQLETS_FILE, table.reindex(columns=columns))
    by_id = {t.id: t for t in analysis.known}
    best = analysis.best()
    matched = {m: (row, by_id[row["target_id"]]) for m, row in best.iterrows()}
    length = attributions.one_hot.shape[1]
    for motif in tqdm(analysis.motifs, desc="figures", unit="motif", disable=not progress):
        logos = out / "logos"
        _save_panel(motif, "cwm", alphabet, None, logos / f"{motif.id}.cwm.png")
        _save_panel(motif, "pfm", alphabet, None, logos / f"{motif.id}.pfm.png")
        if motif.id in matched:
            _save_panel(
                motif, "match", alphabet, matched[motif.id], logos / f"{motif.id}.match.png"
            )
        _save_positions(motif, length, out / "positions" / f"{motif.id}.png")
    _save_overview(analysis, matched, out / OVERVIEW_FILE)
    summary = {
        "method": "modisco",
        "attribution": attributions.method,
        "n_sequences": len(attributions),
        "sequence_length": length,
        "db": analysis.database,
        "alphabet": alphabet,
        "n_patterns": len(analysis.motifs),
        **analysis.seconds,
    }
    write_json(out / SUMMARY_JSON, summary)
    return out
