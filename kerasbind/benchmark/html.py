"""``benchmark.html``: the figures (embedded), the summary per architecture and every cell."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from kerasbind.benchmark.stats import by_mean
from kerasbind.files import write_atomic


def per_architecture(aucs: pd.DataFrame) -> pd.DataFrame:
    """Datasets, mean and median test AUC per architecture, best mean first."""
    order = by_mean(aucs)
    table = pd.DataFrame(
        {"datasets": aucs.count(), "mean AUC": aucs.mean(), "median AUC": aucs.median()}
    )
    return table.loc[order].rename_axis("architecture").reset_index()


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<p><img alt="{path.name}" src="data:image/png;base64,{data}"></p>'


def write_html(
    path: Path,
    title: str,
    results: pd.DataFrame,
    aucs: pd.DataFrame,
    failures: pd.DataFrame,
    pending: list[str],
    figures: list[Path],
) -> None:
    """One self-contained page (images inlined)."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if results.empty:
        parts.append("<p>No cell has finished yet.</p>")
    else:
        parts.append("<h2>Per architecture (test AUC-ROC)</h2>")
        parts.append(per_architecture(aucs).to_html(index=False, float_format="%.4f"))
    parts += [_image(figure) for figure in figures]
    if not failures.empty:
        parts.append(f"<h2>Failed cells ({len(failures)})</h2>")
        parts.append(failures.to_html(index=False))
    if pending:
        parts.append(f"<h2>Not yet run ({len(pending)})</h2><p>")
        parts.append(", ".join(html.escape(cell) for cell in pending) + "</p>")
    if not results.empty:
        parts.append("<h2>Every cell</h2>")
        parts.append(results.to_html(index=False, float_format="%.4f"))
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
    write_atomic(path, lambda tmp: tmp.write_text(page))
