"""``kerasbind variants``: the effect of each VCF allele on the binding score."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    FILE,
    Output,
    add_run_argument,
    add_strand_arguments,
    command,
    input_file,
)

DESCRIPTION = """\
Score every alternative allele of a VCF against its reference: a window of the model's
length centred on the allele (re-centred for insertions and deletions) is cut from the
genome with the reference and with the alternative allele and scored (both strands for runs
trained on DNA). Each ALT of a multi-allelic record is scored on its own. REF is checked
against the genome: a mismatch is reported in the status column and counted, never scored.
"""

EPILOG = """\
OUT is a TSV unless its name ends in .vcf or .vcf.gz; then it is the input VCF with INFO
fields added (one value per ALT): KB_DLO (alt - ref log-odds), KB_DP (alt - ref probability),
KB_PREF, KB_PALT (probabilities) and KB_STATUS.

TSV columns: chrom, pos, id, ref, alt, status, genome_ref, probability_ref, probability_alt,
delta_probability, log_odds_ref, log_odds_alt, delta_log_odds.
status: ok | chromosome_end (window padded with N past the chromosome end; scored) |
ref_mismatch | no_chromosome | outside_chromosome (REF runs past the end) | symbolic (<DEL>,
*, breakends); only ok and chromosome_end alleles are scored.

The genome FASTA needs its index (samtools faidx genome.fa).

examples:
  kerasbind variants runs/ctcf --vcf gwas.vcf.gz --genome hg38.fa --output effects.tsv
  kerasbind variants runs/ctcf --vcf calls.vcf --genome hg38.fa --output annotated.vcf.gz
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "variants",
        help="effect of VCF variants on the binding score",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train/tune")
    parser.add_argument("--vcf", type=input_file, required=True, metavar="FILE.vcf[.gz]")
    parser.add_argument(
        "--genome", type=input_file, required=True, metavar="FASTA", help="indexed genome FASTA"
    )
    parser.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="effects: .tsv, or .vcf / .vcf.gz for an annotated VCF",
    )
    add_strand_arguments(parser, stride=False)
    command(parser, run, Output("output", "variant effects", FILE))


def run(args: argparse.Namespace) -> str:
    if str(args.output) == "-":
        raise kb.KerasbindError("--output: give a file name (.tsv, .vcf or .vcf.gz)")
    trained = kb.load_run(args.run_dir)
    _, summary = trained.variants(
        args.vcf, args.genome, output=args.output, strand=args.strand, combine=args.combine
    )
    return f"{summary.line()}; written to {args.output}"
