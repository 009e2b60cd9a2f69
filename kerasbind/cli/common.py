"""Arguments shared by several commands, and the one place they are turned into objects."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

from kerasbind.models.specs import ARCHITECTURES

FORMATS = ["auto", "tsv", "deepbind", "ionmf", "fasta", "bed"]
RNN_CHOICES = ["none", "lstm", "gru", "bilstm", "bigru"]


# ---------------------------------------------------------------- checked option types
# argparse reports a bad value in one line before any heavy module is imported


def input_file(text: str) -> Path:
    """An existing, readable file (not a folder)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder, not a file")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text}: not readable")
    return path


def input_folder(text: str) -> Path:
    """An existing folder."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text}: {'not a folder' if path.exists() else 'no such folder'}"
        )
    return path


def positive_int(text: str) -> int:
    """A whole number >= 1."""
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    """A whole number >= 0."""
    return _whole_number(text, 0)


def _whole_number(text: str, smallest: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < smallest:
        raise argparse.ArgumentTypeError(f"must be at least {smallest}, not {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, not {text!r}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), not {text!r}")
    return value


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
        type=input_file,
        metavar="FASTA",
        help="genome FASTA (indexed with pyfaidx) for --format bed",
    )
    group.add_argument(
        "--window",
        type=positive_int,
        default=101,
        metavar="N",
        help="for BED / narrowPeak input: window length centred on the summit (default 101)",
    )
    group.add_argument(
        "--strict",
        action="store_true",
        help="an id that occurs twice is an error (default: a warning)",
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
        type=positive_float,
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
        type=input_file,
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
        group.add_argument(
            "--test", type=input_file, metavar="FILE", help="labelled test sequences"
        )
    add_negatives_arguments(group)
    group.add_argument(
        "--seq-len",
        type=positive_int,
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
        "--input",
        type=input_file,
        metavar="FILE",
        help="sequence file (any format kerasbind reads)",
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
        choices=list(ARCHITECTURES),
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
        "--conv-layers", type=non_negative_int, metavar="N", help="convolution modules (0 = none)"
    )
    group.add_argument(
        "--dilation",
        type=positive_int,
        metavar="D",
        help="dilation of convolution layers after the first",
    )
    group.add_argument("--rnn", choices=RNN_CHOICES, help="recurrent module type")
    group.add_argument("--rnn-layers", type=positive_int, metavar="N", help="recurrent layers")
    group.add_argument(
        "--freeze-embedding",
        action="store_true",
        help="keep the word2vec vectors fixed during training (trainable by default)",
    )
    group.add_argument(
        "--word2vec",
        type=input_file,
        metavar="PATH",
        help="reuse a saved gensim word2vec model instead of training one",
    )


def architecture(args: argparse.Namespace) -> Any:
    """``--arch``: its name, or its spec with the free-composition flags the user gave (which
    needs the model registry, and so Keras, now)."""
    overrides = {
        "embedding": args.embedding,
        "conv_layers": args.conv_layers,
        "dilation": args.dilation,
        "rnn": None if args.rnn == "none" else args.rnn,
        "rnn_layers": args.rnn_layers,
    }
    if args.rnn is None:
        del overrides["rnn"]
    given = {key: value for key, value in overrides.items() if key == "rnn" or value is not None}
    if not given:
        return args.arch
    from kerasbind.runtime import quiet_tensorflow

    quiet_tensorflow()
    from kerasbind.models import resolve_architecture

    return resolve_architecture(args.arch, **given)


def reading(args: argparse.Namespace) -> dict[str, Any]:
    """`kerasbind.read_sequences` keyword arguments from ``--format``, ``--genome``,
    ``--window``, ``--strict``."""
    return {"fmt": args.format, "genome": args.genome, "window": args.window, "strict": args.strict}


def training_data(args: argparse.Namespace) -> tuple[Any, Any]:
    """``(train, test)`` named by `add_training_data_arguments`: sets read from ``--train`` /
    ``--test`` files, or ``--dataset NAME``'s train split and (unless ``--test`` is given) its
    test split; the library adds negatives and checks them."""
    import kerasbind as kb

    if args.dataset:
        where = {"data_dir": args.data_dir, "manual_dir": args.manual_dir}
        train = kb.read_dataset(args.dataset, "train", **where)
        test = kb.read_dataset(args.dataset, "test", **where) if args.test is None else None
    else:
        train, test = kb.read_sequences(args.train, **reading(args)), None
    if args.test is not None:
        test = kb.read_sequences(args.test, **reading(args))
    return train, test


def input_set(args: argparse.Namespace) -> Any:
    """The one set named by `add_sequence_input_arguments`: ``--input FILE`` as read, or the
    ``test`` split of ``--dataset NAME``."""
    import kerasbind as kb

    if getattr(args, "dataset", None):
        return kb.read_dataset(
            args.dataset, "test", data_dir=args.data_dir, manual_dir=args.manual_dir
        )
    return kb.read_sequences(args.input, **reading(args))


def check_output_file(path: Path) -> None:
    """Refuse an output file whose folder cannot be written, before the work starts."""
    from kerasbind.files import check_writable

    if str(path) == "-":
        return
    if path.is_dir():
        from kerasbind.errors import KerasbindError

        raise KerasbindError(f"{path}: is a folder; give a file name")
    check_writable(path.parent, "output file")


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
