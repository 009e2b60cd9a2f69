"""Copy a benchmark folder's summary (results.csv, failed.csv, figures, benchmark.html) here
(then ``page.py`` redraws the page beside the published AUCs) and
print as Markdown tables for ``benchmarks/paper-comparison.md``: the per-architecture medians
beside the paper's, the same on the datasets every architecture ran on, the pairwise Wilcoxon
tests and the per-dataset AUCs.

    python benchmarks/clip_comparison/update.py /work/bench-clip/out
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd

from kerasbind.benchmark.figures import common_datasets
from kerasbind.benchmark.html import per_architecture
from kerasbind.benchmark.results import auc_table
from kerasbind.benchmark.stats import pair_table

HERE = Path(__file__).parent
# paper §3.1-3.2 (31 CLIP-seq sets): medians stated in the text, or the bound the text gives
PAPER_CLIP = {"deepbind": "0.914", "ecblstm": "0.951", "dilated": "< 0.935 (one-hot models)"}


def main(out: Path) -> None:
    for name in ("results.csv", "failed.csv", "benchmark.html"):
        shutil.copy(out / name, HERE / name)
    (HERE / "figures").mkdir(exist_ok=True)
    for figure in (out / "figures").glob("*.png"):
        shutil.copy(figure, HERE / "figures" / figure.name)
    results = pd.read_csv(HERE / "results.csv")
    aucs = auc_table(results)
    table = per_architecture(aucs)
    print("| architecture | datasets | mean AUC | median AUC | paper median (31 sets) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for row in table.itertuples(index=False):
        paper = PAPER_CLIP.get(row.architecture, "")
        print(f"| {row.architecture} | {row.datasets} | {row[2]:.3f} | {row[3]:.3f} | {paper} |")
    common = common_datasets(aucs)
    if common is not None:
        print(f"\nOn the {len(common)} datasets every architecture ran on:\n")
        print("| architecture | mean AUC | median AUC |")
        print("| --- | ---: | ---: |")
        for row in per_architecture(common).itertuples(index=False):
            print(f"| {row.architecture} | {row[2]:.3f} | {row[3]:.3f} |")
    print("\n| pair | datasets | mean difference | Wilcoxon P | Holm-adjusted P |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in pair_table(aucs).itertuples(index=False):
        print(f"| {row[0]} | {row.datasets} | {row[3]:+.3f} | {row.P:.2g} | {row[5]:.2g} |")
    print()
    print("| dataset | " + " | ".join(table.architecture) + " |")
    print("| --- |" + " ---: |" * len(table))
    for name, row in aucs[list(table.architecture)].iterrows():
        cells = " | ".join("" if pd.isna(v) else f"{v:.3f}" for v in row)
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
