"""Terminal text: one line per finding, located as ``file:line:col``.

Editors and terminals turn ``path:line:col`` into a link to that spot.
rich styles the output, and is imported only when colour is on, because
importing it costs more than the rest of ``gcheck validate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from gcheck.findings import Finding, Severity
from gcheck.report import base

if TYPE_CHECKING:
    from gcheck.check import CheckResult

STYLES = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}


class Writer:
    """Writes lines of plain strings and ``(text, style)`` pairs, unstyled.

    Without colour the styles are dropped and nothing from rich is
    imported, which keeps ``gcheck validate`` in CI fast.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def line(self, *segments: str | tuple[str, str]) -> None:
        """Write one line; styles are ignored."""
        parts = [s[0] if isinstance(s, tuple) else s for s in segments]
        base.write_all(self.stream, "".join(parts) + "\n")

    def finding(self, finding: Finding, indent: str = "") -> None:
        """Write a finding as ``location: severity CODE message`` and its hint."""
        location = finding.location()
        prefix = (f"{indent}{location}: ",) if location else (indent,)
        severity = finding.severity
        self.line(
            *prefix,
            (severity.label, STYLES[severity]),
            " ",
            (finding.code, "bold"),
            " ",
            finding.message,
        )
        if finding.hint:
            self.line(indent, ("  hint: ", "dim"), finding.hint)


class RichWriter(Writer):
    """Writes styled lines through rich, never wrapping or reading markup.

    Messages are written as plain text segments, so brackets in a value
    (``[SCHEDULER]``) are never taken as rich markup.
    """

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        from rich.console import Console

        self.console = Console(
            file=stream,
            force_terminal=True,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=True,
        )

    def line(self, *segments: str | tuple[str, str]) -> None:
        """Write one line, styling the ``(text, style)`` pairs."""
        from rich.text import Text

        text = Text()
        for segment in segments:
            if isinstance(segment, tuple):
                text.append(segment[0], style=segment[1])
            else:
                text.append(segment)
        self.console.print(text)


def writer(stream: IO[str], color: bool) -> Writer:
    """Return the writer for ``stream``: styled only when colour is on."""
    return RichWriter(stream) if color else Writer(stream)


class TextFormatter(base.Formatter):
    """Human-readable report for a terminal or a log."""

    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        out = writer(self.stream, self.color)
        for finding in findings:
            out.finding(finding)
        out.line((base.validation_summary(findings, files), "bold"))

    def check(self, result: CheckResult) -> None:
        from gcheck.report.text_check import write_check

        write_check(writer(self.stream, self.color), result)


FORMATTER = TextFormatter
