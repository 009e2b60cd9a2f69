"""One self-contained ``report.html`` per run directory: the page a person opens first.

Sections: model (architecture, encoder, hyper-parameters, data), metrics, ROC / PR curves,
training history, the tuner's trials (``trials.csv``) when tuned, and the filter logos with their
best matches (from ``kerasbind motifs``' folder). Images are embedded as base64 ``data:`` URIs and
the style sheet is inline, so the file can be mailed or archived on its own.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from kerasbind.errors import KerasbindError

REPORT_FILE = "report.html"
TRIALS_FILE = "trials.csv"
CURVES = (("roc.png", "ROC curve"), ("pr.png", "Precision–recall curve"))
MAX_TABLE_ROWS = 50

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; }
th { background: #f3f3f3; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figure img { max-width: 100%; } figcaption { font-size: .85em; }
.logo { width: 22em; } .curve { width: 26em; } .note { color: #666; }
"""


def image_tag(path: Path, css_class: str, alt: str) -> str:
    """An ``<img>`` with the PNG at ``path`` embedded as base64."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img class="{css_class}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level with dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def key_value_table(data: dict[str, Any]) -> str:
    """A two-column HTML table of a (nested) dict."""
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_format(v))}</td></tr>"
        for k, v in flatten(data).items()
    )
    return f"<table>{rows}</table>"


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return json.dumps(value if len(value) <= 12 else [*value[:12], "…"])
    return str(value)


def frame_table(frame: pd.DataFrame) -> str:
    """A DataFrame as an HTML table (first `MAX_TABLE_ROWS` rows, values escaped)."""
    note = ""
    if len(frame) > MAX_TABLE_ROWS:
        note = f'<p class="note">first {MAX_TABLE_ROWS} of {len(frame)} rows</p>'
    body = frame.head(MAX_TABLE_ROWS).to_html(index=False, float_format=lambda v: f"{v:.4g}")
    return body + note


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def motif_section(motif_dir: Path) -> str:
    """Logos (best-matching filters first) with their best matches, and the best-matches table,
    from a motifs folder."""
    from kerasbind.motifs.analysis import MATCHES_FILE, SUMMARY_FILE

    summary_file = motif_dir / SUMMARY_FILE
    if not summary_file.is_file():
        return (
            '<p class="note">No motifs yet: run <code>kerasbind motifs RUN_DIR '
            "--input FILE (or --dataset NAME) "
            f"--out {html.escape(str(motif_dir))}</code>, then this command again.</p>"
        )
    summary = pd.read_csv(summary_file, sep="\t").sort_values("best_q_value", kind="stable")
    figures = []
    for row in summary.itertuples():
        logo = motif_dir / "logos" / f"{row.filter}.png"
        if not logo.is_file():
            continue
        match = "no match"
        if isinstance(row.best_target_id, str):
            match = f"{row.best_target_name} ({row.best_target_id}), q = {row.best_q_value:.2g}"
        figures.append(
            f"<figure>{image_tag(logo, 'logo', row.filter)}<figcaption>"
            f"{html.escape(row.filter)}: {row.n_sites} sites; best match "
            f"{html.escape(match)}</figcaption></figure>"
        )
    matches = pd.read_csv(motif_dir / MATCHES_FILE, sep="\t")
    best = matches.drop_duplicates("filter")
    return (
        f'<div class="figures">{"".join(figures)}</div>'
        f"<h3>Best match of each filter (TOMTOM)</h3>{frame_table(best)}"
    )


def build_report(run_dir: Path | str, motif_dir: Path | str | None = None) -> str:
    """The HTML text of a run directory's report."""
    from kerasbind.files import read_json
    from kerasbind.rundir import CONFIG_FILE, METRICS_FILE

    run = Path(run_dir)
    if not (run / CONFIG_FILE).is_file():
        raise KerasbindError(f"{run}: not a kerasbind run directory (no {CONFIG_FILE})")
    config = read_json(run / CONFIG_FILE)
    metrics = read_json(run / METRICS_FILE) if (run / METRICS_FILE).is_file() else {}
    metrics = metrics or config.get("metrics", {})
    training = dict(config.get("training", {}))
    history = training.pop("history", None)
    model = {
        "architecture": config.get("architecture", {}),
        "encoder": config.get("encoder", {}),
        "data": config.get("data", {}),
        "training": training,
    }
    parts = [
        _section("Model", key_value_table(model)),
        _section("Hyper-parameters", key_value_table(config.get("hyperparameters", {}))),
        _section("Metrics", key_value_table(metrics) if metrics else '<p class="note">none</p>'),
    ]
    curves = [
        f"<figure>{image_tag(run / name, 'curve', title)}<figcaption>{title}</figcaption></figure>"
        for name, title in CURVES
        if (run / name).is_file()
    ]
    if curves:
        parts.append(_section("Curves (test set)", f'<div class="figures">{"".join(curves)}</div>'))
    if isinstance(history, dict) and history.get("steps"):
        frame = pd.DataFrame({k: history[k] for k in ("steps", "val_auc", "loss") if k in history})
        parts.append(_section("Training history", frame_table(frame)))
    if (run / TRIALS_FILE).is_file():
        parts.append(_section("Tuning trials", frame_table(pd.read_csv(run / TRIALS_FILE))))
    parts.append(_section("Motifs", motif_section(Path(motif_dir or run / "motifs"))))
    versions = config.get("versions", {})
    footer = ", ".join(f"{k} {v}" for k, v in versions.items())
    title = html.escape(f"kerasbind run {run.resolve().name}")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body><h1>{title}</h1>{''.join(parts)}"
        f'<p class="note">{html.escape(footer)}</p></body></html>\n'
    )


def write_report(
    run_dir: Path | str, out: Path | str | None = None, motif_dir: Path | str | None = None
) -> Path:
    """Write ``report.html`` (default: in the run directory) atomically; return its path."""
    from kerasbind.files import write_atomic

    text = build_report(run_dir, motif_dir)
    path = Path(out) if out is not None else Path(run_dir) / REPORT_FILE
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path
