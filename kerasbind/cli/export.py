"""``kerasbind export``: a run folder → a SavedModel in TF Serving's ``BASE/NAME/VERSION``
layout."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    FOLDER,
    Output,
    add_run_argument,
    add_serving_config_argument,
    command,
    describe_export,
    positive_int,
)

EPILOG = """\
The SavedModel has two signatures (see them with 'saved_model_cli show --dir DIR --all'):
  serving_default  input 'sequences' (string, [None]): raw DNA or RNA, any case, U or T, N,
                   any length (centre-trimmed or N-padded like in training)
                   → 'probability' and 'logit' (float32, [None])
  encoded          input 'encoded': the one-hot or k-mer tensor, for pipelines that encode
                   themselves → the same outputs
A character outside the alphabet fails the request with InvalidArgument naming it.

Each export is a new integer version under BASE/NAME (the next free one unless --version is
given), written to a hidden temporary folder and renamed into place, so a running TF Serving
picks it up whole. The version holds assets/kerasbind.json (the run's description) and
assets.extra/tf_serving_warmup_requests (warm-up requests TF Serving replays on loading).

examples:
  kerasbind export runs/deepbind --out models/
  kerasbind export runs/deepbind --out models/ --name pum2 --serving-config
  docker run --rm -p 8500:8500 -p 8501:8501 -v "$PWD/models:/models" tensorflow/serving \\
      --model_config_file=/models/models.config
  kerasbind client --rest http://localhost:8501 --model pum2 --input test.fa --output p.tsv
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a run as a SavedModel for TF Serving and other TensorFlow pipelines",
        description="Export a trained run as a versioned SavedModel that takes raw sequences.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "run folder (train, tune)")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="BASE",
        help="model base folder; the export goes to BASE/NAME/VERSION",
    )
    parser.add_argument(
        "--name",
        metavar="NAME",
        help="model name in TF Serving URLs (default: the run folder's name)",
    )
    parser.add_argument(
        "--version",
        type=positive_int,
        metavar="N",
        help="version number (default: one more than the highest present, or 1)",
    )
    add_serving_config_argument(parser)
    command(parser, run, Output("out", "export base folder", FOLDER))


def run(args: argparse.Namespace) -> str:
    trained = kb.load_run(args.run_dir)
    done = trained.export(
        args.out, name=args.name, version=args.version, serving_config=args.serving_config
    )
    return describe_export(done)
