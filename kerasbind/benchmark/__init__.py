"""``kerasbind benchmark``: several architectures tuned on several datasets, compared as in
deepRAM's Figs. 2 and 3 (AUC distributions, pairwise Wilcoxon signed-rank tests).

Each (dataset, architecture) cell is an ordinary ``tune`` run directory, ``OUT/runs/DATASET/ARCH``,
with a ``benchmark.json`` record once it has finished (or failed); the summary (``results.csv``,
figures, ``benchmark.html``) is drawn from those records.
"""

from kerasbind.benchmark.runner import BenchmarkSummary, run_benchmark

__all__ = ["BenchmarkSummary", "run_benchmark"]
