"""``kerasbind evaluate``: score a trained run on a labelled test set."""

from __future__ import annotations

import argparse

import kerasbind as kb
from kerasbind.cli.common import (
    add_input_format_arguments,
    add_run_argument,
    add_seed_argument,
    command,
    input_file,
    reading,
)

EPILOG = """\
Writes RUN_DIR/metrics.json ({"test": {"auc_roc", "auc_pr", "n", "n_positive", "source",
"strands"}}), records the same figures in RUN_DIR/kerasbind.json, and draws RUN_DIR/roc.png and
RUN_DIR/pr.png. Each sequence is scored on the strands the run learnt from: both for a DNA run
(the better strand's score, as predict gives it), one for an RNA run or --strand forward.

examples:
  kerasbind evaluate runs/deepbind --test test.fa.gz
  kerasbind evaluate runs/deepbind --test peaks_B.seq.gz
  kerasbind evaluate runs/deepbind --test peaks.tsv --negatives shuffle
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="AUC-ROC / AUC-PR of a trained run on a labelled test set, with curves",
        description="Score a run directory on a labelled test set.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train")
    parser.add_argument(
        "--test", type=input_file, required=True, metavar="FILE", help="labelled test sequences"
    )
    parser.add_argument(
        "--negatives",
        choices=["none", "shuffle"],
        default="none",
        help="'shuffle' adds dinucleotide-shuffled negatives to a positives-only test set",
    )
    add_input_format_arguments(parser)
    add_seed_argument(parser)
    command(parser, run)


def run(args: argparse.Namespace) -> str:
    test_set = kb.read_sequences(args.test, **reading(args))
    trained = kb.load_run(args.run_dir)
    metrics = trained.evaluate(test_set, negatives=args.negatives, seed=args.seed)
    return (
        f"{test_set.source}: AUC-ROC {metrics['auc_roc']:.4f}, AUC-PR {metrics['auc_pr']:.4f} "
        f"({metrics['n']} sequences, {metrics['n_positive']} positive, {metrics['strands']} "
        f"strand{'s' if metrics['strands'] == 'both' else ''}); "
        f"written to {args.run_dir / 'metrics.json'}"
    )
