"""Arguments shared by several commands, and the one place they are turned into objects."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

FORMATS = ["auto", "tsv", "deepbind", "ionmf", "fasta", "bed"]
ARCHITECTURE_NAMES = [
    "deepbind",
    "deepbind_star",
    "dilated",
    "danq",
    "danq_star",
    "deepbind_e_star",
    "kegru",
    "eclstm",
    "ecblstm",
]
RNN_CHOICES = ["none", "lstm", "gru", "bilstm", "bigru"]


def add_input_format_arguments(parser: argparse.ArgumentParser) -> None:
    """``--format``, ``--genome``, ``--window`` and ``--seq-len`` for reading sequence files."""
    group = parser.add_argument_group("reading sequence files")
    group.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="input format; 'auto' detects it from the file's content (default)",
    )
    group.add_argument(
        "--genome",
        type=Path,
        metavar="FASTA",
        help="genome FASTA (indexed with pyfaidx) for --format bed",
    )
    group.add_argument(
        "--window",
        type=int,
        default=101,
        metavar="N",
        help="for BED / narrowPeak input: window length centred on the summit (default 101)",
    )


def add_negatives_arguments(group: argparse._ActionsContainer) -> None:
    """``--negatives none|shuffle`` and ``--neg-ratio`` (training data and `prepare`)."""
    group.add_argument(
        "--negatives",
        choices=["none", "shuffle"],
        default="none",
        help="'shuffle' adds dinucleotide-shuffled copies of the positives as negatives "
        "(for positive-only sets such as DeepBind's *_AC files)",
    )
    group.add_argument(
        "--neg-ratio",
        type=float,
        default=1.0,
        metavar="R",
        help="shuffled negatives per positive with --negatives shuffle (default 1)",
    )


def add_training_data_arguments(parser: argparse.ArgumentParser, *, with_test: bool = True) -> None:
    """``--train FILE | --dataset NAME``, ``--test``, negatives and sequence length."""
    group = parser.add_argument_group("training data")
    source = group.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--train",
        type=Path,
        metavar="FILE",
        help="labelled training sequences: TSV (sequence<TAB>label), DeepBind ChIP-seq, "
        "iONMF CLIP-seq FASTA, or BED + --genome; plain or gzip",
    )
    source.add_argument(
        "--dataset",
        metavar="NAME",
        help="a TFDS dataset instead of files, e.g. simulated_binding, "
        "clip_seq/23_PARCLIP_PUM2_hg19 or chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha "
        "(its 'test' split is used as the test set)",
    )
    if with_test:
        group.add_argument("--test", type=Path, metavar="FILE", help="labelled test sequences")
    add_negatives_arguments(group)
    group.add_argument(
        "--seq-len",
        type=int,
        metavar="N",
        help="fixed model input length: longer sequences are centre-trimmed, shorter ones "
        "padded with N (default: the longest training sequence)",
    )
    add_tfds_location_arguments(group)
    add_input_format_arguments(parser)


def add_tfds_location_arguments(group: argparse._ActionsContainer) -> None:
    """``--data-dir`` and ``--manual-dir``: where TFDS keeps and finds data for ``--dataset``."""
    group.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="TFDS data directory for --dataset (default: TFDS's, ~/tensorflow_datasets)",
    )
    group.add_argument(
        "--manual-dir",
        type=Path,
        metavar="DIR",
        help="folder with the raw files for --dataset clip_seq / chip_seq when they cannot "
        "be downloaded (e.g. ../shared/data/CLIP-seq)",
    )


def add_sequence_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--input FILE | --dataset NAME`` for commands that read one set of sequences (a TFDS
    dataset gives its ``test`` split), with the file-reading options."""
    group = parser.add_argument_group("sequences")
    source = group.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input", type=Path, metavar="FILE", help="sequence file (any format kerasbind reads)"
    )
    source.add_argument(
        "--dataset",
        metavar="NAME",
        help="a TFDS dataset instead of a file (its 'test' split), e.g. simulated_binding",
    )
    add_tfds_location_arguments(group)
    add_input_format_arguments(parser)


def add_seed_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="one seed for shuffles, splits, initialisation and search (default 0)",
    )


def add_architecture_arguments(parser: argparse.ArgumentParser) -> None:
    """``--arch`` and the free-composition flags that override its parts."""
    group = parser.add_argument_group(
        "architecture",
        "a named deepRAM architecture (Table 1), optionally changed part by part",
    )
    group.add_argument(
        "--arch",
        choices=ARCHITECTURE_NAMES,
        default="deepbind",
        help="named architecture (default deepbind)",
    )
    encoding = group.add_mutually_exclusive_group()
    encoding.add_argument(
        "--embedding",
        dest="embedding",
        action="store_true",
        default=None,
        help="k-mer word2vec embedding input (k=3, stride 1, 50 dimensions)",
    )
    encoding.add_argument("--onehot", dest="embedding", action="store_false", help="one-hot input")
    group.add_argument(
        "--conv-layers", type=int, metavar="N", help="convolution modules (0 = none)"
    )
    group.add_argument(
        "--dilation", type=int, metavar="D", help="dilation of convolution layers after the first"
    )
    group.add_argument("--rnn", choices=RNN_CHOICES, help="recurrent module type")
    group.add_argument("--rnn-layers", type=int, metavar="N", help="recurrent layers")
    group.add_argument(
        "--freeze-embedding",
        action="store_true",
        help="keep the word2vec vectors fixed during training (trainable by default)",
    )
    group.add_argument(
        "--word2vec",
        type=Path,
        metavar="PATH",
        help="reuse a saved gensim word2vec model instead of training one",
    )


def architecture_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The free-composition flags the user actually gave, as architecture fields."""
    overrides = {
        "embedding": args.embedding,
        "conv_layers": args.conv_layers,
        "dilation": args.dilation,
        "rnn": None if args.rnn == "none" else args.rnn,
        "rnn_layers": args.rnn_layers,
    }
    if args.rnn is None:
        del overrides["rnn"]
    return {key: value for key, value in overrides.items() if key == "rnn" or value is not None}


def write_prediction_table(
    output: Path, ids: list[str], sequences: list[str], probability: Any
) -> None:
    """``id  sequence  probability`` TSV (``-`` = standard output), as ``kerasbind predict``
    writes it; a file is written atomically."""
    import sys

    import pandas as pd

    from kerasbind.files import write_atomic

    table = pd.DataFrame({"id": ids, "sequence": sequences, "probability": probability})
    if str(output) == "-":
        table.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6f")
        return
    write_atomic(output, lambda tmp: table.to_csv(tmp, sep="\t", index=False, float_format="%.6f"))
    print(f"{len(table)} predictions written to {output}")
