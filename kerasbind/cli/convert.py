"""``kerasbind convert``: an older run folder's pickled word2vec → vectors stored without pickle."""

from __future__ import annotations

import argparse

import kerasbind as kb
from kerasbind.cli.common import command, input_folder

DESCRIPTION = """\
Run folders written by kerasbind before 0.2 keep their word2vec as word2vec.model, a gensim
pickle. Loading a pickle can run any code its author put in it, and run folders are shared,
so kerasbind refuses such folders. If you trust where the folder came from, this command reads
the pickle once and stores the vectors as word2vec.npy (plain float32 rows, read without
pickle) and word2vec.vocab.json, then removes word2vec.model. Nothing else changes."""

EPILOG = """\
examples:
  kerasbind convert runs/old_ecblstm --trust
  python: kb.load_run("runs/old_ecblstm", trust=True).save("runs/old_ecblstm")
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="store an older run folder's pickled word2vec without pickle (needs --trust)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=input_folder, metavar="RUN_DIR", help="run folder")
    parser.add_argument(
        "--trust",
        action="store_true",
        help="I trust this folder's origin: read its pickle once (required)",
    )
    command(parser, run)


def run(args: argparse.Namespace) -> str:
    if not args.trust:
        raise kb.KerasbindError(
            f"{args.run_dir}: converting reads a pickle, which can run code; add --trust "
            "only if you trust where this folder came from"
        )
    kb.load_run(args.run_dir, trust=True).save(args.run_dir)
    return f"{args.run_dir}: word vectors stored as word2vec.npy and word2vec.vocab.json"
