"""``kerasbind scan``: window scores along sequences or genome regions, as browser tracks."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    Output,
    add_run_argument,
    add_strand_arguments,
    command,
    input_file,
    positive_int,
)

DESCRIPTION = """\
Scan sequences of any length, or whole chromosomes of a genome, with a trained run: every
window of the model's input length (every --stride letters) is scored, on both strands for
runs trained on DNA. The genome is read in chunks, so memory does not grow with chromosome
length. Convolution-only models (deepbind, deepbind_e_star) are scored in one pass over the
sequence; the others window by window -- the scores are the same.
"""

EPILOG = """\
files in OUT:
  scores.bedGraph  chrom, start, end, probability: each window's score at the --stride
                   bases at its centre (with --input, each sequence is a "chromosome"
                   named by its id)
  scores.bw        the same track as BigWig
  hits.bed         windows with probability >= --threshold, overlapping ones on the same
                   strand merged: chrom, start, end, best probability, score (x1000),
                   strand, and as thickStart/thickEnd the stretch all merged windows share

The genome FASTA needs its index (samtools faidx genome.fa); --regions is a BED file sorted
by chromosome and start, without overlapping intervals.

An interrupted scan keeps its finished chromosomes (or groups of regions) in OUT.partial/;
run the same command again to continue it (other arguments are refused; --overwrite starts
afresh). OUT appears, whole, when the scan is complete.

examples:
  kerasbind scan runs/ctcf --genome hg38.fa --formats bigwig hits --out scan-hg38/
      (a whole genome: the bedGraph text would be about 100 GB at stride 1)
  kerasbind scan runs/ctcf --genome hg38.fa --regions promoters.bed --threshold 0.9 --out p/
  kerasbind scan runs/pum2 --input transcripts.fa --stride 5 --out pum2-scan/
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="window scores along sequences or a genome (bedGraph, BigWig, hits BED)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train/tune")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input", type=input_file, metavar="FILE", help="sequences to scan (FASTA, TSV, ...)"
    )
    source.add_argument(
        "--genome", type=input_file, metavar="FASTA", help="indexed genome FASTA (.fai beside it)"
    )
    parser.add_argument(
        "--regions", type=input_file, metavar="BED", help="with --genome: scan only these intervals"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        metavar="P",
        help="probability a window needs to be a hit (default 0.5)",
    )
    parser.add_argument(
        "--formats",
        nargs="+",
        choices=("bedgraph", "bigwig", "hits"),
        default=["bedgraph", "bigwig", "hits"],
        help="outputs to write (default all three)",
    )
    parser.add_argument(
        "--mode",
        choices=("auto", "convolutional", "windows"),
        default="auto",
        help="one pass (convolution-only models) or window by window (default: the fastest)",
    )
    add_strand_arguments(parser)
    parser.add_argument(
        "--chunk",
        type=positive_int,
        default=1 << 18,
        metavar="N",
        help="window starts read at a time (memory; default 262144)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    command(parser, run, Output("out", "scan output folder"))


def run(args: argparse.Namespace) -> str:
    if args.regions is not None and args.genome is None:
        raise kb.KerasbindError("--regions needs --genome (they are genome intervals)")
    if not 0.0 <= args.threshold <= 1.0:
        raise kb.KerasbindError(f"--threshold is a probability in [0, 1], not {args.threshold}")
    sequences = None if args.input is None else kb.read_sequences(args.input)
    trained = kb.load_run(args.run_dir)
    summary = trained.scan(
        args.out,
        genome=args.genome,
        regions=args.regions,
        sequences=sequences,
        stride=args.stride,
        strand=args.strand,
        combine=args.combine,
        threshold=args.threshold,
        mode=args.mode,
        formats=args.formats,
        chunk=args.chunk,
        overwrite=args.overwrite,
        progress=not args.quiet,
    )
    rate = summary.positions_per_second
    kept = (
        f"continued an interrupted scan ({summary.resumed_windows:,} windows and "
        f"{summary.resumed_regions} whole regions kept); "
        if summary.resumed_windows
        else ""
    )
    return kept + (
        f"{summary.windows:,} windows of {summary.window} bp in {summary.regions} regions "
        f"({summary.bases:,} bp, {summary.strands} strands, {summary.mode} path, "
        f"{rate:,.0f} positions/s); {summary.hits} hits >= {args.threshold}; written to {args.out}"
    )
