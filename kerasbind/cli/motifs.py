"""``kerasbind motifs``: the motifs a trained model's first-layer filters learned."""

from __future__ import annotations

import argparse
from pathlib import Path

from kerasbind.cli.common import (
    add_sequence_input_arguments,
    input_folder,
    non_negative_int,
    positive_int,
)
from kerasbind.motifs.matching import (
    DEFAULT_DISTANCE,
    DEFAULT_JASPAR_RELEASE,
    DEFAULT_TAXON,
    JASPAR_TAXA,
)
from kerasbind.motifs.tomtom import DISTANCES

DESCRIPTION = """\
Read the motifs learned by the first convolution layer (deepRAM section 2.4).

The sequences of --input (its positives, label 1, unless --all-sequences) go through the
model's first convolution; for each filter every window whose activation exceeds half of the
filter's maximum is a site, and the sites' letters are counted into a position frequency
matrix. Each matrix with at least 10 sites and 11 bits (corrected for the number of sites) is
compared with known motifs by TOMTOM (--dist: Pearson correlation between columns, as deepRAM,
or Euclidean distance; both strands for DNA, forward only for an ACGU file) against JASPAR CORE
or any MEME file, e.g. the CISBP-RNA collection for RNA-binding proteins. A filter's best match
is its lowest q-value target when q < 0.05; otherwise it has no significant match.
"""

EPILOG = """\
files in OUT (default RUN_DIR/motifs):
  filters.meme        every filter with sites, MEME format (ACGU for RNA input)
  matches.tsv         each filter's best targets: filter, target_id, target_name, p_value,
                      e_value (p x targets), q_value (Benjamini-Hochberg over the filter's
                      comparisons with all targets), offset, orientation, overlap; by q-value
  filters.tsv         one row per filter: sites, threshold, information, status, best
                      match (only when q < 0.05)
  logos.png           all logos, the best match under each
  logos/FILTER.png    information-content logo (and .svg)
  positions/FILTER.png  activating windows by position, positives vs negatives (Fig. 4B)

examples:
  kerasbind motifs runs/usf1 \\
      --input ../shared/data/ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_B.seq.gz \\
      --db jaspar --out runs/usf1/motifs
  kerasbind motifs runs/elavl1 --input test.fa.gz \\
      --db ../shared/data/motifs/Ray2013_rbp_RNA.meme --top 5
  kerasbind motifs runs/usf1 --input peaks_AC.seq.gz --negatives shuffle --taxon all
  kerasbind motifs runs/quickstart --dataset simulated_binding   # a TFDS test split
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "motifs",
        help="filter motifs: PFMs, logos, TOMTOM matches against JASPAR or a MEME file",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "run_dir", type=input_folder, metavar="RUN_DIR", help="folder made by train/tune"
    )
    parser.add_argument(
        "--db",
        default="jaspar",
        metavar="jaspar|PATH.meme",
        help="known motifs: 'jaspar' (JASPAR CORE, offline; default) or a MEME file",
    )
    parser.add_argument(
        "--jaspar-release",
        default=DEFAULT_JASPAR_RELEASE,
        metavar="NAME",
        help=f"JASPAR release for --db jaspar (default {DEFAULT_JASPAR_RELEASE})",
    )
    parser.add_argument(
        "--taxon",
        default=DEFAULT_TAXON,
        choices=JASPAR_TAXA,
        help=f"JASPAR taxonomic group for --db jaspar (default {DEFAULT_TAXON})",
    )
    parser.add_argument(
        "--top",
        type=non_negative_int,
        default=10,
        metavar="N",
        help="print the N filters with the best matches (default 10)",
    )
    parser.add_argument(
        "--per-filter",
        type=positive_int,
        default=5,
        metavar="K",
        help="targets kept per filter in matches.tsv (default 5)",
    )
    parser.add_argument(
        "--all-sequences",
        action="store_true",
        help="use every sequence of --input, not only its positives",
    )
    parser.add_argument(
        "--negatives",
        choices=["none", "shuffle"],
        default="none",
        help="'shuffle' adds dinucleotide-shuffled negatives for the position histograms "
        "(for positives-only files)",
    )
    parser.add_argument(
        "--dist",
        choices=DISTANCES,
        default=DEFAULT_DISTANCE,
        help=f"TOMTOM column score (default {DEFAULT_DISTANCE}; docs/motifs.md)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for --negatives shuffle")
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    add_sequence_input_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import kerasbind as kb
    from kerasbind.cli.common import input_set
    from kerasbind.files import check_writable
    from kerasbind.motifs import DISTANCE_METRIC

    out = check_writable(args.out or args.run_dir / "motifs", "motifs folder")
    seqset = input_set(args)
    trained = kb.load_run(args.run_dir)
    analysis = trained.motifs(
        seqset,
        db=args.db,
        out=out,
        negatives=args.negatives,
        seed=args.seed,
        release=args.jaspar_release,
        taxon=args.taxon,
        per_filter=args.per_filter,
        use_all=args.all_sequences,
        dist=args.dist,
    )
    print(
        f"{len(analysis.filters.ids)} filters; motifs compared with {args.db} by TOMTOM "
        f"({DISTANCE_METRIC[args.dist]}); files in {out}"
    )
    print(analysis.describe(args.top))
    return 0
