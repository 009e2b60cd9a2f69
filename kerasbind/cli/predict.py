"""``kerasbind predict``: binding probabilities for new sequences."""

from __future__ import annotations

import argparse
from pathlib import Path

from kerasbind.cli.common import add_input_format_arguments, input_file, input_folder

EPILOG = """\
OUT.tsv has a header and one row per input sequence: id, sequence (as read, in the input's
alphabet: RNA stays RNA), probability. Any supported input format is accepted, labelled or not.
Use '--output -' to write to standard output; a name ending in .gz is compressed.

examples:
  kerasbind predict runs/deepbind --input new.fa --output predictions.tsv
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
    parser.add_argument(
        "run_dir", type=input_folder, metavar="RUN_DIR", help="folder made by train"
    )
    parser.add_argument("--input", type=input_file, required=True, metavar="FILE", help="sequences")
    parser.add_argument(
        "--output", type=Path, required=True, metavar="OUT.tsv", help="predictions (TSV)"
    )
    add_input_format_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import kerasbind as kb
    from kerasbind.cli.common import check_output_file, reading, write_prediction_table

    check_output_file(args.output)
    seqset = kb.read_sequences(args.input, **reading(args))
    trained = kb.load_run(args.run_dir)
    prob = trained.predict(seqset)
    write_prediction_table(args.output, seqset.ids, seqset.user_sequences(), prob)
    return 0
