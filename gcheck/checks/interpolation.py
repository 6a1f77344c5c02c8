"""``%(name)s`` references that fall back to the default or crash Autotest."""

from __future__ import annotations

from collections.abc import Iterator

from gcheck.checks import Subject
from gcheck.checks.common import Entry
from gcheck.codes import validation as codes
from gcheck.findings import Finding, Severity, make
from gcheck.schema import KeySpec


def failed_interpolation(subject: Subject) -> Iterator[Finding]:
    """Report keys Autotest reads whose ``get()`` fails.

    Keys no part of Autotest reads are left to the unknown-key check:
    their references are never expanded.
    """
    for entry in subject.entries:
        if entry.error not in ("missing", "depth", "crash"):
            continue
        spec = subject.spec(entry)
        if spec is None:
            continue
        if entry.error == "crash":
            yield _crash(subject, entry)
        else:
            yield _fallback(entry, spec)


def _fallback(entry: Entry, spec: KeySpec) -> Finding:
    if entry.error == "missing":
        cause = (
            f"refers to %({entry.detail})s, which neither [{entry.section}] "
            "nor [DEFAULT] defines"
        )
    else:
        cause = "nests %(name)s references more than ten levels deep"
    if spec.required:
        effect = (
            "ConfigParser raises, Autotest treats the key as missing, and with "
            "no default it stops"
        )
        return make(
            codes.INTERPOLATION_DEFAULT,
            f"{entry.option} {cause}: {effect}",
            severity=Severity.ERROR,
            **entry.where(),
        )
    default = "its default" if spec.default_text is None else repr(spec.default_text)
    if spec.secret:
        default = "its default"
    effect = f"ConfigParser raises and Autotest silently uses {default} instead"
    return make(
        codes.INTERPOLATION_DEFAULT,
        f"{entry.option} {cause}: {effect}",
        **entry.where(),
    )


def _crash(subject: Subject, entry: Entry) -> Finding:
    detail = "" if subject.is_secret(entry.section, entry.option) else entry.detail
    reason = f" ({detail})" if detail else ""
    message = (
        f"{entry.option} mixes %(name)s with a '%' that Python's formatting "
        f"rejects{reason}: Autotest does not catch this error and stops; "
        "write a literal '%' as '%%'"
    )
    return make(codes.INTERPOLATION_CRASH, message, **entry.where())


CHECKS = [failed_interpolation]
