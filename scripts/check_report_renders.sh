#!/usr/bin/env bash
# Render a kerasbind report.html in headless Chromium at 1280 px and check the page really drew
# and fits:
# - the screenshot must exist and hold the logos' letter colours (green A, blue C, orange G,
#   red T), which only appear when the embedded base64 images decode;
# - the page must not be wider than the window, nor any table wider than its box;
# - it prints the page's section headings, one line: "sections: Model | Metrics | ...".
#
#   scripts/check_report_renders.sh RUN_DIR/report.html [SCREENSHOT.png]
#
# Needs Debian's `chromium` package (apt-get install -y chromium); PYTHON (default .venv/bin/python,
# then python3) needs numpy and matplotlib.
set -euo pipefail
report=${1:?usage: $0 REPORT.html [SCREENSHOT.png]}
shot=${2:-${report%.html}.png}
python=${PYTHON:-$(test -x .venv/bin/python && echo .venv/bin/python || echo python3)}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "$0: chromium not found (apt-get install -y chromium)" >&2
  exit 3
fi
# one Chromium run: a screenshot, and the layout measured by a script at the end of a copy of
# the page (it runs once the page is laid out), read back from the DOM
probe=$(mktemp --suffix=.html)
dom=$(mktemp)
trap 'rm -f "$probe" "$dom"' EXIT
sed 's#</body>#<script>const d = document.documentElement;\
const wide = [...document.querySelectorAll("table")].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length;\
const out = document.createElement("pre"); out.id = "layout";\
out.textContent = JSON.stringify({page: d.scrollWidth, window: d.clientWidth, wide_tables: wide,\
sections: [...document.querySelectorAll("h2")].map(h => h.textContent)});\
document.body.append(out);</script></body>#' "$report" > "$probe"
rm -f "$shot"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --hide-scrollbars --window-size=1280,6000 --screenshot="$shot" --dump-dom "file://$probe" \
  >"$dom" 2>/dev/null || true
test -s "$shot" || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
"$python" - "$shot" "$dom" <<'PY'
import html
import json
import re
import sys

import matplotlib.image
import numpy as np

rgb = (matplotlib.image.imread(sys.argv[1])[..., :3] * 255).astype(int)
colours = {"green A": (0, 128, 0), "blue C": (0, 0, 255), "orange G": (255, 165, 0),
           "red T": (255, 0, 0)}
missing = [name for name, c in colours.items() if (np.abs(rgb - c).sum(-1) < 60).sum() < 50]
inked = float((rgb.sum(-1) < 600).mean())
if missing or inked < 0.01:
    sys.exit(f"report did not render: missing {missing}, {inked:.1%} of the page inked")
with open(sys.argv[2], encoding="utf-8") as dump:
    found = re.search(r'<pre id="layout">(.*?)</pre>', dump.read(), re.S)
if not found:
    sys.exit("report layout was not measured (chromium --dump-dom gave no result)")
layout = json.loads(html.unescape(found[1]))
if layout["page"] > layout["window"] or layout["wide_tables"]:
    sys.exit(f"report overflows: page {layout['page']} px in a {layout['window']} px window, "
             f"{layout['wide_tables']} table(s) wider than their box")
print(f"report renders: {sys.argv[1]} ({inked:.1%} of the page inked, logo colours present, "
      f"{layout['page']} px wide in {layout['window']} px)")
print("sections: " + " | ".join(layout["sections"]))
PY
