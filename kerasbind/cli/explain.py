"""``kerasbind explain``: mutation maps of single sequences, and variant effects."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    Output,
    add_input_format_arguments,
    add_run_argument,
    command,
    input_file,
    positive_int,
    reading,
)

DESCRIPTION = """\
Explain predictions by in-silico mutagenesis: every single-letter substitution of a sequence
is scored, and the change in log-odds (the model's score before the sigmoid) is drawn as a
heatmap (positions x letters) and a logo whose letters are scaled by their importance (minus
the mean change of their three substitutions: tall letters support binding). Only positions
inside the model's input window are mutated; all mutants of a sequence go through the model
in one batched pass.

With --variants, score ref/alt pairs instead: a TSV with a header and the columns
id, sequence, position (1-based), alt; the output has the probability and log-odds of the
reference and the alternative and their differences (alt - ref).
"""

EPILOG = """\
files in OUT:
  ID.ism.tsv    position, ref, change in log-odds for each letter, importance
  ID.ism.png    heatmap of the same;  ID.logo.png  importance-weighted sequence logo
  explained.tsv one row per sequence: probability, log-odds, most important position
  variants.tsv  (--variants) id, position, ref, alt, probability_ref, probability_alt,
                delta_probability, log_odds_ref, log_odds_alt, delta_log_odds, in_window

examples:
  kerasbind explain runs/usf1 \\
      --input ../shared/data/ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_B.seq.gz \\
      --ids seq_00011_peak --out explain/
  kerasbind explain runs/usf1 --input test.tsv --limit 5 --out explain/
  kerasbind explain runs/usf1 --variants snps.tsv --out explain/
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="mutation maps (in-silico mutagenesis) and variant effects",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train/tune")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=input_file, metavar="FILE", help="sequences to explain")
    source.add_argument(
        "--variants",
        type=input_file,
        metavar="FILE.tsv",
        help="ref/alt pairs: id, sequence, position, alt",
    )
    parser.add_argument("--ids", nargs="+", metavar="ID", help="explain only these sequences")
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=20,
        metavar="N",
        help="without --ids, explain the first N sequences (default 20)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_input_format_arguments(parser)
    command(parser, run, Output("out", "output folder"))


def run(args: argparse.Namespace) -> str:
    seqset = None if args.input is None else kb.read_sequences(args.input, **reading(args))
    trained = kb.load_run(args.run_dir)
    table = trained.explain(
        seqset,
        variants=args.variants,
        out=args.out,
        ids=args.ids,
        limit=args.limit,
        overwrite=args.overwrite,
    )
    if args.variants is not None:
        return f"{len(table)} variants scored; written to {args.out / 'variants.tsv'}"
    return f"{len(table)} mutation maps written to {args.out}"
