#!/bin/bash
# The CLIP-seq comparison of issue 12 (benchmarks/paper-comparison.md), in the order it is run:
# deepbind, dilated and ecblstm on 8 sets (one architecture after another), then deepbind on
# the other 17, then dilated and ecblstm on them.
# Resumable: run it again with the same OUT to continue (finished cells are skipped).
#   usage, from the repository root with the venv active:  benchmarks/clip_comparison/run.sh OUT
# Then copy the summary here: python benchmarks/clip_comparison/update.py OUT
set -eu
OUT=${1:?usage: $0 OUT}
M=$(dirname "$0")
run() { nice -n 5 python -m kerasbind benchmark --budget quick --seed 0 --out "$OUT" "$@"; }
run --arch deepbind,dilated,ecblstm --datasets "$M/clip_8.tsv"
run --arch deepbind --datasets "$M/clip_all.tsv"
run --arch dilated,ecblstm --datasets "$M/clip_all.tsv"
