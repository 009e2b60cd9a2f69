"""``kerasbind explain``: mutation maps of single sequences, and variant effects."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kerasbind.cli.common import add_input_format_arguments

if TYPE_CHECKING:
    from kerasbind.sequences import SequenceSet

DESCRIPTION = """\
Explain predictions by in-silico mutagenesis: every single-letter substitution of a sequence
is scored, and the change in log-odds (the model's score before the sigmoid) is drawn as a
heatmap (positions x letters) and a logo whose letters are scaled by their importance (minus
the mean change of their three substitutions: tall letters support binding). Only positions
inside the model's input window are mutated; all mutants of a sequence go through the model
in one batched pass.

With --variants, score ref/alt pairs instead: a TSV with a header and the columns
id, sequence, position (1-based), alt; the output has the probability and log-odds of the
reference and the alternative and their differences (alt - ref).
"""

EPILOG = """\
files in OUT:
  ID.ism.tsv    position, ref, change in log-odds for each letter, importance
  ID.ism.png    heatmap of the same;  ID.logo.png  importance-weighted sequence logo
  explained.tsv one row per sequence: probability, log-odds, most important position
  variants.tsv  (--variants) id, position, ref, alt, probability_ref, probability_alt,
                delta_probability, log_odds_ref, log_odds_alt, delta_log_odds, in_window

examples:
  kerasbind explain runs/usf1 --input USF1_B.seq.gz --ids seq_00011_peak --out explain/
  kerasbind explain runs/usf1 --input test.tsv --limit 5 --out explain/
  kerasbind explain runs/usf1 --variants snps.tsv --out explain/
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="mutation maps (in-silico mutagenesis) and variant effects",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="folder made by train/tune")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=Path, metavar="FILE", help="sequences to explain")
    source.add_argument(
        "--variants",
        type=Path,
        metavar="FILE.tsv",
        help="ref/alt pairs: id, sequence, position, alt",
    )
    parser.add_argument("--ids", nargs="+", metavar="ID", help="explain only these sequences")
    parser.add_argument(
        "--limit",
        type=int,
        default=20,
        metavar="N",
        help="without --ids, explain the first N sequences (default 20)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_input_format_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()
    from kerasbind.errors import KerasbindError
    from kerasbind.explain import explain_sequences, read_variants, variant_effects
    from kerasbind.files import write_atomic
    from kerasbind.motifs.motif import letters
    from kerasbind.rundir import load_run

    if args.limit < 1:
        raise KerasbindError("--limit must be at least 1")
    trained = load_run(args.run_dir)
    if args.variants is not None:
        effects = variant_effects(trained.model, trained.encoder, read_variants(args.variants))
        path = args.out / "variants.tsv"
        write_atomic(
            path, lambda tmp: effects.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
        )
        print(f"{len(effects)} variants scored; written to {path}")
        return 0
    seqset = _selected(args)
    summary = explain_sequences(
        trained.model,
        trained.encoder,
        seqset.sequences,
        seqset.ids,
        args.out,
        letters=letters(seqset.alphabet),
    )
    path = args.out / "explained.tsv"
    write_atomic(path, lambda tmp: summary.to_csv(tmp, sep="\t", index=False, float_format="%.6g"))
    print(f"{len(summary)} mutation maps written to {args.out}")
    return 0


def _selected(args: argparse.Namespace) -> SequenceSet:
    """The sequences named by --ids (in that order), or the first --limit ones."""
    from kerasbind.datasets import load_input_set
    from kerasbind.errors import KerasbindError

    seqset = load_input_set(args)
    if not args.ids:
        return seqset.subset(range(min(args.limit, len(seqset))))
    where = {identifier: i for i, identifier in reversed(list(enumerate(seqset.ids)))}
    missing = [identifier for identifier in args.ids if identifier not in where]
    if missing:
        raise KerasbindError(f"{args.input}: no sequence with id {', '.join(missing[:5])}")
    return seqset.subset([where[identifier] for identifier in args.ids])
