"""JUnit XML, the test report format CI systems display.

Validation: one test case per file read, one ``<failure>`` per error or
warning in it.  Check: one test case per host (disabled hosts skipped),
plus one for the local reference file.  Info findings do not fail a test
case; they are listed in its ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gcheck.findings import Finding, Severity
from gcheck.report import base

if TYPE_CHECKING:
    from gcheck.check import CheckResult

# Characters XML 1.0 cannot carry, even escaped: most control characters,
# and the lone surrogates that stand for undecodable bytes.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Return ``text`` with characters XML cannot carry escaped.

    An undecodable byte becomes ``\\xNN`` and a control character ``\\uNNNN``.
    """
    return _INVALID_XML.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        # An undecodable byte kept by surrogateescape: show the byte.
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


class Suite:
    """Builds one ``<testsuite>`` and keeps its counts."""

    def __init__(self, name: str) -> None:
        self.element = ET.Element("testsuite", name=name)
        self.tests = 0
        self.failures = 0
        self.skipped = 0

    def case(
        self, classname: str, name: str, findings: Sequence[Finding]
    ) -> ET.Element:
        """Add a test case that fails on each of its errors and warnings."""
        case = ET.SubElement(
            self.element, "testcase", classname=classname, name=xml_text(name)
        )
        self.tests += 1
        failing = [f for f in findings if f.severity >= Severity.WARNING]
        for finding in failing:
            failure = ET.SubElement(
                case,
                "failure",
                type=finding.code,
                message=xml_text(f"{finding.severity.label}: {finding.message}"),
            )
            failure.text = xml_text(_details(finding))
        if failing:
            self.failures += 1
        notes = [f for f in findings if f.severity < Severity.WARNING]
        if notes:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text("\n".join(_details(f) for f in notes))
        return case

    def skip(self, classname: str, name: str, reason: str) -> None:
        """Add a skipped test case."""
        case = ET.SubElement(
            self.element, "testcase", classname=classname, name=xml_text(name)
        )
        ET.SubElement(case, "skipped", message=xml_text(reason))
        self.tests += 1
        self.skipped += 1

    def close(self) -> ET.Element:
        """Set the count attributes and return the element."""
        self.element.set("tests", str(self.tests))
        self.element.set("failures", str(self.failures))
        self.element.set("errors", "0")
        self.element.set("skipped", str(self.skipped))
        return self.element


def _details(finding: Finding) -> str:
    location = finding.location()
    lines = [f"{location}: " if location else ""]
    lines[0] += f"{finding.severity.label} {finding.code} {finding.message}"
    if finding.hint:
        lines.append(f"hint: {finding.hint}")
    return "\n".join(lines)


def write(stream, suite: Suite) -> None:
    """Write ``suite`` inside a ``<testsuites>`` document."""
    element = suite.close()
    root = ET.Element("testsuites", name="gcheck")
    for attribute in ("tests", "failures", "errors", "skipped"):
        root.set(attribute, element.get(attribute))
    root.append(element)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    base.write_all(stream, f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n')


class JunitFormatter(base.Formatter):
    """JUnit XML for CI test report views."""

    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        suite = Suite("gcheck validate")
        for path in base.finding_files(findings, files):
            mine = [f for f in findings if f.path == path]
            suite.case("gcheck.validate", path, mine)
        hosts = [f.host or "" for f in findings if f.path is None]
        for host in dict.fromkeys(hosts):
            mine = [f for f in findings if f.path is None and (f.host or "") == host]
            suite.case("gcheck.validate", host or "(no file)", mine)
        write(self.stream, suite)

    def check(self, result: CheckResult) -> None:
        from gcheck.report.check_data import junit_check

        write(self.stream, junit_check(result))


FORMATTER = JunitFormatter
