"""``kerasbind predict``: binding probabilities for new sequences."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    FILE,
    Output,
    add_input_format_arguments,
    add_run_argument,
    add_strand_arguments,
    command,
    input_file,
    reading,
    write_prediction_table,
    write_tsv_output,
)

EPILOG = """\
OUT.tsv has a header and one row per input sequence: id, sequence (as read, in the input's
alphabet: RNA stays RNA), probability, log_odds, and how the sequence was scored: rule (exact:
the model's length; padded: shorter, centred between N; windows: longer, the best of its
windows), windows (how many were scored), best_start (1-based start of the best window; <= 0
when it begins in the N padding) and best_strand (+, or - for its reverse complement). Nothing
is trimmed: a sequence longer than the model scores its best window. Runs trained on DNA score
both strands (--strand forward: the given one). With --windows all, one row per window: id,
start, end (1-based), the log-odds of each strand, log_odds and probability.
Any supported input format is accepted, labelled or not.
Use '--output -' to write to standard output; a name ending in .gz is compressed.

examples:
  kerasbind predict runs/deepbind --input new.fa --output predictions.tsv
  kerasbind predict --preset PUM2 --input utrs.fa --output pum2.tsv   (a ready-trained model)
  kerasbind predict runs/deepbind --input peaks.bed --format bed --genome hg19.fa --output p.tsv
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="binding probability for each sequence of a file",
        description="Predict binding probabilities with a trained run.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train")
    parser.add_argument("--input", type=input_file, required=True, metavar="FILE", help="sequences")
    parser.add_argument(
        "--output", type=Path, required=True, metavar="OUT.tsv", help="predictions (TSV)"
    )
    parser.add_argument(
        "--windows",
        choices=("best", "all"),
        default="best",
        help="a sequence longer than the model: its best window's score (default) or every window",
    )
    add_strand_arguments(parser)
    add_input_format_arguments(parser)
    command(parser, run, Output("output", "predictions", FILE))


def run(args: argparse.Namespace) -> str | None:
    seqset = kb.read_sequences(args.input, **reading(args))
    trained = kb.load_run(args.run_dir)
    table = trained.predict_table(
        seqset, windows=args.windows, stride=args.stride, strand=args.strand, combine=args.combine
    )
    if args.windows == "all":
        write_tsv_output(args.output, table)
        return f"{len(table)} window scores of {len(seqset)} sequences written to {args.output}"
    columns = ["log_odds", "rule", "windows", "best_start", "best_strand"]
    write_prediction_table(
        args.output,
        seqset.ids,
        seqset.user_sequences(),
        table["probability"],
        **{column: table[column] for column in columns},
    )
    return None
