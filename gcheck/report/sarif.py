"""SARIF 2.1.0, the static analysis format code scanning services read.

Every code of the catalogue is a rule, so a rule's index never depends on
which findings a run produced.  A finding in a local file gets a physical
location (file, line, column).  A finding about a host gets a logical
location named after the host, because the file it concerns is remote.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gcheck import __version__
from gcheck.findings import CodeInfo, Finding, Severity, catalogue
from gcheck.report import base

if TYPE_CHECKING:
    from gcheck.check import CheckResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule(info: CodeInfo) -> dict:
    """Return the SARIF reporting descriptor of one finding code."""
    words = re.findall(r"[A-Za-z0-9]+", info.title)
    descriptor = {
        "id": info.code,
        "name": "".join(word[:1].upper() + word[1:] for word in words),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.explanation},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
    }
    if info.hint:
        descriptor["help"] = {"text": info.hint}
    return descriptor


def artifact_uri(path: str) -> str:
    """Return ``path`` as a URI reference: relative stays relative."""
    if os.path.isabs(path):
        return Path(path).as_uri()
    return urllib.parse.quote(path.replace(os.sep, "/"))


def location(finding: Finding) -> dict | None:
    """Return where ``finding`` is, in SARIF terms, or ``None``."""
    if finding.host is not None:
        # NOTE: code scanning services that require a physical location
        # for every result may drop these host results.
        logical = {"name": finding.host, "kind": "resource"}
        if finding.path is not None:
            logical["fullyQualifiedName"] = f"{finding.host}:{finding.location()}"
        return {"logicalLocations": [logical]}
    if finding.path is None:
        return None
    physical: dict = {"artifactLocation": {"uri": artifact_uri(finding.path)}}
    if finding.line is not None:
        region = {"startLine": finding.line}
        if finding.col is not None:
            region["startColumn"] = finding.col
        physical["region"] = region
    return {"physicalLocation": physical}


def result(finding: Finding, index: dict[str, int]) -> dict:
    """Return the SARIF result of one finding."""
    entry: dict = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
    }
    if finding.code in index:
        entry["ruleIndex"] = index[finding.code]
    where = location(finding)
    if where is not None:
        entry["locations"] = [where]
    properties = {
        name: value
        for name, value in (
            ("hint", finding.hint),
            ("section", finding.section),
            ("option", finding.option),
        )
        if value
    }
    if properties:
        entry["properties"] = properties
    return entry


def document(findings: Sequence[Finding]) -> dict:
    """Return the SARIF log of one run that produced ``findings``."""
    infos = list(catalogue().values())
    index = {info.code: number for number, info in enumerate(infos)}
    driver = {
        "name": "gcheck",
        "version": __version__,
        "rules": [rule(info) for info in infos],
    }
    run = {
        "tool": {"driver": driver},
        "results": [result(finding, index) for finding in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class SarifFormatter(base.Formatter):
    """SARIF 2.1.0 log for code scanning."""

    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        self._write(document(findings))

    def check(self, result: CheckResult) -> None:
        self._write(document(result.findings()))

    def _write(self, log: dict) -> None:
        base.dump_json(log, self.stream)


FORMATTER = SarifFormatter
