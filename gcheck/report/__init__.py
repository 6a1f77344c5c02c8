"""Output formats for ``gcheck validate`` and ``gcheck check``.

Each format is a module of this package, named as on the command line,
that exposes ``FORMATTER``: a subclass of :class:`gcheck.report.base.Formatter`.
Modules load on first use, so a format's dependencies (rich for ``text``)
cost nothing when another format is chosen.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from gcheck.findings import Finding

if TYPE_CHECKING:
    from gcheck.check import CheckResult
    from gcheck.report.base import Formatter

FORMATS = ("text", "json", "junit", "sarif", "github")


def use_color(stream: IO[str], color: bool | None = None) -> bool:
    """Decide once whether to colour: only on a terminal, never with NO_COLOR.

    An explicit ``color`` wins over the terminal test, but ``NO_COLOR``
    (any non-empty value) wins over both.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if color is not None:
        return color
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def table_console(stream: IO[str], width: int | None = None):
    """Return a rich ``Console`` for tables on ``stream``, colour decided once.

    ``width`` applies only off a terminal, where rich would otherwise
    assume 80 columns and fold long paths.  Markup and highlighting are
    off, so text from a config file is printed as it is.
    """
    from rich.console import Console

    color = use_color(stream)
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        width=None if color else width,
    )


def formatter(fmt: str, stream: IO[str], color: bool | None = None) -> Formatter:
    """Return the formatter named ``fmt``, writing to ``stream``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {FORMATS}")
    module = importlib.import_module(f"gcheck.report.{fmt}")
    return module.FORMATTER(stream, use_color(stream, color))


def render_validation(
    findings: Sequence[Finding],
    files: Sequence[str],
    fmt: str,
    stream: IO[str],
    color: bool | None = None,
) -> None:
    """Write the findings of validating ``files`` (the paths read) in ``fmt``."""
    formatter(fmt, stream, color).validation(findings, files)


def render_check(
    result: CheckResult, fmt: str, stream: IO[str], color: bool | None = None
) -> None:
    """Write a ``gcheck check`` result in ``fmt``."""
    formatter(fmt, stream, color).check(result)
