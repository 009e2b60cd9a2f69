"""Figures: information-content logos (logomaker), the overview sheet with each filter's best
match, and positional activation histograms of positives vs negatives (paper Fig. 4B)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.motifs.motif import Motif, letters
from kerasbind.sequences import Alphabet

SHEET_COLUMNS = 4


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, *paths: Path) -> list[Path]:
    """Save ``figure`` atomically to each path (format from the suffix), then close it."""
    from kerasbind.files import write_atomic

    for path in paths:
        write_atomic(
            path,
            lambda tmp, suffix=path.suffix[1:]: figure.savefig(
                tmp, format=suffix, dpi=150, bbox_inches="tight"
            ),
        )
    pyplot().close(figure)
    return list(paths)


def information_matrix(frequencies: np.ndarray, alphabet: Alphabet = "DNA") -> pd.DataFrame:
    """Letter heights in bits, ``(w, 4)`` indexed by 1-based position, for a ``(4, w)``
    frequency matrix."""
    import logomaker

    frame = pd.DataFrame(
        frequencies.T,
        columns=list(letters(alphabet)),
        index=np.arange(1, frequencies.shape[1] + 1),
    )
    return logomaker.transform_matrix(frame, from_type="probability", to_type="information")


def draw_logo(axes: Any, heights: pd.DataFrame, *, ylabel: str = "bits") -> None:
    """A logo of per-letter ``heights`` (``(w, 4)`` indexed by position; negative heights are
    drawn downwards), with position ticks."""
    import logomaker
    from matplotlib.ticker import MaxNLocator

    logomaker.Logo(heights, ax=axes, color_scheme="classic", show_spines=False)
    axes.set_ylabel(ylabel, fontsize=9)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    axes.tick_params(labelsize=8)


def motif_panel(axes: Any, motif: Motif, alphabet: Alphabet = "DNA") -> None:
    """A motif's information-content logo (0–2 bits) titled with its id and site count."""
    draw_logo(axes, information_matrix(motif.frequencies, alphabet))
    axes.set_ylim(0, 2)
    axes.set_title(f"{motif.id} ({motif.n_sites} sites)", fontsize=9)


def match_label(best: pd.Series | None) -> str:
    """``"USF1 (MA0093.4) q=2.1e-05"`` for a best-match row, or ``"no significant match"``."""
    if best is None:
        return "no significant match"
    return f"{best['target_name']} ({best['target_id']}) q={best['q_value']:.2g}"


def save_logo(motif: Motif, stem: Path, alphabet: Alphabet = "DNA") -> list[Path]:
    """``stem.png`` and ``stem.svg`` logos of one motif."""
    plt = pyplot()
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    figure, axes = plt.subplots(figsize=(max(2.8, 0.2 * motif.width + 0.9), 1.7))
    motif_panel(axes, motif, alphabet)
    return save_figure(figure, *paths)


def save_overview(
    motifs: Sequence[Motif], best: pd.DataFrame, path: Path, alphabet: Alphabet = "DNA"
) -> Path:
    """One sheet of all logos, each with its best match (``best`` indexed by filter) below."""
    plt = pyplot()
    rows = max(1, -(-len(motifs) // SHEET_COLUMNS))
    figure, grid = plt.subplots(
        rows, SHEET_COLUMNS, figsize=(3.6 * SHEET_COLUMNS, 1.9 * rows), squeeze=False
    )
    for axes in grid.flat[len(motifs) :]:
        axes.axis("off")
    for axes, motif in zip(grid.flat, motifs, strict=False):
        motif_panel(axes, motif, alphabet)
        match = best.loc[motif.id] if motif.id in best.index else None
        axes.set_xlabel(match_label(match), fontsize=8)
    figure.tight_layout()
    return save_figure(figure, path)[0]


def save_position_histogram(
    centres: np.ndarray,
    positives: np.ndarray,
    negatives: np.ndarray | None,
    sizes: tuple[int, int],
    title: str,
    path: Path,
) -> Path:
    """Activating windows by position (``(P,)`` counts at window ``centres``) per 1,000
    sequences of each set (``sizes``: positives, negatives), as in paper Fig. 4B. The axis spans
    the sequence, positions 1 to L: the centres are symmetric about its middle (padding on both
    sides, or none), so the first and last centre sum to L − 1; windows centred in the padding
    fall outside it."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5, 2.4))
    x = centres + 1  # 1-based nucleotide position
    length = round(centres[0] + centres[-1]) + 1
    axes.step(x, 1000 * positives / sizes[0], where="mid", label="positives", color="tab:red")
    if negatives is not None:
        axes.step(x, 1000 * negatives / sizes[1], where="mid", label="negatives", color="tab:blue")
    axes.set_xlim(0.5, length + 0.5)
    axes.set_xlabel("window centre (position in the sequence)")
    axes.set_ylabel("activating windows\nper 1,000 sequences")
    axes.set_title(title, fontsize=9)
    axes.legend(frameon=False, fontsize=8)
    return save_figure(figure, path)[0]
