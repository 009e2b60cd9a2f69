"""`kerasbind prepare`: any supported input → the canonical ``sequence<TAB>label`` file."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    FILE,
    Output,
    add_input_format_arguments,
    add_negatives_arguments,
    add_seed_argument,
    command,
    input_file,
    reading,
)

DESCRIPTION = """\
Read sequences in any supported format and write deepRAM's canonical file: a header line, then
one 'sequence<TAB>label' row per sequence (gzip when OUT ends in .gz), in the input's alphabet
(RNA stays RNA), with a last 'id' column when the input names its sequences (iONMF coordinates
such as chr1:368294-368394(+), DeepBind events, FASTA names; kerasbind reads it back).
Unlabelled input without --negatives gives a 'sequence' file.

Formats (detected from the content, or forced with --format):
  tsv       sequence<TAB>label with a header line (deepRAM)
  deepbind  FoldID EventID seq Bound (DeepBind's ENCODE ChIP-seq *_AC / *_B files)
  ionmf     FASTA with '> chr1,+,368294,368394; class:0' headers (iONMF CLIP-seq)
  fasta     plain FASTA, no labels
  bed       BED / narrowPeak + --genome FASTA: --window bp centred on the summit
            (narrowPeak column 10) or the interval's centre, reverse-complemented on '-'

--negatives shuffle adds --neg-ratio dinucleotide-shuffled copies of every positive (exact
Altschul-Erickson shuffle: same dinucleotide counts, first and last letter) as label 0; sets
that already have negatives are kept as they are.
"""

EPILOG = """\
examples:
  kerasbind prepare --input sequences.fa.gz --output pum2_test.tsv.gz
  kerasbind prepare --input ../shared/data/ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_AC.seq.gz \\
      --negatives shuffle --seed 1 --output usf1_train.tsv.gz
  kerasbind prepare --input peaks.narrowPeak --genome hg19.fa --window 101 \\
      --negatives shuffle --output peaks.tsv.gz
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prepare",
        help="convert sequence files to the canonical sequence<TAB>label file",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--input",
        type=input_file,
        required=True,
        metavar="FILE",
        help="sequence file (plain or gzip)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="output TSV, gzip when the name ends in .gz",
    )
    add_input_format_arguments(parser)
    add_negatives_arguments(parser.add_argument_group("negatives"))
    add_seed_argument(parser)
    command(parser, run, Output("output", "output file", FILE))


def run(args: argparse.Namespace) -> str:
    seqset = kb.read_sequences(
        args.input, **reading(args), negatives=args.negatives, neg_ratio=args.neg_ratio,
        seed=args.seed,
    )  # fmt: skip
    kb.write_tsv(seqset, args.output)
    if seqset.labels is None:
        return f"wrote {args.output}: {len(seqset)} sequences (unlabelled)"
    positives = seqset.n_positive
    return (
        f"wrote {args.output}: {len(seqset)} sequences, {positives} positives, "
        f"{len(seqset) - positives} negatives"
    )
