"""``kerasbind attribute``: per-nucleotide attributions of sequences, in modisco's layout."""

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
    non_negative_int,
    positive_int,
    reading,
)

DESCRIPTION = """\
Attribute a model's score to the letters of each sequence: for every position of the model's
window and every letter, how much that letter there adds to the log-odds (the score before the
sigmoid). Works for all nine architectures and free compositions; k-mer embedding models are
attributed back to nucleotides (docs/attribution.md).

--method:
  integrated_gradients  gradients along the path from the all-N sequence (default); the
                        letters' contributions sum to score - score of NN..N (within 2 % +
                        0.01; the path points are doubled where needed, up to 512)
  saliency              the gradient at the sequence (gradient x input); fastest
  ism                   in-silico mutagenesis: all 3L substitutions scored; forward passes only
  deepshap              integrated gradients from dinucleotide-shuffled references, averaged
                        (DeepSHAP's reference averaging with IG in place of DeepLIFT's rule)
"""

EPILOG = """\
files in OUT:
  attributions.npz   one_hot and hypothetical_contribs, float32 (n, L, 4): the arrays
                     TF-MoDISco reads; ids, log_odds, baseline_log_odds, method, alphabet
  top_positions.tsv  each sequence's best positions: id, rank, position (1-based in the
                     window), letter, contribution, log_odds; by contribution
  logos/ID.png       contribution logos of the --logos highest-scoring sequences

examples:
  kerasbind attribute runs/usf1 --input test.seq.gz --out attributions/usf1
  kerasbind attribute runs/kegru --input test.fa.gz --method ism --limit 500 --out attr/
  kerasbind attribute runs/pum2 --input test.fa.gz --method deepshap --references 20 \\
      --out attr/pum2
  kerasbind motifs runs/usf1 --input test.seq.gz --method modisco   # attributions + TF-MoDISco
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "attribute",
        help="per-nucleotide attributions (ISM, saliency, integrated gradients, DeepSHAP-style)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train/tune")
    parser.add_argument("--input", type=input_file, required=True, metavar="FILE")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--method",
        choices=kb.ATTRIBUTION_METHODS,
        default="integrated_gradients",
        help="attribution method (default integrated_gradients)",
    )
    parser.add_argument("--ids", nargs="+", metavar="ID", help="attribute only these sequences")
    parser.add_argument(
        "--limit", type=positive_int, metavar="N", help="without --ids, the first N sequences"
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        metavar="S",
        help="path intervals: integrated_gradients (default 8), per reference for deepshap (8); "
        "bisected where completeness needs more",
    )
    parser.add_argument(
        "--references",
        type=positive_int,
        metavar="R",
        help="deepshap: shuffled references per sequence (default 10)",
    )
    parser.add_argument(
        "--logos",
        type=non_negative_int,
        default=10,
        metavar="N",
        help="logos of the N highest-scoring sequences (default 10)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of deepshap's shuffles")
    add_input_format_arguments(parser)
    command(parser, run, Output("out", "output folder"))


def run(args: argparse.Namespace) -> str:
    seqset = kb.read_sequences(args.input, **reading(args))
    found = kb.load_run(args.run_dir).attribute(
        seqset, out=args.out, method=args.method, ids=args.ids, limit=args.limit,
        steps=args.steps, references=args.references, seed=args.seed, logos=args.logos,
        overwrite=args.overwrite,
    )  # fmt: skip
    gap = found.completeness_gap
    check = "" if gap is None else f"; completeness gap at most {abs(gap).max():.3g} log-odds"
    return f"{len(found)} sequences attributed ({args.method}{check}); files in {args.out}"
