"""The one record type for everything gcheck reports, and its code catalogue.

Every finding carries a stable code.  A code never changes meaning once
released; ``gcheck explain CODE`` prints its :class:`CodeInfo`.  The codes
are defined by domain in :mod:`gcheck.codes` and gathered here.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """The severity of a finding, ordered so that ``max()`` picks the worst."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        """Return the lower-case name used in every output format."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Return the severity named ``text`` (``error``, ``warning``...)."""
        return cls[text.upper()]


@dataclass(frozen=True)
class CodeInfo:
    """The long form of a finding code, for ``gcheck explain``."""

    code: str
    title: str
    severity: Severity
    explanation: str
    example: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Finding:
    """One problem, located in a file (path, line, col) or on a host."""

    code: str
    severity: Severity
    message: str
    hint: str = ""
    path: str | None = None
    line: int | None = None
    col: int | None = None
    host: str | None = None
    section: str | None = None
    option: str | None = None

    def location(self) -> str:
        """Return ``path:line:col`` (as far as known) or the host name."""
        if self.path is None:
            return self.host or ""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def sort_key(self) -> tuple:
        """Order findings by file, line and column, then host and code."""
        return (
            self.path or "",
            self.line or 0,
            self.col or 0,
            self.host or "",
            self.code,
        )


def make(code: str, message: str, **where) -> Finding:
    """Build a finding with the severity and hint its code defines."""
    info = catalogue()[code]
    hint = where.pop("hint", None)
    return Finding(
        code=code,
        severity=where.pop("severity", info.severity),
        message=message,
        hint=info.hint if hint is None else hint,
        **where,
    )


def worst(findings: Iterable[Finding]) -> Severity | None:
    """Return the highest severity among ``findings``, or ``None``."""
    return max((f.severity for f in findings), default=None)


_CATALOGUE: dict[str, CodeInfo] = {}
# Fetch workers build findings concurrently; the first of them fills the
# catalogue while the others wait.
_CATALOGUE_LOCK = threading.Lock()


def catalogue() -> dict[str, CodeInfo]:
    """Return every known code, loading the domain modules on first use."""
    if _CATALOGUE:
        return _CATALOGUE
    with _CATALOGUE_LOCK:
        if not _CATALOGUE:
            _CATALOGUE.update(_load_catalogue())
    return _CATALOGUE


def _load_catalogue() -> dict[str, CodeInfo]:
    from gcheck import codes

    loaded: dict[str, CodeInfo] = {}
    for info in codes.all_codes():
        if info.code in loaded:
            raise RuntimeError(f"finding code {info.code} is defined twice")
        loaded[info.code] = info
    return loaded


FAIL_ON_CHOICES = ("error", "warning", "info", "never")


def exit_code(findings: Iterable[Finding], fail_on: str = "error") -> int:
    """Return 1 when a finding reaches ``fail_on``, else 0.

    This is the one place that turns findings into an exit status; exit
    code 2 (gcheck could not do its work) comes from :class:`GcheckError`.
    """
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    reached = any(f.severity >= threshold for f in findings)
    return 1 if reached else 0
