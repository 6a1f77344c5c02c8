"""JSON: one document per run, described in docs/json-format.rst.

``format_version`` changes only when a field is removed or changes
meaning; new fields may appear within a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gcheck import __version__
from gcheck.findings import Finding
from gcheck.report import base

if TYPE_CHECKING:
    from gcheck.check import CheckResult

FORMAT_VERSION = 1


def header(command: str) -> dict:
    """Return the fields every document starts with."""
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "gcheck", "version": __version__},
        "command": command,
    }


def validation_document(findings: Sequence[Finding], files: Sequence[str]) -> dict:
    """Return the JSON document of a validation run as plain data."""
    document = header("validate")
    document["files"] = list(files)
    document["summary"] = base.count(findings)
    document["findings"] = [base.finding_record(f) for f in findings]
    return document


class JsonFormatter(base.Formatter):
    """Machine-readable report, one JSON document followed by a newline."""

    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        self._write(validation_document(findings, files))

    def check(self, result: CheckResult) -> None:
        from gcheck.report.check_data import check_document

        self._write(check_document(result))

    def _write(self, document: dict) -> None:
        base.dump_json(document, self.stream)


FORMATTER = JsonFormatter
