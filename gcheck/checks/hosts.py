"""Host names in drones and results_host that do not mean what they seem."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from gcheck import values
from gcheck.checks import Subject
from gcheck.checks.common import Entry, shown_value
from gcheck.codes import validation as codes
from gcheck.findings import Finding, Severity, make


def _named_hosts(subject: Subject) -> Iterator[tuple[Entry, str]]:
    """Yield ``(entry, host)`` for each host named by a placeholder key."""
    for entry in subject.entries:
        if entry.text is None:
            continue
        spec = subject.spec(entry)
        if spec is None or spec.placeholder is None:
            continue
        named = spec.normalize(entry.text)
        for host in named if isinstance(named, list) else [named]:
            if host:
                yield entry, host


def hosts_without_keys(subject: Subject) -> Iterator[Finding]:
    """Report hosts whose name contains ':', for which no per-host key exists."""
    for entry, host in _named_hosts(subject):
        if ":" in host and host != values.LOCALHOST:
            message = (
                f"{entry.option} names {shown_value(subject, entry, host)}: an "
                "option name ends at its "
                "first ':', so no per-host key such as <host>_username can be "
                "written for it, and the scheduler connects as its own user"
                + entry.note()
            )
            yield make(codes.NO_HOST_KEYS, message, **entry.where())


def local_hosts_over_ssh(subject: Subject) -> Iterator[Finding]:
    """Report names of the local machine other than exactly ``localhost``."""
    for entry, host in _named_hosts(subject):
        if host == values.LOCALHOST:
            continue
        if host.lower() == values.LOCALHOST:
            severity = Severity.WARNING
        elif _is_loopback(host):
            severity = Severity.INFO
        else:
            continue
        message = (
            f"{entry.option} names {shown_value(subject, entry, host)}, which "
            "the scheduler reaches over "
            "SSH: only the exact name 'localhost' runs locally" + entry.note()
        )
        yield make(codes.REMOTE_LOCALHOST, message, severity=severity, **entry.where())


def _is_loopback(host: str) -> bool:
    if host.lower().startswith("localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


CHECKS = [hosts_without_keys, local_hosts_over_ssh]
