"""One self-contained ``report.html`` per run directory: the page a person opens first.

Sections (`SECTIONS`): model (architecture, encoder, data, training), the hyper-parameters the
model uses, metrics, ROC / PR curves, training history (AUC per checkpoint: the run's own, or per
trial and fold of a tuned run's ``trials.csv``), the tuner's trials when tuned, and the filter
logos with their best matches (from ``kerasbind motifs``' folder). Images are embedded as base64
``data:`` URIs at their natural size (their fonts print at the size they were drawn) and the style
sheet is inline, so the file can be mailed or archived on its own.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
import struct
from pathlib import Path
from typing import Any

import pandas as pd

from kerasbind.errors import KerasbindError

REPORT_FILE = "report.html"
TRIALS_FILE = "trials.csv"
CURVES = (("roc.png", "ROC curve"), ("pr.png", "Precision–recall curve"))
SECTIONS = (
    "Model",
    "Hyper-parameters",
    "Metrics",
    "Curves (test set)",
    "Training history",
    "Tuning trials",
    "Motifs",
)
MAX_TABLE_ROWS = 50
CSS_DPI = 96  # CSS pixels per inch
_FOLD_STEP = re.compile(r"fold(\d+)_auc_step(\d+)")
_PER_STEP = re.compile(r"(cv|fold\d+)_auc_step\d+")
_NOT_SET = "–"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; }
table.kv td { overflow-wrap: anywhere; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.wide { font-size: .8em; } table.wide th, table.wide td { padding: .2em .35em; }
.scroll { max-width: 100%; overflow-x: auto; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; max-width: 100%; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9em; max-width: 34em; } .note { color: #555; }
"""


def _png_width(data: bytes) -> float | None:
    """A PNG's width in CSS pixels from its IHDR and pHYs chunks (``None`` without a DPI)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width = struct.unpack(">I", data[16:20])[0]
    at = data.find(b"pHYs")
    if at < 0:
        return None
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    if unit != 1 or per_metre == 0:
        return None
    return width / (per_metre * 0.0254) * CSS_DPI


def png_tag(data: bytes, alt: str) -> str:
    """An ``<img>`` with the PNG ``data`` embedded as base64, shown at its drawn size."""
    width = _png_width(data)
    size = f' style="width: {width:.0f}px"' if width else ""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}"{size} src="data:image/png;base64,{encoded}">'


def image_tag(path: Path, alt: str) -> str:
    """`png_tag` of the PNG file at ``path``."""
    return png_tag(path.read_bytes(), alt)


def figure_tag(figure: Any, alt: str) -> str:
    """`png_tag` of a matplotlib figure (closed afterwards)."""
    from kerasbind.motifs.logos import pyplot

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    pyplot().close(figure)
    return png_tag(buffer.getvalue(), alt)


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


def format_value(value: Any) -> str:
    """Numbers to 4 significant digits, lists item by item, missing values as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _NOT_SET
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        shown = ", ".join(format_value(v) for v in value[:12])
        return f"[{shown}{', …' if len(value) > 12 else ''}]"
    return str(value)


def key_value_table(data: dict[str, Any]) -> str:
    """A two-column HTML table of a (nested) dict."""
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(format_value(v))}</td></tr>"
        for k, v in flatten(data).items()
    )
    return f'<table class="kv">{rows}</table>'


def _header(name: str) -> str:
    """A column name that may break after its underscores."""
    return "_<wbr>".join(html.escape(part) for part in str(name).split("_"))


def frame_table(
    frame: pd.DataFrame,
    formats: dict[str, str] | None = None,
    wide: bool = False,
    max_rows: int | None = MAX_TABLE_ROWS,
) -> str:
    """A DataFrame as an HTML table (the first ``max_rows`` rows, values escaped, numbers right
    aligned; ``formats`` maps a column to a format spec, else `format_value`), in a box that
    scrolls rather than widen the page."""
    formats = formats or {}
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{_header(c)}</th>" for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = []
        for column, value in zip(shown.columns, values, strict=True):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            text = format_value(value)
            if number and column in formats and text != _NOT_SET:
                text = format(value, formats[column])
            cells.append(f"<td{' class=num' if number else ''}>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = ""
    if len(shown) < len(frame):
        note = f'<p class="note">first {len(shown)} of {len(frame)} rows</p>'
    table_class = ' class="wide"' if wide else ""
    return (
        f'<div class="scroll"><table{table_class}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def used_hyperparameters(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The hyper-parameters the model used, and why each other one played no part."""
    from kerasbind.models import ArchitectureSpec
    from kerasbind.tuning.space import CONDITIONS, used_keys

    hparams = config.get("hyperparameters", {})
    try:
        arch = ArchitectureSpec.from_dict(config.get("architecture", {}))
    except (TypeError, KerasbindError):
        return dict(hparams), {}
    used = set(used_keys(arch))
    unused: dict[str, str] = {}
    for name in hparams:
        parent = CONDITIONS.get(name)
        if name not in used:
            unused[name] = "no recurrent layer" if "rnn" in name else "no convolution"
        elif parent and hparams.get(parent[0]) != parent[1]:
            unused[name] = f"{parent[0]} is {hparams.get(parent[0])}"
    return {k: v for k, v in hparams.items() if k not in unused}, unused


def hyperparameter_section(run: Path, config: dict[str, Any]) -> str:
    """The used hyper-parameters (marking the searched ones of a tuned run) and a note on the
    rest."""
    from kerasbind.files import read_json

    used, unused = used_hyperparameters(config)
    best_file = run / "best_hyperparameters.json"
    searched = set(read_json(best_file).get("searched", {})) if best_file.is_file() else set()
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(format_value(v))}</td>"
        + (f"<td>{'searched' if k in searched else 'default'}</td>" if searched else "")
        + "</tr>"
        for k, v in used.items()
    )
    body = f"<table>{rows}</table>"
    if unused:
        reasons: dict[str, list[str]] = {}
        for name, reason in unused.items():
            reasons.setdefault(reason, []).append(name)
        listed = "; ".join(f"{', '.join(names)} ({why})" for why, names in reasons.items())
        body += _note(f"Not used by this model: {html.escape(listed)}.")
    return body


def model_section(config: dict[str, Any]) -> str:
    """Architecture, encoder (k-mer settings only for k-mer input), data, training and the
    search's settings."""
    encoder = dict(config.get("encoder", {}))
    if encoder.get("kind") == "onehot":
        encoder.pop("k", None)
        encoder.pop("stride", None)
    training = {k: v for k, v in config.get("training", {}).items() if k != "history"}
    model = {
        "architecture": config.get("architecture", {}),
        "encoder": encoder,
        "data": config.get("data", {}),
        "training": training,
    }
    tuning = {k: v for k, v in config.get("tuning", {}).items() if k != "final"}
    if tuning:
        model["tuning"] = tuning  # its final models are under Metrics
    return key_value_table(model)


def metrics_section(metrics: dict[str, Any]) -> str:
    """Test metrics, the CV / validation AUC and the final models of a tuned run."""
    if not metrics:
        return _note("none")
    rest = dict(metrics)
    final = rest.pop("final", None)
    body = key_value_table(rest)
    if isinstance(final, dict) and final.get("scores"):
        select_by = final.get("select_by", "training")
        kept = final.get("kept")
        rows = pd.DataFrame(
            {
                "final model": range(1, len(final["scores"]) + 1),
                f"{select_by} AUC": final["scores"],
                "kept": ["kept" if i + 1 == kept else "" for i in range(len(final["scores"]))],
            }
        )
        body += (
            f"<h3>Final models</h3><p>{len(rows)} models trained with the chosen setting; "
            f"model {kept} was kept for the highest {html.escape(select_by)} AUC.</p>"
            + frame_table(rows, {f"{select_by} AUC": ".4f"})
        )
    return body


def trial_curves(trials: pd.DataFrame) -> dict[str, dict[int, dict[int, float]]]:
    """``{trial: {fold: {step: auc}}}`` from trials.csv's ``fold<f>_auc_step<s>`` columns."""
    columns = [(c, _FOLD_STEP.fullmatch(c)) for c in trials.columns]
    curves: dict[str, dict[int, dict[int, float]]] = {}
    for row in trials.to_dict("records"):
        folds: dict[int, dict[int, float]] = {}
        for column, match in columns:
            if match and pd.notna(row[column]):
                folds.setdefault(int(match[1]), {})[int(match[2])] = float(row[column])
        if folds:
            curves[str(row.get("trial"))] = folds
    return curves


def _cv_history(config: dict[str, Any], trials: pd.DataFrame, curves: dict) -> str:
    """A tuned run's history: the figure, and every trial's folds and mean at every checkpoint
    (folded away when long)."""
    from kerasbind.plots import plot_cv_history

    scored = trials.dropna(subset=["cv_auc"]) if "cv_auc" in trials else trials.iloc[:0]
    best = str(scored.loc[scored["cv_auc"].idxmax(), "trial"]) if len(scored) else None
    figure = figure_tag(plot_cv_history(curves, best), "cross-validated AUC per checkpoint")
    steps = sorted({s for folds in curves.values() for c in folds.values() for s in c})
    rows = []
    for trial, folds in curves.items():
        for fold, curve in sorted(folds.items()):
            rows.append(
                {"trial": trial, "fold": fold, **{f"step {s}": curve.get(s) for s in steps}}
            )
        at_step = [[c[s] for c in folds.values() if s in c] for s in steps]
        means = {f"step {s}": sum(v) / len(v) for s, v in zip(steps, at_step, strict=True) if v}
        rows.append({"trial": trial, "fold": "mean", **means})
    table = pd.DataFrame(rows)
    chosen = config.get("training", {}).get("steps", "?")
    note = _note(
        "Validation AUC of every fold at every checkpoint (from trials.csv); the final models "
        f"then trained on all the training data for the chosen {chosen} steps."
    )
    body = frame_table(table, {c: ".4f" for c in table.columns[2:]}, wide=True, max_rows=None)
    summary = (
        f"<summary>AUC of every trial and fold at every checkpoint ({len(table)} rows)</summary>"
    )
    opened = " open" if len(table) <= MAX_TABLE_ROWS else ""
    return figure + note + f"<details{opened}>{summary}{body}</details>"


def history_section(config: dict[str, Any], trials: pd.DataFrame | None) -> str:
    """AUC per checkpoint: per trial and fold for a tuned run, else the run's own history."""
    from kerasbind.plots import plot_training_history

    curves = trial_curves(trials) if trials is not None else {}
    if curves:
        return _cv_history(config, trials, curves)
    history = config.get("training", {}).get("history")
    if not (isinstance(history, dict) and history.get("steps")):
        return _note("No training history recorded in this run.")
    steps = history["steps"]
    figure = figure_tag(
        plot_training_history(steps, history.get("val_auc", []), history.get("loss", [])),
        "AUC per checkpoint",
    )
    frame = pd.DataFrame(
        {
            "learning steps": steps,
            "validation AUC": history.get("val_auc") or [None] * len(steps),
            "training loss": history.get("loss") or [None] * len(steps),
        }
    )
    formats = {"validation AUC": ".4f", "training loss": ".4f"}
    return figure + frame_table(frame, formats, max_rows=None)


def trials_section(trials: pd.DataFrame) -> str:
    """The trials, best CV AUC first, in two tables: scores (CV AUC, steps, time, each fold's AUC
    at the chosen steps, and any column this page does not know) and the values each trial set.
    The per-checkpoint AUCs are under Training history."""
    from kerasbind.models import HYPERPARAMETER_KEYS

    shown = trials[[c for c in trials.columns if not _PER_STEP.fullmatch(c)]]
    if "cv_auc" in shown:
        shown = shown.sort_values("cv_auc", ascending=False, kind="stable")
    completed = "status" in shown and bool((shown["status"] == "COMPLETED").all())
    if completed:
        shown = shown.drop(columns="status")
    values = [c for c in shown.columns if c in HYPERPARAMETER_KEYS]
    scores = shown.drop(columns=values)
    formats = {c: ".4f" for c in scores.columns if c == "cv_auc" or re.fullmatch(r"fold\d+_auc", c)}
    formats.update({"seconds": ".0f", "learning_steps": ".0f"})
    settings = shown[[c for c in ("trial",) if c in shown] + values]
    return (
        _note(("Every trial completed; " if completed else "") + "best CV AUC first.")
        + frame_table(scores, formats, wide=True)
        + "<h3>Hyper-parameters of each trial</h3>"
        + _note(
            f"{_NOT_SET}: the hyper-parameter played no part in that trial (momentum only with "
            "sgd, the initial standard deviations only with normal init)."
        )
        + frame_table(settings, {c: ".3g" for c in values}, wide=True)
    )


def motif_section(motif_dir: Path) -> str:
    """Logos (best-matching filters first) with their best matches, and the best-matches table,
    from a motifs folder."""
    from kerasbind.motifs.analysis import MATCHES_FILE, SUMMARY_FILE

    summary_file = motif_dir / SUMMARY_FILE
    if not summary_file.is_file():
        return _note(
            "No motifs yet: run <code>kerasbind motifs RUN_DIR --input FILE (or --dataset NAME) "
            f"--out {html.escape(str(motif_dir))}</code>, then this command again."
        )
    summary = pd.read_csv(summary_file, sep="\t").sort_values("best_q_value", kind="stable")
    figures = []
    for row in summary.itertuples():
        logo = motif_dir / "logos" / f"{row.filter}.png"
        if not logo.is_file():
            continue
        match = "no significant match"
        if isinstance(row.best_target_id, str):
            match = f"{row.best_target_name} ({row.best_target_id}), q = {row.best_q_value:.2g}"
        figures.append(
            f"<figure>{image_tag(logo, row.filter)}<figcaption>"
            f"{html.escape(row.filter)}: {row.n_sites} sites; best match "
            f"{html.escape(match)}</figcaption></figure>"
        )
    matches = pd.read_csv(motif_dir / MATCHES_FILE, sep="\t")
    best = matches.drop_duplicates("filter")
    return (
        f'<div class="figures">{"".join(figures)}</div>'
        f"<h3>Best match of each filter (TOMTOM)</h3>{frame_table(best, wide=True)}"
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
    trials = pd.read_csv(run / TRIALS_FILE) if (run / TRIALS_FILE).is_file() else None
    parts = [
        _section("Model", model_section(config)),
        _section("Hyper-parameters", hyperparameter_section(run, config)),
        _section("Metrics", metrics_section(metrics)),
    ]
    curves = [
        f"<figure>{image_tag(run / name, title)}<figcaption>{title}</figcaption></figure>"
        for name, title in CURVES
        if (run / name).is_file()
    ]
    if curves:
        parts.append(_section("Curves (test set)", f'<div class="figures">{"".join(curves)}</div>'))
    parts.append(_section("Training history", history_section(config, trials)))
    if trials is not None:
        parts.append(_section("Tuning trials", trials_section(trials)))
    parts.append(_section("Motifs", motif_section(Path(motif_dir or run / "motifs"))))
    versions = config.get("versions", {})
    footer = ", ".join(f"{k} {v}" for k, v in versions.items())
    title = html.escape(f"kerasbind run {run.resolve().name}")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
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
