"""The interface every output format implements, and helpers they share."""

from __future__ import annotations

import abc
import errno
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING

from gcheck.findings import Finding, Severity

if TYPE_CHECKING:
    from gcheck.check import CheckResult

# Worst first: the order of counts in summaries.
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def dump_json(document, stream: IO[str]) -> None:
    """Write ``document`` as indented ASCII JSON and a newline, in one piece.

    ``json.dump`` writes each token separately, which on an unbuffered
    stream (PYTHONUNBUFFERED=1) is one system call per token.
    """
    write_all(stream, json.dumps(document, indent=2, ensure_ascii=True) + "\n")


def write_all(stream: IO[str], text: str) -> None:
    """Write all of ``text`` to ``stream``, or raise ``OSError``.

    With PYTHONUNBUFFERED=1, ``sys.stdout`` writes straight to the file,
    and the text layer drops what a short write (a full disk, a pipe whose
    reader left) did not take.  Writing the bytes in a loop makes the
    rest fail with the error instead.
    """
    buffer = getattr(stream, "buffer", None)
    if not isinstance(buffer, io.RawIOBase):
        # A buffered binary layer writes everything or raises.
        stream.write(text)
        return
    stream.flush()
    data = memoryview(
        text.encode(stream.encoding or "utf-8", stream.errors or "strict")
    )
    while data:
        written = buffer.write(data)
        if not written:
            # A non-blocking output that is full: fail rather than spin.
            raise BlockingIOError(errno.EAGAIN, "the output accepts no more data")
        data = data[written:]
    buffer.flush()


class Formatter(abc.ABC):
    """Writes one report to a text stream.

    ``color`` is decided once by :func:`gcheck.report.use_color`; formats
    other than ``text`` ignore it.
    """

    def __init__(self, stream: IO[str], color: bool = False) -> None:
        self.stream = stream
        self.color = color

    @abc.abstractmethod
    def validation(self, findings: Sequence[Finding], files: Sequence[str]) -> None:
        """Write the findings of validating ``files``."""

    @abc.abstractmethod
    def check(self, result: CheckResult) -> None:
        """Write the result of ``gcheck check``."""


def count(findings: Iterable[Finding]) -> dict[str, int]:
    """Return the number of findings per severity label, worst first."""
    counter = Counter(f.severity for f in findings)
    return {severity.label: counter[severity] for severity in SEVERITIES}


def counts_text(findings: Iterable[Finding]) -> str:
    """Return counts by severity as ``2 errors, 1 warning, 0 info``."""
    parts = []
    for label, number in count(findings).items():
        noun = label if number == 1 or label == "info" else f"{label}s"
        parts.append(f"{number} {noun}")
    return ", ".join(parts)


def plural(number: int, noun: str, nouns: str | None = None) -> str:
    """Return ``1 host`` or ``3 hosts``."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {nouns or noun + 's'}"


def validation_summary(findings: Sequence[Finding], files: Sequence[str]) -> str:
    """Return the one summary line of a validation report."""
    checked = plural(len(files), "file")
    return f"{checked} checked: {counts_text(findings)}"


def finding_files(findings: Iterable[Finding], files: Sequence[str]) -> list[str]:
    """Return ``files`` plus any other path a finding points at, in order."""
    paths = list(dict.fromkeys(files))
    for finding in findings:
        if finding.path is not None and finding.path not in paths:
            paths.append(finding.path)
    return paths


def finding_record(finding: Finding) -> dict:
    """Return a finding as plain data, the form the JSON format documents."""
    return {
        "code": finding.code,
        "severity": finding.severity.label,
        "message": finding.message,
        "hint": finding.hint,
        "path": finding.path,
        "line": finding.line,
        "col": finding.col,
        "host": finding.host,
        "section": finding.section,
        "option": finding.option,
    }
