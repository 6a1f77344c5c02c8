"""GitHub Actions workflow commands: one annotation per finding.

``::error file=PATH,line=N,col=N,title=CODE::MESSAGE`` makes GitHub show
the message on that line of the pull request.  Info findings become
``notice`` annotations.  The runner reads ``%``, CR and LF as escapes in
the message, and also ``:`` and ``,`` in property values, so those are
percent-encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gcheck.findings import Finding, Severity
from gcheck.report import base

if TYPE_CHECKING:
    from gcheck.check import CheckResult

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a message the way the Actions runner decodes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``) for the runner."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """Return the workflow command that annotates ``finding``."""
    properties = []
    message = finding.message
    if finding.host is not None:
        # A host's file is not in the repository: name the host instead.
        message = f"{finding.host}: {message}"
    elif finding.path is not None:
        properties.append(f"file={escape_property(finding.path)}")
        if finding.line is not None:
            properties.append(f"line={finding.line}")
            if finding.col is not None:
                properties.append(f"col={finding.col}")
    properties.append(f"title={escape_property(finding.code)}")
    if finding.hint:
        message = f"{message}\nhint: {finding.hint}"
    command = COMMANDS[finding.severity]
    return f"::{command} {','.join(properties)}::{escape_data(message)}"


class GithubFormatter(base.Formatter):
    """Annotations for GitHub Actions, then one plain summary line."""

    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        for finding in findings:
            base.write_all(self.stream, annotation(finding) + "\n")
        base.write_all(self.stream, base.validation_summary(findings, files) + "\n")

    def check(self, result: CheckResult) -> None:
        for finding in result.findings():
            base.write_all(self.stream, annotation(finding) + "\n")
        base.write_all(self.stream, f"{base.counts_text(result.findings())}\n")
        base.write_all(self.stream, f"{result.verdict.sentence}\n")


FORMATTER = GithubFormatter
