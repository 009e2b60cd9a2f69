"""Attribution files: ``attributions.npz`` in modisco's layout, the top positions, logos.

``attributions.npz`` holds ``one_hot`` and ``hypothetical_contribs`` (float32 ``(n, L, 4)``, the
arrays modisco-lite's ``TFMoDISco`` takes), ``ids``, ``log_odds``, ``baseline_log_odds`` (NaN
where the method has none), ``method`` and ``alphabet``; it is read without pickles.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from kerasbind.attribution.attributions import METHODS, Attributions
from kerasbind.errors import InputError

ATTRIBUTIONS_FILE = "attributions.npz"
TOP_POSITIONS_FILE = "top_positions.tsv"
LOGO_FOLDER = "logos"
_ARRAYS = ("one_hot", "hypothetical_contribs", "ids", "log_odds", "baseline_log_odds")


def save_attributions(attributions: Attributions, path: str | os.PathLike[str]) -> Path:
    """Write ``attributions`` to ``path`` (``.npz``) atomically."""
    from kerasbind.files import write_atomic

    baseline = attributions.baseline_log_odds
    arrays = {
        "one_hot": attributions.one_hot.astype(np.float32),
        "hypothetical_contribs": attributions.hypothetical.astype(np.float32),
        "ids": np.array(attributions.ids, dtype=str),
        "log_odds": attributions.log_odds.astype(np.float64),
        "baseline_log_odds": np.full(len(attributions), np.nan) if baseline is None else baseline,
        "method": np.array(attributions.method),
        "alphabet": np.array(attributions.alphabet),
    }

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    write_atomic(Path(path), write)
    return Path(path)


def load_attributions(path: str | os.PathLike[str]) -> Attributions:
    """Read a file written by `save_attributions` (no pickles are loaded)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [key for key in (*_ARRAYS, "method", "alphabet") if key not in data]
            if missing:
                raise InputError(path, None, f"not an attributions file (no {', '.join(missing)})")
            arrays = {key: data[key] for key in (*_ARRAYS, "method", "alphabet")}
    except (OSError, ValueError) as error:
        raise InputError(path, None, f"cannot read attributions ({error})") from error
    one_hot, hypothetical = arrays["one_hot"], arrays["hypothetical_contribs"]
    n = len(arrays["ids"])
    if one_hot.ndim != 3 or one_hot.shape[2] != 4 or hypothetical.shape != one_hot.shape:
        raise InputError(path, None, "one_hot and hypothetical_contribs must be (n, L, 4) alike")
    if len(one_hot) != n or arrays["log_odds"].shape != (n,):
        raise InputError(path, None, "ids, log_odds and the arrays disagree on n")
    method, alphabet = str(arrays["method"]), str(arrays["alphabet"])
    if method not in METHODS or alphabet not in ("DNA", "RNA"):
        raise InputError(path, None, f"unknown method {method!r} or alphabet {alphabet!r}")
    baseline = arrays["baseline_log_odds"]
    return Attributions(
        [str(i) for i in arrays["ids"]],
        method,
        one_hot.astype(np.float32),
        hypothetical.astype(np.float32),
        arrays["log_odds"].astype(np.float64),
        None if np.isnan(baseline).all() else baseline.astype(np.float64),
        alphabet,  # type: ignore[arg-type]
    )


def save_contribution_logo(attributions: Attributions, index: int, path: Path) -> list[Path]:
    """A logo of one sequence: each letter as tall as its contribution (negative: below)."""
    from kerasbind.motifs.logos import draw_logo, pyplot, save_figure
    from kerasbind.motifs.motif import letters

    heights = attributions.one_hot[index] * attributions.contributions[index][:, None]
    heights = np.where(attributions.one_hot[index] == 1.0, heights, 0.0)
    frame = pd.DataFrame(
        heights,
        index=np.arange(1, len(heights) + 1),
        columns=list(letters(attributions.alphabet)),
    )
    figure, axes = pyplot().subplots(figsize=(max(6.0, 0.09 * len(heights)), 1.6))
    draw_logo(axes, frame, ylabel="contribution")
    axes.set_title(
        f"{attributions.ids[index]}: log-odds {attributions.log_odds[index]:.2f} "
        f"({attributions.method})",
        fontsize=9,
    )
    return save_figure(figure, path)


def write_attributions(
    attributions: Attributions,
    out_dir: str | os.PathLike[str],
    *,
    logos: int = 10,
    per_sequence: int = 5,
    progress: bool = True,
) -> Path:
    """Write ``attributions.npz``, ``top_positions.tsv`` (each sequence's ``per_sequence`` best
    positions) and ``logos/ID.png`` for the ``logos`` highest-scoring sequences into
    ``out_dir``; return it."""
    from tqdm.auto import tqdm

    from kerasbind.explain import safe_name
    from kerasbind.files import write_table

    out = Path(out_dir)
    save_attributions(attributions, out / ATTRIBUTIONS_FILE)
    write_table(out / TOP_POSITIONS_FILE, attributions.top_positions(per_sequence))
    best = np.argsort(-attributions.log_odds, kind="stable")[:logos]
    for i in tqdm(best, desc="logos", disable=not progress):
        name = safe_name(attributions.ids[i])
        save_contribution_logo(attributions, int(i), out / LOGO_FOLDER / f"{name}.png")
    return out
