"""``kerasbind export``: a run folder → a SavedModel in TF Serving's ``BASE/NAME/VERSION`` layout.

Also home of ``--export BASE`` for ``train`` and ``tune`` (`add_export_argument`,
`export_after_run`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kerasbind.cli.common import input_folder, positive_int

if TYPE_CHECKING:
    from kerasbind.export import Export
    from kerasbind.rundir import Run

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
    parser.add_argument(
        "run_dir", type=input_folder, metavar="RUN_DIR", help="run folder (train, tune)"
    )
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
    _add_serving_config_argument(parser)
    parser.set_defaults(run=run)


def _add_serving_config_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--serving-config",
        action="store_true",
        help="also write BASE/models.config listing every model under BASE (for "
        "tensorflow_model_server --model_config_file)",
    )


def add_export_argument(parser: argparse.ArgumentParser) -> None:
    """``--export BASE``, ``--export-name`` and ``--serving-config`` for ``train`` and ``tune``."""
    group = parser.add_argument_group("export (see 'kerasbind export --help')")
    group.add_argument(
        "--export",
        type=Path,
        metavar="BASE",
        help="when done, export the run as BASE/NAME/VERSION for TF Serving",
    )
    group.add_argument(
        "--export-name",
        metavar="NAME",
        help="model name for --export (default: the run folder's name)",
    )
    _add_serving_config_argument(group)


def check_export_base(args: argparse.Namespace) -> None:
    """Refuse an unusable ``--export BASE`` before training starts."""
    from kerasbind.files import check_writable

    if args.export is not None:
        check_writable(args.export, "export base folder")


def export_after_run(args: argparse.Namespace, trained: Run) -> None:
    """Export a finished run when ``--export`` was given."""
    if args.export is not None:
        _report(
            trained.export(args.export, name=args.export_name, serving_config=args.serving_config)
        )


def run(args: argparse.Namespace) -> int:
    import kerasbind as kb
    from kerasbind.files import check_writable

    check_writable(args.out, "export base folder")
    trained = kb.load_run(args.run_dir)
    _report(
        trained.export(
            args.out, name=args.name, version=args.version, serving_config=args.serving_config
        )
    )
    return 0


def _report(done: Export) -> None:
    print(f"exported {done.name} version {done.version} to {done.path}")
    if done.models_config is not None:
        print(f"wrote {done.models_config}")
