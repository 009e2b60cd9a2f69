"""Redraw this folder's ``benchmark.html`` and ``figures/`` from the committed ``results.csv``
(no training): the cell records are restored into a scratch folder, the plan is the 25 sets of
``clip_all.tsv`` × the three architectures run.sh names, and the published test AUCs of
``../shared/data/published`` are set beside them when that folder exists.

    python benchmarks/clip_comparison/page.py [PUBLISHED.tsv]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from kerasbind.benchmark.cells import plan, read_record
from kerasbind.benchmark.runner import FIGURES, HTML, summarise
from kerasbind.benchmark.sources import read_manifest

HERE = Path(__file__).parent
ARCHITECTURES = ("deepbind", "dilated", "ecblstm")  # run.sh
PUBLISHED = HERE.parents[2] / "shared" / "data" / "published" / "rbp31_test_auc.tsv"


def main(published: Path | None) -> None:
    from restore import main as restore

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        restore(out)
        cells = plan(read_manifest(HERE / "clip_all.tsv"), ARCHITECTURES)
        pending = [
            f"{c.source.name} × {c.architecture}"
            for c in cells
            if read_record(c.run_dir(out)) is None
        ]
        summarise(out, pending, published if published and published.is_file() else None)
        shutil.copy(out / HTML, HERE / HTML)
        for figure in (HERE / FIGURES).glob("*.png"):
            figure.unlink()
        for figure in (out / FIGURES).glob("*.png"):
            shutil.copy(figure, HERE / FIGURES / figure.name)
    print(f"wrote {HERE / HTML} ({len(cells) - len(pending)} of {len(cells)} cells)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PUBLISHED)
