"""The `kerasbind` command: argument parsing, output checks, exit codes — nothing else.

Each sub-command lives in its own module here and exposes ``register(subparsers)``, which adds
its parser and declares its ``run(args)`` and outputs with `kerasbind.cli.common.command`.
`main` parses, checks the outputs before any work, calls ``run`` and prints the summary it
returns. The work is done by the public API (``import kerasbind as kb``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from kerasbind import __version__
from kerasbind.cli.common import check_outputs
from kerasbind.errors import KerasbindError, did_you_mean
from kerasbind.files import describe_os_error

# order in `kerasbind --help`; modules not named here follow alphabetically
COMMAND_ORDER = [
    "prepare",
    "train",
    "tune",
    "benchmark",
    "evaluate",
    "predict",
    "scan",
    "variants",
    "export",
    "client",
    "motifs",
    "explain",
    "attribute",
    "report",
    "convert",
]
_NOT_COMMANDS = {"common"}

DESCRIPTION = """\
kerasbind learns where a protein binds DNA or RNA from sequence (ChIP-seq, CLIP-seq),
with deepRAM's nine architectures and its automatic model selection, then exports the
chosen model for TF Serving and shows the motifs it learned.

typical session:
  kerasbind prepare --input peaks_AC.seq.gz --negatives shuffle --output train.tsv.gz
  kerasbind tune --arch dilated --train train.tsv.gz --test test.tsv.gz --out runs/dilated
  kerasbind motifs runs/dilated --input test.tsv.gz --db jaspar --out runs/dilated/motifs
  kerasbind export runs/dilated --out models/ --serving-config
"""


def _command_modules() -> list[str]:
    import kerasbind.cli as package

    found = {m.name for m in pkgutil.iter_modules(package.__path__)} - _NOT_COMMANDS
    ordered = [name for name in COMMAND_ORDER if name in found]
    return ordered + sorted(found - set(ordered))


class _Parser(argparse.ArgumentParser):
    """A parser whose mistakes are one line on stderr (exit code 2), pointing at ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_suggesting(message)} (see '{self.prog} --help')\n")


def _suggesting(message: str) -> str:
    """argparse's "invalid choice: 'trian' (choose from ...)" with the closest choice named."""
    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not found:
        return message
    hint = did_you_mean(found[1], re.findall(r"'([^']*)'", found[2]))
    return message[: found.start(1) + len(found[1]) + 1] + hint + message[found.end(1) + 1 :]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kerasbind",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kerasbind {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(f"kerasbind.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    shown, warnings.showwarning = warnings.showwarning, _one_line_warnings(args.command)
    from kerasbind.run.description import command_line

    try:
        check_outputs(args)
        with command_line(sys.argv[1:] if argv is None else argv):
            result = args.run(args)
        if isinstance(result, str):
            print(result)
            return 0
        return int(result or 0)
    except KerasbindError as error:
        print(f"kerasbind {args.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # an unusable output location, a full disk
        print(f"kerasbind {args.command}: error: {describe_os_error(error)}", file=sys.stderr)
        return 2
    except Exception as error:
        if not _is_tensorflow_io_error(error):
            raise
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"kerasbind {args.command}: error: {first_line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kerasbind {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = shown


def _one_line_warnings(command: str) -> Callable[..., None]:
    """Show a warning as ``kerasbind COMMAND: warning: MESSAGE`` (e.g. a duplicate id)."""

    def show(message: Warning | str, *_: Any, file: TextIO | None = None, **__: Any) -> None:
        print(f"kerasbind {command}: warning: {message}", file=file or sys.stderr)

    return show


def _is_tensorflow_io_error(error: Exception) -> bool:
    """TensorFlow's own file-system failures (e.g. ``ResourceExhaustedError`` on a full disk
    while writing a SavedModel), which are not `OSError`s."""
    if "tensorflow" not in sys.modules:
        return False
    errors = sys.modules["tensorflow"].errors
    return isinstance(
        error, errors.ResourceExhaustedError | errors.PermissionDeniedError | errors.NotFoundError
    )
