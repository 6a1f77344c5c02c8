"""Errors that stop gcheck from doing its work (exit code 2).

Each error knows its subject (a path, a host, an option) and builds its
message from its fields; the CLI prints that one line on stderr.
"""

from __future__ import annotations


class GcheckError(Exception):
    """gcheck could not do its work; the message says what and why."""

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
