"""User-facing errors: each becomes one line on stderr and exit code 2."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike


class KerasbindError(Exception):
    """A problem with the user's input or request, reported without a traceback."""


class InputError(KerasbindError):
    """A problem at a known place in an input file."""

    def __init__(self, path: str | PathLike[str], line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'train'?"`` for the choice closest to a mistyped ``word``, else ``""``."""
    from difflib import get_close_matches

    close = get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
