"""``kerasbind presets``: the library of ready-trained models: list, show a card, build one."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    Output,
    add_tfds_location_arguments,
    command,
    input_file,
    input_folder,
)

EPILOG = """\
A preset is a run trained by kerasbind's comparison benchmark, ready to use: give
'--preset NAME' instead of a run folder to predict, scan, variants, explain, motifs, export,
attribute, evaluate and report, or load it in Python with kb.load_preset(NAME). Names:
'clip/23_PARCLIP_PUM2_hg19' (also 'clip/23_PARCLIP_PUM2' and 'PUM2'),
'chip/USF1_H1-hESC_USF-1_HudsonAlpha' (also 'chip/USF1_H1-hESC' and 'USF1'); case does not
matter. Archives are checked against the SHA-256 in the index before use and unpacked into
$KERASBIND_CACHE (default ~/.cache/kerasbind). $KERASBIND_PRESETS names another library
folder (one made by 'presets build').

'presets build' makes a library from a 'kerasbind benchmark' folder: per dataset the
architecture with the best cross-validation AUC (never the test AUC), weights as float16 when
that moves the test AUC by less than 0.001 (else float32), a model card per preset (cards/NAME.md
and .json, with the logo of the top motif the run's default motif method finds in the test set's
positives, matched by TOMTOM against --rna-motifs for CLIP-seq, --dna-motifs otherwise) and
index.json (with the cells and, given --plan, the planned datasets it covers). Only finished
cells are read; nothing is written into the benchmark. See docs/presets.md.

examples:
  kerasbind presets list
  kerasbind presets show PUM2
  kerasbind predict --preset PUM2 --input utrs.fa --output pum2.tsv
  kerasbind presets build bench/ --out presets/ \\
      --published ../shared/data/published/rbp31_test_auc.tsv \\
      --plan bench/manifest.tsv --rna-motifs ../shared/data/motifs/Ray2013_rbp_RNA.meme
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "presets",
        help="ready-trained models: list them, show a model card, build a library",
        description="The preset library: trained models you can use without training.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every preset, its protein and test AUC")
    _library_argument(listing)
    command(listing, run_list)
    show = actions.add_parser("show", help="a preset's model card (Markdown)")
    show.add_argument("name", metavar="NAME", help="preset name or alias, e.g. PUM2")
    _library_argument(show)
    command(show, run_show)
    build = actions.add_parser(
        "build",
        help="a preset library from a 'kerasbind benchmark' folder",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("benchmark", type=input_folder, metavar="BENCHMARK_DIR")
    build.add_argument(
        "--out", type=Path, metavar="DIR", help="library folder (default BENCHMARK_DIR/presets)"
    )
    build.add_argument(
        "--url",
        metavar="BASE",
        help="base URL the archives will be published under (recorded in index.json; without "
        "it they are read from the library folder)",
    )
    build.add_argument(
        "--published",
        type=input_file,
        metavar="TSV",
        help="other methods' test AUCs per experiment, shown on the cards",
    )
    build.add_argument(
        "--plan",
        action="append",
        default=[],
        metavar="SPEC",
        help="the benchmark's --datasets (a manifest or TFDS names; repeatable): the index "
        "then says which planned datasets have no preset yet",
    )
    build.add_argument(
        "--dna-motifs",
        default="jaspar",
        metavar="jaspar|PATH.meme",
        help="known motifs the top motif of a ChIP-seq (or other) preset is matched against "
        "(default jaspar: JASPAR CORE, offline)",
    )
    build.add_argument(
        "--rna-motifs",
        type=input_file,
        metavar="PATH.meme",
        help="known RNA motifs for CLIP-seq presets, e.g. CISBP-RNA "
        "(../shared/data/motifs/Ray2013_rbp_RNA.meme; default: as --dna-motifs)",
    )
    add_tfds_location_arguments(build)
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    command(build, run_build, Output("out", "preset library", default=_default_library))


def _default_library(args: argparse.Namespace) -> Path:
    return args.benchmark / "presets"


def _library_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--library",
        type=input_folder,
        metavar="DIR",
        help="a library folder (default: $KERASBIND_PRESETS, else the one shipped)",
    )


LIST_NAME_WIDTH = 50  # `presets list` cuts longer names (the short name column finds them)


def run_list(args: argparse.Namespace) -> str:
    presets = kb.list_presets(args.library)
    if not presets:
        return "no presets in this library yet (docs/presets.md says how they are built)"
    rows = [("name", "short name", "architecture", "test AUC")]
    for preset in presets:
        card = preset.card
        auc = card.get("auc", {}).get("test")
        shown = f"{auc:.4f}" if isinstance(auc, float) else "?"
        also = min(preset.aliases, key=len, default="")  # the shortest name that finds it
        name = preset.name
        if len(name) > LIST_NAME_WIDTH:  # some CLIP-seq set names run to 130 characters
            name = name[: LIST_NAME_WIDTH - 1] + "…"
        rows.append((name, also, str(card.get("architecture", "?")), shown))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [
        f"{name:{widths[0]}}  {also:{widths[1]}}  {arch:{widths[2]}}  {auc:>8}"
        for name, also, arch, auc in rows
    ]
    if any(len(preset.name) > LIST_NAME_WIDTH for preset in presets):
        lines.append("(long names cut short: the short name finds the preset too)")
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> str:
    preset = kb.find_preset(args.name, args.library)
    if not preset.card_file.is_file():
        raise kb.KerasbindError(f"{preset.card_file}: preset {preset.name} has no card there")
    return preset.card_file.read_text(encoding="utf-8").rstrip()


def run_build(args: argparse.Namespace) -> str:
    presets = kb.build_presets(
        args.benchmark, args.out, url=args.url, published=args.published, plan=args.plan,
        dna_motifs=args.dna_motifs, rna_motifs=args.rna_motifs, data_dir=args.data_dir,
        manual_dir=args.manual_dir, overwrite=args.overwrite, progress=not args.quiet,
    )  # fmt: skip
    size = sum(preset.size for preset in presets)
    within = "within" if size <= kb.PRESET_LIBRARY_LIMIT else "OVER"
    return (
        f"{len(presets)} presets from {args.benchmark} written to {args.out} "
        f"({size / 2**20:.2f} MiB, {within} the {kb.PRESET_LIBRARY_LIMIT / 2**20:.0f} MiB limit)"
    )
