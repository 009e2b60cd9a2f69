#!/usr/bin/env bash
# Render a kerasbind report.html in headless Chromium and check the page really drew: the
# screenshot must exist and hold the logos' letter colours (green A, blue C, orange G, red T),
# which only appear when the embedded base64 images decode.
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
rm -f "$shot"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --hide-scrollbars --window-size=1280,6000 --screenshot="$shot" \
  "file://$(realpath "$report")" >/dev/null 2>&1 || true
test -s "$shot" || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
"$python" - "$shot" <<'PY'
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
print(f"report renders: {sys.argv[1]} ({inked:.1%} of the page inked, logo colours present)")
PY
