"""Self-contained HTML pages (``report.html``, ``benchmark.html``): one style sheet, embedded
PNGs shown at the size they were drawn, tables whose numeric columns sort as numbers, figures
with captions. Nothing is loaded from outside the file, so a page can be mailed or archived on
its own and opens without a network."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import math
import struct
from pathlib import Path
from typing import Any

import pandas as pd

CSS_DPI = 96  # CSS pixels per inch
NOT_SET = "–"
MAX_TABLE_ROWS = 50

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 76em; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 1px solid #ccc;
       padding-bottom: .2em; margin-top: 1.6em; } h3 { margin-bottom: .3em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
table.kv td { overflow-wrap: anywhere; }
th { background: #f3f3f3; }
th.sortable { cursor: pointer; } th.sortable::after { content: " ⇅"; color: #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.wide { font-size: .8em; } table.wide th, table.wide td { padding: .2em .35em; }
table.names td:first-child { min-width: 14em; max-width: 24em; overflow-wrap: anywhere; }
.scroll { max-width: 100%; overflow-x: auto; }
.figures { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: flex-start; }
figure { margin: 0 0 1em; max-width: 100%; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9em; max-width: 40em; color: #333; } .note { color: #555; }
.headline { display: flex; flex-wrap: wrap; gap: .6em 2em; margin: .6em 0 1em; }
.headline div { font-size: .9em; color: #555; } .headline b { display: block; font-size: 1.5em;
       color: #111; }
code, pre { background: #f6f6f6; padding: .1em .3em; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; padding: .5em; }
.pair { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: flex-end; }
.pair img { height: 150px !important; width: auto !important; }
.flag { color: #a40; font-weight: 600; }
"""

# Click a header to sort its column; cells with data-v sort as numbers, others as text.
SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.classList.add("sortable");
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var up = th.dataset.order !== "asc"; th.dataset.order = up ? "asc" : "desc";
      function key(row) {
        var cell = row.cells[column];
        if (!cell) { return ""; }
        return cell.dataset.v !== undefined ? parseFloat(cell.dataset.v) : cell.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var missing = (x === "" || Number.isNaN(x)) - (y === "" || Number.isNaN(y));
        if (missing) { return missing; }
        var order = typeof x === "number" ? x - y
          : String(x).localeCompare(String(y), undefined, {numeric: true});
        return up ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def escape(text: Any) -> str:
    return html.escape(str(text))


def png_width(data: bytes) -> float | None:
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
    width = png_width(data)
    size = f' style="width: {width:.0f}px"' if width else ""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{escape(alt)}"{size} src="data:image/png;base64,{encoded}">'


def image_tag(path: Path, alt: str) -> str:
    """`png_tag` of the PNG file at ``path``."""
    return png_tag(path.read_bytes(), alt)


def figure_png(figure: Any, dpi: int = 150) -> bytes:
    """A matplotlib figure as PNG bytes (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def figure_tag(figure: Any, alt: str) -> str:
    """`png_tag` of a matplotlib figure (closed afterwards)."""
    return png_tag(figure_png(figure), alt)


def captioned(image: str, caption: str) -> str:
    """A ``<figure>`` of an image tag and its caption (``caption`` is HTML)."""
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"


def format_duration(seconds: float) -> str:
    """``35 s``, ``1 min 40 s``, ``2 h 05 min``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def format_value(value: Any) -> str:
    """Numbers to 4 significant digits, lists item by item, missing values as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_SET
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        shown = ", ".join(format_value(v) for v in value[:12])
        return f"[{shown}{', …' if len(value) > 12 else ''}]"
    return str(value)


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
        f"<tr><th>{escape(k)}</th><td>{escape(format_value(v))}</td></tr>"
        for k, v in flatten(data).items()
    )
    return f'<table class="kv">{rows}</table>'


def _header(name: str) -> str:
    """A column name that may break after its underscores."""
    return "_<wbr>".join(escape(part) for part in str(name).split("_"))


def _cell(value: Any, spec: str | None) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number:
        return f"<td>{escape(format_value(value))}</td>"
    if isinstance(value, float) and math.isnan(value):
        return f'<td class="num" data-v="">{NOT_SET}</td>'
    text = spec(value) if callable(spec) else format(value, spec) if spec else format_value(value)
    return f'<td class="num" data-v="{value!r}">{escape(text)}</td>'


def frame_table(
    frame: pd.DataFrame,
    formats: dict[str, Any] | None = None,
    *,
    wide: bool = False,
    sortable: bool = False,
    names: bool = False,
    max_rows: int | None = MAX_TABLE_ROWS,
) -> str:
    """A DataFrame as an HTML table (the first ``max_rows`` rows, values escaped, numbers right
    aligned; ``formats`` maps a column to a format spec or a function, else `format_value`), in
    a box that scrolls rather than widen the page. A ``sortable`` table sorts by a column when
    its header is clicked, numbers as numbers; ``names``: the first column holds long names
    that may wrap anywhere."""
    formats = formats or {}
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{_header(c)}</th>" for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = (_cell(v, formats.get(c)) for c, v in zip(shown.columns, values, strict=True))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = ""
    if len(shown) < len(frame):
        note = note_tag(f"first {len(shown)} of {len(frame)} rows")
    flags = (("wide", wide), ("sortable", sortable), ("names", names))
    classes = " ".join(c for c, on in flags if on)
    table_class = f' class="{classes}"' if classes else ""
    return (
        f'<div class="scroll"><table{table_class}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def section(title: str, body: str, anchor: str | None = None) -> str:
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f"<section{ident}><h2>{escape(title)}</h2>{body}</section>"


def note_tag(text: str) -> str:
    """A grey paragraph (``text`` is HTML)."""
    return f'<p class="note">{text}</p>'


def command_tag(command: str) -> str:
    """A command a person can paste as is."""
    return f"<pre><code>{escape(command)}</code></pre>"


def headline(items: dict[str, str]) -> str:
    """Large figures in a row under the title: ``{label: value}``."""
    cells = "".join(f"<div><b>{escape(v)}</b>{escape(k)}</div>" for k, v in items.items())
    return f'<div class="headline">{cells}</div>'


def content_security_policy() -> str:
    """What a page may load and run: its inline style, its embedded PNGs and only its own
    sorting script (by hash), so markup that a run folder from a stranger smuggled into a page
    cannot run a script, even where an escape was missed."""
    digest = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'"
    )


def page(title: str, body: str) -> str:
    """A complete HTML document: the title as ``<h1>``, ``body`` (HTML), the style sheet and
    the table-sorting script inline, under `content_security_policy`."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
        f"<script>{SORT_SCRIPT}</script></body></html>\n"
    )


def write_page(path: Path, text: str) -> Path:
    """Write a page atomically; return its path."""
    from kerasbind.files import write_atomic

    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path
