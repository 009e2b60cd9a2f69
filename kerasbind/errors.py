"""User-facing errors: each becomes one line on stderr and exit code 2."""

from __future__ import annotations

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
