"""The study scripts' command lines: ``-h``/``--help`` (or nothing) prints the script's usage,
and an unknown ``--option`` is refused, never taken for an output file."""

from __future__ import annotations

import sys


def study_arguments(usage: str | None, options: set[str]) -> list[str]:
    """``sys.argv[1:]``, or exit: usage for ``-h``/``--help`` or no arguments (status 0 and 2),
    a one-line error for an option not in ``options`` (status 2)."""
    arguments = sys.argv[1:]
    if not arguments or arguments[0] in ("-h", "--help"):
        print(usage or "")
        sys.exit(0 if arguments else 2)
    unknown = [a for a in arguments if a.startswith("-") and a not in options]
    if unknown:
        print(f"{sys.argv[0]}: unknown option {unknown[0]} (see --help)", file=sys.stderr)
        sys.exit(2)
    return arguments
