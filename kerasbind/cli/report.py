"""``kerasbind report``: one self-contained HTML page for a run directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from kerasbind.cli.common import input_folder

EPILOG = """\
The page holds the architecture, encoder and hyper-parameters, the metrics, ROC and
precision-recall curves, the training history, the tuner's trials (when the run was tuned) and
the filter logos with their best TOMTOM matches (from 'kerasbind motifs', by default
RUN_DIR/motifs). Images are embedded, so report.html can be mailed or archived on its own.

examples:
  kerasbind motifs runs/usf1 \\
      --input ../shared/data/ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_B.seq.gz \\
      && kerasbind report runs/usf1
  kerasbind report runs/usf1 --motifs runs/usf1/motifs_clip --out usf1.html
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="one self-contained report.html for a run",
        description="Write a self-contained HTML report of a run directory.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "run_dir", type=input_folder, metavar="RUN_DIR", help="folder made by train/tune"
    )
    parser.add_argument(
        "--motifs", type=Path, metavar="DIR", help="motifs folder (default RUN_DIR/motifs)"
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE.html", help="output file (default RUN_DIR/report.html)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()
    from kerasbind.report import write_report

    path = write_report(args.run_dir, args.out, args.motifs)
    print(f"report written to {path}")
    return 0
