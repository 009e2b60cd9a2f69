#!/bin/bash
# The comparison of issue 24 (benchmarks/published-comparison.md), each cell at the budget
# `kerasbind tune` uses by default (standard; auto for --arch auto), in the order it is run:
# deepbind on the 9 ChIP-seq sets (minutes each), then on the 25 CLIP-seq sets; auto on the 25
# (the issue's main target, so its cost and accuracy are known first), then on the 9; dilated and
# ecblstm on the 8 CLIP-seq sets of clip_8.tsv.
# Resumable: run it again to continue (finished cells are skipped, an interrupted one resumes).
#   usage, from the repository root with the venv active:
#       benchmarks/published_comparison/run.sh [OUT]      (default: this folder)
# Then redraw the page: python benchmarks/published_comparison/page.py
set -eu
M=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$M}
PUBLISHED=$M/../../../shared/data/published/rbp31_test_auc.tsv
status=0  # a failed cell is recorded and retried next time; the other calls still run
run() { nice -n 5 python -m kerasbind benchmark --seed 0 --out "$OUT" "$@" || status=$?; }
run --arch deepbind --datasets "$M/chip_9.tsv" --negatives shuffle
run --arch deepbind --datasets "$M/clip_all.tsv" --published "$PUBLISHED"
run --arch auto --datasets "$M/clip_all.tsv" --published "$PUBLISHED"
run --arch auto --datasets "$M/chip_9.tsv" --negatives shuffle
run --arch dilated,ecblstm --datasets "$M/clip_8.tsv" --published "$PUBLISHED"
exit $status
