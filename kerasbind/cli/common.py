"""What every command shares: its outputs checked before the work (`command`, `Output`,
`check_outputs`), the shared options and their checked types, and the one place they are
turned into `kerasbind` API arguments. Commands import only `kerasbind` and this module."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kerasbind as kb

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


def parse_shard(text: str) -> tuple[int, int]:
    """``--shard I/N`` with 1 <= I <= N (a shard of the benchmark's cells)."""
    index, slash, count = text.partition("/")
    if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise kb.KerasbindError(f"--shard {text}: expected I/N with 1 <= I <= N, e.g. 2/8")
    return int(index), int(count)


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


def add_strand_arguments(parser: argparse.ArgumentParser, *, stride: bool = True) -> None:
    """``--strand``, ``--combine`` and (``stride``) ``--stride``: the length and strand rules of
    `predict`, `scan` and `variants` (docs/scanning.md)."""
    group = parser.add_argument_group("windows and strands")
    if stride:
        group.add_argument(
            "--stride",
            type=positive_int,
            default=1,
            metavar="N",
            help="a window every N letters along sequences longer than the model (default 1)",
        )
    group.add_argument(
        "--strand",
        choices=kb.STRANDS,
        default="auto",
        help="score the reverse complement too: auto = for runs trained on DNA (default)",
    )
    group.add_argument(
        "--combine",
        choices=("max", "mean"),
        default="max",
        help="a window's score from its two strands: the larger (default) or the mean",
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


def add_training_strand_argument(group: argparse._ActionsContainer) -> None:
    """``--strand``: which strands a run learns from and is tested on (train, tune, benchmark)."""
    group.add_argument(
        "--strand",
        choices=kb.STRANDS,
        default="auto",
        help="auto (default): a DNA run learns from every sequence and its reverse complement "
        "and is validated, cross-validated and tested on both strands (the larger score, as "
        "predict and scan score it); an RNA run on the given strand. forward: the given strand "
        "only, deepRAM's protocol",
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
    add_training_strand_argument(group)
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


def add_architecture_arguments(
    parser: argparse.ArgumentParser, also: tuple[str, ...] = (), help_extra: str = ""
) -> None:
    """``--arch`` (a named architecture, or one of ``also``) and the free-composition flags
    that override its parts."""
    group = parser.add_argument_group(
        "architecture",
        "a named deepRAM architecture (Table 1), optionally changed part by part",
    )
    group.add_argument(
        "--arch",
        choices=[*kb.ARCHITECTURES, *also],
        default="deepbind",
        help=f"named architecture (default deepbind){help_extra}",
    )
    encoding = group.add_mutually_exclusive_group()
    encoding.add_argument(
        "--embedding",
        dest="embedding",
        action="store_true",
        default=None,
        help="k-mer word2vec embedding input (k=3, stride 1, 50 dimensions)",
    )
    encoding.add_argument(
        "--onehot", dest="embedding", action="store_false", default=None, help="one-hot input"
    )
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
    return kb.architecture(args.arch, **given)


def reading(args: argparse.Namespace) -> dict[str, Any]:
    """`kerasbind.read_sequences` keyword arguments from ``--format``, ``--genome``,
    ``--window``, ``--strict``."""
    return {"fmt": args.format, "genome": args.genome, "window": args.window, "strict": args.strict}


def training_data(args: argparse.Namespace) -> tuple[Any, Any]:
    """``(train, test)`` named by `add_training_data_arguments`: sets read from ``--train`` /
    ``--test`` files, or ``--dataset NAME``'s train split and (unless ``--test`` is given) its
    test split; the library adds negatives and checks them."""
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
    if getattr(args, "dataset", None):
        return kb.read_dataset(
            args.dataset, "test", data_dir=args.data_dir, manual_dir=args.manual_dir
        )
    return kb.read_sequences(args.input, **reading(args))


def check_output_file(path: Path) -> None:
    """Refuse an output file whose folder is missing or cannot be written, before the work
    starts (output files go into existing folders; only output folders are created)."""
    from kerasbind.files import check_writable

    if str(path) == "-":
        return
    if path.is_dir():
        raise kb.KerasbindError(f"{path}: is a folder; give a file name")
    if not path.parent.exists():
        raise kb.KerasbindError(
            f"{path}: no folder {path.parent} to write it in (create it first; kerasbind "
            "creates output folders, not the folders of output files)"
        )
    check_writable(path.parent, "output file")


# ---------------------------------------------------------------- the shared preamble

NEW_FOLDER = "new folder"  # refused when it exists unless --overwrite, then replaced whole
FOLDER = "folder"  # created if needed and written into (a search that resumes, a model base)
FILE = "file"  # a file in a writable folder, or '-' for standard output


@dataclass(frozen=True)
class Output:
    """Something a command writes, named by the argument ``dest`` (``default(args)`` when the
    user gave none), checked by `check_outputs` before any work."""

    dest: str
    what: str
    kind: str = NEW_FOLDER
    default: Callable[[argparse.Namespace], Path] | None = None


def command(
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], str | int | None],
    *outputs: Output,
) -> None:
    """Make ``run`` the command of ``parser``. `kerasbind.cli.main` parses, checks ``outputs``
    (`check_outputs`), calls ``run(args)`` and prints the summary it returns. A command that
    writes a new folder gets ``--overwrite``."""
    if any(output.kind == NEW_FOLDER for output in outputs):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace an existing output folder whole (without it, one is refused)",
        )
    parser.set_defaults(run=run, outputs=outputs)


def add_run_argument(
    parser: argparse.ArgumentParser, what: str = "folder made by train/tune"
) -> None:
    """``RUN_DIR`` or ``--preset NAME`` (a ready-trained model, docs/presets.md); `check_outputs`
    settles ``args.run_dir`` from either before the work."""
    parser.add_argument(
        "run_dir", nargs="?", type=input_folder, metavar="RUN_DIR", help=f"{what} (or --preset)"
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="a ready-trained model instead of RUN_DIR, e.g. PUM2 or chip/USF1_H1-hESC "
        "('kerasbind presets list' names them)",
    )
    parser.set_defaults(run_or_preset=True)


def resolve_run_folder(args: argparse.Namespace) -> None:
    """``args.run_dir`` from ``--preset NAME`` (its verified copy in the cache), for commands
    that take `add_run_argument`; exactly one of the two must be given."""
    if not getattr(args, "run_or_preset", False):
        return
    if (args.run_dir is None) == (args.preset is None):
        both = args.preset is not None
        raise kb.KerasbindError(
            "give RUN_DIR or --preset NAME, not both"
            if both
            else "give a run folder (RUN_DIR) "
            "or --preset NAME (a ready-trained model: 'kerasbind presets list')"
        )
    if args.preset is not None:
        args.run_dir = kb.preset_folder(args.preset)


def check_outputs(args: argparse.Namespace) -> None:
    """Check every declared output of the command before the work (and before TensorFlow);
    the run folder (RUN_DIR or a preset's) is settled first, as outputs may default into it."""
    from kerasbind.files import check_new_folder, check_writable

    resolve_run_folder(args)
    for output in getattr(args, "outputs", ()):
        path = getattr(args, output.dest)
        if path is None and output.default is not None:
            path = output.default(args)
            setattr(args, output.dest, path)
        if path is None:
            continue
        if output.kind == FILE:
            check_output_file(path)
        elif output.kind == NEW_FOLDER:
            check_new_folder(path, args.overwrite, output.what)
        else:
            check_writable(path, output.what)


# ---------------------------------------------------------------- --export after train / tune


def add_serving_config_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--serving-config",
        action="store_true",
        help="also write BASE/models.config listing every model under BASE (for "
        "tensorflow_model_server --model_config_file)",
    )


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """``--export BASE``, ``--export-name`` and ``--serving-config`` for ``train`` and ``tune``."""
    group = parser.add_argument_group("export (see 'kerasbind export --help')")
    group.add_argument(
        "--export",
        type=Path,
        metavar="BASE",
        help="when done, export the run as BASE/NAME/VERSION for TF Serving",
    )
    group.add_argument(
        "--export-name",
        metavar="NAME",
        help="model name for --export (default: the run folder's name)",
    )
    add_serving_config_argument(group)


export_output = Output("export", "export base folder", FOLDER)


def export_after_run(args: argparse.Namespace, trained: Any) -> str:
    """Export a finished run when ``--export`` was given; the lines saying so (or "")."""
    if args.export is None:
        return ""
    done = trained.export(args.export, name=args.export_name, serving_config=args.serving_config)
    return "\n" + describe_export(done)


def describe_export(done: Any) -> str:
    lines = [f"exported {done.name} version {done.version} to {done.path}"]
    if done.models_config is not None:
        lines.append(f"wrote {done.models_config}")
    return "\n".join(lines)


# ---------------------------------------------------------------- repeating a run

# the settings `--like RUN` takes from the run: its architecture and options
ARCHITECTURE_DESTS = ("arch", "embedding", "conv_layers", "dilation", "rnn", "rnn_layers")
DATA_OPTION_DESTS = (
    "seq_len", "word2vec", "freeze_embedding", "negatives", "neg_ratio", "strand", "seed",
)  # fmt: skip


def add_like_argument(parser: argparse.ArgumentParser, command_name: str) -> None:
    parser.add_argument(
        "--like",
        type=input_folder,
        metavar="RUN_DIR",
        help=f"repeat RUN_DIR's {command_name}: its architecture, hyper-parameters and every "
        "option, on the data given here (flags that set them are then refused)",
    )


def like(args: argparse.Namespace, made_by: str) -> tuple[Any, Any] | None:
    """``(architecture, options)`` of ``--like RUN`` (``None`` without it), a run ``made_by``
    the command (``train`` or ``tune``); a flag that would change them is an error, so a
    repeated run is what it says."""
    if args.like is None:
        return None
    defaults = args.option_defaults
    given = [dest for dest in defaults if getattr(args, dest) != defaults[dest]]
    if given:
        flags = ", ".join("--" + dest.replace("_", "-") for dest in given)
        raise kb.KerasbindError(f"--like takes every setting from {args.like}; drop {flags}")
    earlier = kb.load_run(args.like)
    made = "tune" if isinstance(earlier.options, kb.TuneOptions) else "train"
    if made != made_by:
        raise kb.KerasbindError(
            f"{args.like} was made by {made}; repeat it with 'kerasbind {made} --like {args.like}'"
        )
    return earlier.architecture, earlier.options


def data_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments `kb.train` and `kb.tune` share, from the command line."""
    return {dest: getattr(args, dest) for dest in DATA_OPTION_DESTS}


def remember_defaults(parser: argparse.ArgumentParser, option_dests: tuple[str, ...]) -> None:
    """Keep the defaults of every setting `like` takes from a run, to see which were given."""
    dests = ARCHITECTURE_DESTS + DATA_OPTION_DESTS + option_dests
    parser.set_defaults(option_defaults={dest: parser.get_default(dest) for dest in dests})


def write_prediction_table(
    output: Path, ids: list[str], sequences: list[str], probability: Any, **columns: Any
) -> None:
    """``id  sequence  probability`` TSV and any further ``columns`` (``-`` = standard output),
    as ``kerasbind predict`` writes it; a file is written atomically."""
    import pandas as pd

    table = pd.DataFrame({"id": ids, "sequence": sequences, "probability": probability, **columns})
    write_tsv_output(output, table)
    print(f"{len(table)} predictions written to {output}")


def write_tsv_output(output: Path, table: Any) -> None:
    """A DataFrame as TSV to ``output`` (atomically) or standard output (``-``)."""
    import sys

    from kerasbind.files import write_atomic

    if str(output) == "-":
        table.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6f")
        return
    write_atomic(output, lambda tmp: table.to_csv(tmp, sep="\t", index=False, float_format="%.6f"))
