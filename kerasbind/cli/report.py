"""``kerasbind report``: one self-contained HTML page for a run directory."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import FILE, Output, add_run_argument, command

EPILOG = """\
The page opens with the data set and architecture, the test AUC-ROC and AUC-PR, the data sizes
and the command that made the run; then the ROC and precision-recall curves, the model and the
hyper-parameters it used, the validation AUC against learning steps (every trial of a tuned run
on one axis), what the search did (trials run, replaced, stopped early, chosen), the motifs
(filters' from 'kerasbind motifs', TF-MoDISco's from 'kerasbind motifs --method modisco', each
beside its best known match), mutation maps of the three best-scored test positives, and the
run's description as an appendix. The curves and mutation maps need the run's test data (the
file it was tested on, or --test). Images are embedded, so report.html can be mailed or
archived on its own; only that file is written.

examples:
  kerasbind motifs runs/usf1 \\
      --input ../shared/data/ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_B.seq.gz \\
      --out runs/usf1/motifs && kerasbind report runs/usf1
  kerasbind report runs/usf1 --motifs runs/usf1/motifs_clip --out usf1.html
  kerasbind report runs/pum2 \\
      --test ../shared/data/CLIP-seq/23_PARCLIP_PUM2_hg19/30000/test_sample_0/sequences.fa.gz
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="one self-contained report.html for a run",
        description="Write a self-contained HTML report of a run directory.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train/tune")
    parser.add_argument(
        "--motifs", type=Path, metavar="DIR", help="filter motifs folder (default RUN_DIR/motifs)"
    )
    parser.add_argument(
        "--modisco",
        type=Path,
        metavar="DIR",
        help="TF-MoDISco motifs folder (default RUN_DIR/modisco)",
    )
    parser.add_argument(
        "--test",
        type=Path,
        metavar="FILE",
        help="labelled sequences for the curves and mutation maps (default: the run's test data)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE.html",
        help="output file (default RUN_DIR/report.html; its folder must exist)",
    )
    output = Output("out", "report file", FILE, default=lambda args: args.run_dir / "report.html")
    command(parser, run, output)


def run(args: argparse.Namespace) -> str:
    kb.check_run_folder(args.run_dir)  # answers at once, before TensorFlow loads
    run = kb.load_run(args.run_dir)
    path = kb.write_report(run, args.out, motifs=args.motifs, modisco=args.modisco, test=args.test)
    return f"report written to {path}"
