"""The report's motifs: the first-layer filters' motifs (``kerasbind motifs``, folder
``RUN/motifs``) and TF-MoDISco's (``kerasbind motifs --method modisco``, ``RUN/modisco``), each
beside the logo of its best known match and its positional histogram, with how many filters
stayed silent."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pandas as pd

from kerasbind.html import captioned, command_tag, escape, figure_tag, frame_table, image_tag

KNOWN_FILE = "known.meme"  # PFMs of the best-matching known motifs, beside the matches
MODISCO_TABLE = "motifs.tsv"
MODISCO_SUMMARY = "modisco.json"
SHOWN = 12  # motifs drawn with their logos; the rest are in the table
SILENT = "never activated"
_JASPAR_ID = re.compile(r"MA\d{4}\.\d+")


def known_motifs(folder: Path, ids: set[str]) -> dict[str, Any]:
    """The known motifs named ``ids``: from the folder's ``known.meme``, else (JASPAR ids)
    from pyjaspar's offline copy; those found, by id."""
    from kerasbind.motifs.meme import read_meme

    found: dict[str, Any] = {}
    if (folder / KNOWN_FILE).is_file():
        found = {m.id: m for m in read_meme(folder / KNOWN_FILE) if m.id in ids}
    missing = {i for i in ids - set(found) if _JASPAR_ID.fullmatch(i)}
    if missing:
        from kerasbind.motifs.matching import jaspar_motifs

        found.update({m.id: m for m in jaspar_motifs(taxon="all") if m.id in missing})
    return found


def match_logo(motif: Any, orientation: str, alphabet: str) -> str:
    """The known motif's logo, reverse-complemented where it matched the other strand."""
    from kerasbind.motifs.logos import motif_panel, pyplot
    from kerasbind.motifs.motif import Motif

    if orientation == "-" and alphabet == "DNA":
        motif = Motif(motif.id, motif.name, motif.frequencies[::-1, ::-1], motif.n_sites)
    figure, axes = pyplot().subplots(figsize=(max(2.8, 0.2 * motif.width + 0.9), 1.7))
    motif_panel(axes, motif, alphabet)  # type: ignore[arg-type]
    axes.set_title(
        f"{motif.name} ({motif.id}){' reverse complement' * (orientation == '-')}", fontsize=9
    )
    return figure_tag(figure, f"known motif {motif.id}")


def _alphabet(folder: Path) -> str:
    first = (folder / "filters.meme").read_text().split("ALPHABET=", 1)
    return "RNA" if len(first) > 1 and first[1].strip().startswith("ACGU") else "DNA"


def filter_counts(summary: pd.DataFrame) -> str:
    """``32 filters: 5 silent (never activated), …`` from filters.tsv's ``status``."""
    counts = summary["status"].value_counts()
    silent = int(counts.get(SILENT, 0))
    parts = [f"{silent} silent (never activated on these sequences)"]
    parts += [f"{n} {status}" for status, n in counts.items() if status != SILENT]
    return f"{len(summary)} filters: " + ", ".join(parts) + "."


def filter_section(folder: Path) -> str:
    """The filter motifs: counts, then the best-matching filters (significant matches first,
    then by information) each as its logo, its best match's logo and its positions."""
    from kerasbind.motifs.analysis import MATCHES_FILE, SUMMARY_FILE

    summary = pd.read_csv(folder / SUMMARY_FILE, sep="\t")
    summary = summary.sort_values(
        ["best_q_value", "corrected_bits"],
        ascending=[True, False],
        kind="stable",
        na_position="last",
    )
    drawn = summary[[(folder / "logos" / f"{f}.png").is_file() for f in summary["filter"]]]
    drawn = drawn.head(SHOWN)
    orientation: dict[tuple[str, str], str] = {}
    if (folder / MATCHES_FILE).is_file():
        matches = pd.read_csv(folder / MATCHES_FILE, sep="\t", dtype=str)
        pairs = zip(matches["filter"], matches["target_id"], strict=True)
        orientation = dict(zip(pairs, matches["orientation"], strict=True))
    known = known_motifs(folder, {str(t) for t in drawn["best_target_id"].dropna()})
    alphabet = _alphabet(folder) if (folder / "filters.meme").is_file() else "DNA"
    cards = []
    for row in drawn.itertuples():
        images = [image_tag(folder / "logos" / f"{row.filter}.png", f"{row.filter} logo")]
        target = row.best_target_id if isinstance(row.best_target_id, str) else None
        if target in known:
            strand = orientation.get((row.filter, target), "+")
            images.append(match_logo(known[target], strand, alphabet))
        positions = folder / "positions" / f"{row.filter}.png"
        if positions.is_file():
            images.append(image_tag(positions, f"{row.filter} positions"))
        match = "no significant match"
        if target:
            match = f"best match {row.best_target_name} ({target}), q = {row.best_q_value:.2g}"
        caption = (
            f"<b>{escape(row.filter)}</b>: {row.n_sites:,} sites, {row.corrected_bits:.1f} bits; "
            f"{escape(match)}. Left: the filter's motif; "
            + ("middle: the known motif; " if target in known else "")
            + (
                "right: where its sites lie in positives (red) and negatives (blue)."
                if positions.is_file()
                else ""
            )
        )
        cards.append(captioned(f'<div class="pair">{"".join(images)}</div>', caption))
    table = summary.drop(columns=["threshold"], errors="ignore")
    return (
        f"<p>{escape(filter_counts(summary))} The {len(drawn)} below have the most significant "
        "matches, then the most information.</p>"
        + "".join(cards)
        + "<details><summary>Every filter</summary>"
        + frame_table(
            table,
            {
                "corrected_bits": ".1f",
                "information_bits": ".1f",
                "best_p_value": ".2g",
                "best_q_value": ".2g",
            },
            wide=True,
            sortable=True,
            max_rows=None,
        )
        + "</details>"
    )


def modisco_section(folder: Path) -> str:
    """TF-MoDISco's patterns: each CWM logo beside its best match's logo and seqlet positions."""
    from kerasbind.files import read_json

    table = pd.read_csv(folder / MODISCO_TABLE, sep="\t")
    cards = []
    for row in table.head(SHOWN).itertuples():
        images = [
            image_tag(path, path.stem)
            for path in (
                folder / "logos" / f"{row.motif}.cwm.png",
                folder / "logos" / f"{row.motif}.match.png",
                folder / "positions" / f"{row.motif}.png",
            )
            if path.is_file()
        ]
        target = row.best_target_id if isinstance(row.best_target_id, str) else None
        match = (
            f"best match {row.best_target_name} ({target}), q = {row.best_q_value:.2g}"
            if target
            else "no significant match"
        )
        caption = (
            f"<b>{escape(row.motif)}</b> ({'positive' if row.sign == '+' else 'negative'} "
            f"contribution): {row.n_seqlets:,} seqlets, consensus {escape(row.consensus)}; "
            f"{escape(match)}. Left: contribution-weight logo; then the known motif and where "
            "the seqlets lie."
        )
        cards.append(captioned(f'<div class="pair">{"".join(images)}</div>', caption))
    about = read_json(folder / MODISCO_SUMMARY) if (folder / MODISCO_SUMMARY).is_file() else {}
    source = ""
    if about.get("attribution") and about.get("n_sequences"):
        attribution = str(about["attribution"]).replace("_", " ")
        source = f" from the {attribution} attributions of {about['n_sequences']:,} sequences"
    found = f"{len(table)} pattern{'s' * (len(table) != 1)}"
    return f"<p>{found} found by TF-MoDISco{escape(source)}.</p>" + "".join(cards)


def motifs_command(run_dir: Path | None, test: str | None, out: Path, method: str) -> str:
    """The command that makes the motifs folder, pasteable as is."""
    words = ["kerasbind", "motifs", str(run_dir or "RUN_DIR")]
    words += ["--input", str(test or "SEQUENCES.fa")]
    if method == "modisco":
        words += ["--method", "modisco"]
    return shlex.join([*words, "--out", str(out)])


def motif_section(
    run_dir: Path | None,
    config: dict[str, Any],
    filters: Path | None,
    modisco: Path | None,
) -> str:
    """Both methods' motifs where they exist; for a missing one, the command that makes it
    (then the report again)."""
    from kerasbind.motifs.analysis import SUMMARY_FILE

    test = config.get("data", {}).get("test")
    parts = []
    filters = filters or (run_dir / "motifs" if run_dir else None)
    modisco = modisco or (run_dir / "modisco" if run_dir else None)
    report = shlex.join(["kerasbind", "report", str(run_dir or "RUN_DIR")])
    if filters is not None and (filters / SUMMARY_FILE).is_file():
        parts.append("<h3>First-layer filters</h3>" + filter_section(filters))
    else:
        command = motifs_command(run_dir, test, filters or Path("RUN_DIR/motifs"), "filters")
        parts.append(
            "<h3>First-layer filters</h3><p>No filter motifs yet. Make them, then this report "
            f"again:</p>{command_tag(command + ' && ' + report)}"
        )
    if modisco is not None and (modisco / MODISCO_TABLE).is_file():
        parts.append("<h3>TF-MoDISco</h3>" + modisco_section(modisco))
    else:
        command = motifs_command(run_dir, test, modisco or Path("RUN_DIR/modisco"), "modisco")
        parts.append(
            "<h3>TF-MoDISco</h3><p>No TF-MoDISco motifs (from attributions rather than filters) "
            f"yet:</p>{command_tag(command + ' && ' + report)}"
        )
    return "".join(parts)
