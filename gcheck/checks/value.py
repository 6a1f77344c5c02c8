"""Values that Autotest rejects, misreads or should never see."""

from __future__ import annotations

from collections.abc import Iterator

from gcheck import values
from gcheck.checks import Subject
from gcheck.checks.common import HIDDEN, Entry, shown_value
from gcheck.codes import validation as codes
from gcheck.findings import Finding, Severity, make
from gcheck.schema import KeySpec
from gcheck.schema_functions import (
    ConversionError,
    InvalidNamesError,
    NotAllowedError,
    OutOfRangeError,
)

# The database password of the global_config.ini that Autotest ships.
SHIPPED_PASSWORD = "please_set_this_password"


def _checked_entries(subject: Subject) -> Iterator[tuple[Entry, KeySpec]]:
    """Yield the entries with a spec and a non-blank value to check."""
    for entry in subject.entries:
        if entry.text is None or not values.strip(entry.text):
            continue
        spec = subject.spec(entry)
        if spec is not None:
            yield entry, spec


def rejected_values(subject: Subject) -> Iterator[Finding]:
    """Report values the key's check rejects: type, range, choice, name."""
    for entry, spec in _checked_entries(subject):
        try:
            subject.schema.check(spec, entry.text or "")
        except ConversionError as error:
            yield _not_convertible(subject, entry, spec, error)
        except OutOfRangeError as error:
            yield _out_of_range(subject, entry, error)
        except NotAllowedError as error:
            yield _not_allowed(subject, entry, error)
        except InvalidNamesError as error:
            yield from _invalid_names(subject, entry, spec, error)


def _value(subject: Subject, entry: Entry, text: str) -> str:
    return shown_value(subject, entry, text)


def _not_convertible(
    subject: Subject, entry: Entry, spec: KeySpec, error: ConversionError
) -> Finding:
    convert = "float()" if spec.type == "float" else "int()"
    message = (
        f"{entry.option} is {_value(subject, entry, error.value)}, which is not "
        f"{error.kind}: Python 2.7's {convert} rejects it and the program "
        "reading it stops" + entry.note()
    )
    return make(codes.NOT_CONVERTIBLE, message, **entry.where())


def _out_of_range(subject: Subject, entry: Entry, error: OutOfRangeError) -> Finding:
    if error.maximum is None:
        allowed = f"at least {_number(error.minimum)}"
    elif error.minimum is None:
        allowed = f"at most {_number(error.maximum)}"
    else:
        allowed = f"from {_number(error.minimum)} to {_number(error.maximum)}"
    number = _number(error.value)
    if subject.is_secret(entry.section, entry.option):
        number = HIDDEN
    message = (
        f"{entry.option} is {number}, outside the sensible range: "
        f"use a value {allowed}" + entry.note()
    )
    return make(codes.OUT_OF_RANGE, message, **entry.where())


def _number(number: float | None) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _not_allowed(subject: Subject, entry: Entry, error: NotAllowedError) -> Finding:
    choices = ", ".join(error.choices)
    message = (
        f"{entry.option} is {_value(subject, entry, error.value)}, which Autotest "
        f"does not accept: use one of {choices}" + entry.note()
    )
    return make(codes.NOT_ALLOWED, message, **entry.where())


def _invalid_names(
    subject: Subject, entry: Entry, spec: KeySpec, error: InvalidNamesError
) -> Iterator[Finding]:
    for name, problem in error.problems:
        if error.kind == "login":
            target = f"log in to {spec.filler}" if spec.filler else "log in with it"
            message = (
                f"{entry.option} is {_value(subject, entry, name)}, a login no "
                "system accepts "
                f"({problem}), so the scheduler cannot {target}"
            )
            yield make(codes.INVALID_LOGIN, message + entry.note(), **entry.where())
        elif name == "":
            message = (
                f"{entry.option} has an empty host name (a trailing or doubled "
                "comma): the scheduler adds a drone with no name"
            )
            yield make(codes.EMPTY_HOST, message + entry.note(), **entry.where())
        else:
            shown_name = _value(subject, entry, name)
            message = f"{entry.option} names host {shown_name}, which {problem}"
            if spec.type == "host" and "," in name:
                message += f"; {entry.option} holds one host and is not split on commas"
            yield make(codes.INVALID_HOST, message + entry.note(), **entry.where())


def false_looking_booleans(subject: Subject) -> Iterator[Finding]:
    """Report booleans such as ``no`` or ``0`` that Autotest reads as True."""
    for entry, spec in _checked_entries(subject):
        if spec.type == "bool" and values.looks_false(entry.text or ""):
            message = (
                f"{entry.option} is {_value(subject, entry, entry.text or '')}, which "
                "Autotest reads as True: only 'false' (any case) is False"
                + entry.note()
            )
            yield make(codes.FALSE_LOOKING_BOOL, message, **entry.where())


def set_flags(subject: Subject) -> Iterator[Finding]:
    """Report flags such as ``<host>_disabled``, which any value sets."""
    for entry, spec in _checked_entries(subject):
        if spec.type != "flag":
            continue
        text = values.strip(entry.text or "")
        misleading = text.lower() == "false" or values.looks_false(text)
        target = f"disables host {spec.filler}" if spec.filler else "sets the flag"
        message = f"{entry.option} is {_value(subject, entry, text)}, which {target}"
        if misleading:
            message += ": any non-blank value does, 'False' included"
        severity = Severity.WARNING if misleading else Severity.INFO
        yield make(
            codes.HOST_DISABLED,
            message + entry.note(),
            severity=severity,
            **entry.where(),
        )


def shipped_password(subject: Subject) -> Iterator[Finding]:
    """Report secret keys that still hold the password Autotest ships with.

    Keys outside the schema are left out: Autotest reads none of them.
    """
    for entry in subject.entries:
        if entry.text is None or values.strip(entry.text) != SHIPPED_PASSWORD:
            continue
        spec = subject.spec(entry)
        if spec is not None and spec.secret:
            message = (
                f"[{entry.section}] {entry.option} still holds the default password "
                "of the global_config.ini Autotest ships" + entry.note()
            )
            yield make(codes.DEFAULT_PASSWORD, message, **entry.where())


CHECKS = [rejected_values, false_looking_booleans, set_flags, shipped_password]
