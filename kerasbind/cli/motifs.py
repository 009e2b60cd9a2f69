"""``kerasbind motifs``: the motifs a trained model learned: its first-layer filters' or
TF-MoDISco's on attributions."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    Output,
    add_run_argument,
    add_sequence_input_arguments,
    command,
    input_set,
    non_negative_int,
    positive_int,
)

MATCHING = kb.MOTIF_MATCHING

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

--method modisco reads motifs from attributions instead (docs/attribution.md): per-nucleotide
contributions of the positives (--attribution, default integrated gradients) go to
TF-MoDISco (modisco-lite), which clusters high-contribution windows (seqlets) into
non-redundant motifs, each a contribution-weight matrix (CWM) and a letter frequency matrix
(PFM), matched by the same TOMTOM. It works for every architecture, KEGRU (no convolution)
included. Without --method each architecture uses its default: filters for one-hot
convolutional models, modisco for k-mer embedding and recurrent-only ones.
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
  known.meme          the best-matching known motifs (MEME, the database's alphabet)

files in OUT with --method modisco (default RUN_DIR/modisco):
  motifs.tsv          one row per motif (pos_0.. raise the score, neg_0.. lower it): seqlets,
                      width, bits, contribution, consensus, status, best match (q < 0.05)
  matches.tsv         as above, first column 'motif';  motifs.meme, known.meme
  seqlets.tsv         motif, sequence_index, id, start, end, strand
  attributions.npz    the attributions modisco read;  modisco.h5  modisco-lite's results
  logos/MOTIF.cwm.png, MOTIF.pfm.png, MOTIF.match.png;  positions/MOTIF.png;  logos.png
  modisco.json        method, attribution, counts, seconds

examples:
  kerasbind motifs runs/usf1 \\
      --input ../shared/data/ChIP-seq/USF1_H1-hESC_USF-1_HudsonAlpha_B.seq.gz \\
      --db jaspar --out runs/usf1/motifs
  kerasbind motifs runs/elavl1 --input test.fa.gz \\
      --db ../shared/data/motifs/Ray2013_rbp_RNA.meme --top 5
  kerasbind motifs runs/usf1 --input peaks_AC.seq.gz --negatives shuffle --taxon all
  kerasbind motifs runs/quickstart --dataset simulated_binding   # a TFDS test split
  kerasbind motifs runs/kegru_hnrnpc --input test.fa.gz --method modisco \\
      --db ../shared/data/motifs/Ray2013_rbp_RNA.meme
  kerasbind motifs runs/usf1 --input test.seq.gz --method modisco --attribution ism
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "motifs",
        help="motifs (filters or TF-MoDISco): PFMs, logos, TOMTOM matches against JASPAR or MEME",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_argument(parser, "folder made by train/tune")
    parser.add_argument(
        "--db",
        default="jaspar",
        metavar="jaspar|PATH.meme",
        help="known motifs: 'jaspar' (JASPAR CORE, offline; default) or a MEME file",
    )
    parser.add_argument(
        "--jaspar-release",
        default=MATCHING.release,
        metavar="NAME",
        help=f"JASPAR release for --db jaspar (default {MATCHING.release})",
    )
    parser.add_argument(
        "--taxon",
        default=MATCHING.taxon,
        choices=MATCHING.taxa,
        help=f"JASPAR taxonomic group for --db jaspar (default {MATCHING.taxon})",
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
        choices=list(MATCHING.distances),
        default=MATCHING.distance,
        help=f"TOMTOM column score (default {MATCHING.distance}; docs/motifs.md)",
    )
    parser.add_argument(
        "--method",
        choices=["filters", "modisco"],
        help="where motifs come from (default: the architecture's; see above)",
    )
    parser.add_argument(
        "--attribution",
        choices=kb.ATTRIBUTION_METHODS,
        default="integrated_gradients",
        help="attributions modisco reads (default integrated_gradients; docs/attribution.md)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for --negatives shuffle and deepshap references"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    add_sequence_input_arguments(parser)
    motifs_folder = Output("out", "motifs folder", default=_default_folder)
    command(parser, run, motifs_folder)


def _default_folder(args: argparse.Namespace) -> Path:
    """RUN_DIR/motifs or RUN_DIR/modisco, after the method (the architecture's by default)."""
    args.method = args.method or kb.default_motif_method(kb.run_architecture(args.run_dir))
    return args.run_dir / ("modisco" if args.method == "modisco" else "motifs")


def run(args: argparse.Namespace) -> str:
    out = args.out
    seqset = input_set(args)
    trained = kb.load_run(args.run_dir)
    if (args.method or kb.default_motif_method(trained.architecture)) == "modisco":
        found = trained.motifs(
            seqset, method="modisco", db=args.db, out=out, seed=args.seed,
            attribution=args.attribution, release=args.jaspar_release, taxon=args.taxon,
            per_motif=args.per_filter, use_all=args.all_sequences, dist=args.dist,
            overwrite=args.overwrite,
        )  # fmt: skip
        return f"files in {out}\n{found.describe(args.top)}"
    analysis = trained.motifs(
        seqset,
        method="filters",
        db=args.db,
        out=out,
        negatives=args.negatives,
        seed=args.seed,
        release=args.jaspar_release,
        taxon=args.taxon,
        per_filter=args.per_filter,
        use_all=args.all_sequences,
        dist=args.dist,
        overwrite=args.overwrite,
    )
    return (
        f"{len(analysis.filters.ids)} filters; motifs compared with {args.db} by TOMTOM "
        f"({MATCHING.distances[args.dist]}); files in {out}\n{analysis.describe(args.top)}"
    )
