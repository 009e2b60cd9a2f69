"""``kerasbind benchmark``: architectures × datasets, each cell tuned, compared as in the paper."""

from __future__ import annotations

import argparse
from pathlib import Path

from kerasbind.cli.common import (
    FOLDER,
    Output,
    add_negatives_arguments,
    add_seed_argument,
    add_training_strand_argument,
    command,
    input_file,
    parse_shard,
)

DESCRIPTION = """\
Tune several architectures on several datasets and compare them as deepRAM's Figs. 2 and 3 do:
AUC distributions per architecture and pairwise Wilcoxon signed-rank tests. Each (dataset,
architecture) cell is an ordinary 'kerasbind tune' run in OUT/runs/DATASET/ARCH."""

EPILOG = """\
--datasets SPEC:
  TFDS names, comma-separated, with globs on the config: clip_seq/*  chip_seq/USF1*
  or a TSV manifest file, one dataset a line: name<TAB>train<TAB>test (paths relative to the
  manifest; any format kerasbind reads; --negatives shuffle for positives-only files)

--arch: the nine of Table 1, 'all', and 'auto' (a cell whose search chooses the architecture
  too, as 'kerasbind tune --arch auto').

--budget: by default each cell gets what 'kerasbind tune' would use: standard, or auto for an
  auto cell. Or one for every cell: standard, auto, paper or quick (as for tune), or FILE.json
  with any of trials, folds, max_steps, eval_every, final_models and an optional "base" preset
  (default quick) for the others and the search space.

Finished cells are skipped and an interrupted cell resumes its KerasTuner search: run the same
command again to continue; once all cells are done it only redraws the summary. A failed cell is
listed and tried again on the next run; the command then exits with code 2. Commands sharing OUT
never run one cell at once (a cell another process holds is skipped). --shard I/N runs
every N-th cell starting at the I-th (for job arrays). Writes OUT/results.csv, OUT/failed.csv,
OUT/figures/*.png and OUT/benchmark.html (cells done of the plan, each architecture's median
beside the paper's and, with --published, other methods' on the same datasets; Wilcoxon tests
Holm-corrected). Each cell prints a progress line: cells done and left, time left.

examples:
  kerasbind benchmark --arch deepbind,ecblstm --datasets 'clip_seq/*' \\
      --manual-dir ../shared/data/CLIP-seq --budget quick --out bench/clip
  kerasbind benchmark --arch all --datasets manifest.tsv --negatives shuffle --shard 3/10 \\
      --budget paper --out bench/chip
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "benchmark",
        help="compare architectures across datasets (paper Figs. 2-3): tune each, Wilcoxon tests",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--arch",
        required=True,
        metavar="A,B|all",
        help="architectures, comma-separated, 'all' (the nine of Table 1) or 'auto'",
    )
    parser.add_argument(
        "--datasets",
        required=True,
        metavar="SPEC",
        help="TFDS names / globs, comma-separated, or a TSV manifest file",
    )
    parser.add_argument(
        "--budget",
        default=None,
        metavar="NAME|FILE.json",
        help="one search budget for every cell (default: as tune, standard or auto)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="benchmark folder")
    parser.add_argument(
        "--shard",
        default="1/1",
        metavar="I/N",
        help="run only shard I of N of the cells (default 1/1: all)",
    )
    add_negatives_arguments(parser)
    add_training_strand_argument(parser)
    parser.add_argument(
        "--data-dir", type=Path, metavar="DIR", help="TFDS data directory for TFDS names"
    )
    parser.add_argument(
        "--manual-dir",
        type=Path,
        metavar="DIR",
        help="raw files for clip_seq / chip_seq, e.g. ../shared/data/CLIP-seq",
    )
    parser.add_argument(
        "--published",
        type=input_file,
        metavar="FILE.tsv",
        help="other methods' test AUCs per experiment, set beside yours on the page (e.g. "
        "../shared/data/published/rbp31_test_auc.tsv)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_seed_argument(parser)
    command(parser, run, Output("out", "benchmark folder", FOLDER))


def run(args: argparse.Namespace) -> str:
    import kerasbind as kb

    summary = kb.run_benchmark(
        args.arch,
        args.datasets,
        args.out,
        budget=args.budget,
        seed=args.seed,
        shard=parse_shard(args.shard),
        negatives=args.negatives,
        neg_ratio=args.neg_ratio,
        strand=args.strand,
        data_dir=args.data_dir,
        manual_dir=args.manual_dir,
        published=args.published,
        progress=not args.quiet,
    )
    lines = [
        f"trained {len(summary.trained)} cell(s), skipped {summary.skipped} finished; "
        f"{len(summary.results)} result(s), {len(summary.failures)} failed, "
        f"{len(summary.pending)} not yet run; summary in {args.out / 'benchmark.html'}",
        *(
            f"failed: {r.dataset} × {r.architecture}: {r.error}"
            for r in summary.failures.itertuples()
        ),
        *(f"skipped: {label}: run by another process" for label in summary.elsewhere),
    ]
    if summary.failed:  # exit code 2, as for any error: the work asked for is not all done
        errors = {f"{r.dataset} × {r.architecture}": r.error for r in summary.failures.itertuples()}
        failed = "; ".join(
            f"{label}: {' '.join(str(errors.get(label, '')).split())[:400]}"
            for label in summary.failed
        )
        raise kb.KerasbindError(
            f"{len(summary.failed)} of {len(summary.failed) + len(summary.trained)} cell(s) run "
            f"failed ({failed}); see {args.out / 'failed.csv'} and {args.out / 'benchmark.html'}"
        )
    return "\n".join(lines)
