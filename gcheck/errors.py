"""Errors that stop gcheck from doing its work (exit code 2).

Each error stores its subject (a path, a host, an option) and builds its
message from its fields.  The CLI prints that message as one line on
stderr.
"""

from __future__ import annotations


class GcheckError(Exception):
    """An error that stops gcheck; its message states what failed and why."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(GcheckError):
    """A file or argument gcheck was given cannot be used."""

    def __init__(self, path: str, problem: str, hint: str = "") -> None:
        super().__init__(f"{path}: {problem}", hint)
        self.path = path
        self.problem = problem
