"""Terminal text: one line per finding, located as ``file:line:col``.

Editors and terminals turn ``path:line:col`` into a link to that spot.
rich styles the output; it is imported here only, when this format is
used, because importing it costs more than the rest of ``gcheck validate``.
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
    """Writes styled lines through rich, never wrapping or reading markup.

    Messages are written as plain text segments, so brackets in a value
    (``[SCHEDULER]``) are never taken as rich markup.
    """

    def __init__(self, stream: IO[str], color: bool) -> None:
        from rich.console import Console

        self.console = Console(
            file=stream,
            force_terminal=color,
            no_color=not color,
            color_system="auto" if color else None,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=True,
        )

    def line(self, *segments: str | tuple[str, str]) -> None:
        """Write one line of plain strings and ``(text, style)`` pairs."""
        from rich.text import Text

        text = Text()
        for segment in segments:
            if isinstance(segment, tuple):
                text.append(segment[0], style=segment[1])
            else:
                text.append(segment)
        self.console.print(text)

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


class TextFormatter(base.Formatter):
    """Human-readable report for a terminal or a log."""

    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        writer = Writer(self.stream, self.color)
        for finding in findings:
            writer.finding(finding)
        writer.line((base.validation_summary(findings, files), "bold"))

    def check(self, result: CheckResult) -> None:
        from gcheck.report.text_check import write_check

        write_check(Writer(self.stream, self.color), result)


FORMATTER = TextFormatter
