"""Host names that cannot carry per-host keys or that are local in disguise."""

from __future__ import annotations

import pytest

from gcheck import config, reader, schema
from gcheck.findings import Severity
from gcheck.validate import validate

CODES = {"V105", "V211"}


def _findings(text: str):
    found = validate(config.build(reader.parse(text.encode(), "g.ini")), schema.load())
    return [f for f in found if f.code in CODES]


# (ini text, expected (line, code, severity))
CASES = [
    ("[SCHEDULER]\ndrones: localhost, d1\nresults_host: localhost\n", []),
    ("[SCHEDULER]\ndrones: 2001:db8::7\n", [(2, "V105", "info")]),
    ("[SCHEDULER]\nresults_host: fe80::1%eth0\n", [(2, "V105", "info")]),
    ("[SCHEDULER]\ndrones: 10.0.0.7\n", []),
    ("[SCHEDULER]\nresults_host: LOCALHOST\n", [(2, "V211", "warning")]),
    ("[SCHEDULER]\ndrones: d1, Localhost\n", [(2, "V211", "warning")]),
    ("[SCHEDULER]\ndrones: 127.0.0.1\n", [(2, "V211", "info")]),
    ("[SCHEDULER]\ndrones: ::1\n", [(2, "V105", "info"), (2, "V211", "info")]),
    ("[SCHEDULER]\nresults_host: localhost.localdomain\n", [(2, "V211", "info")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_hosts(text, expected):
    assert [(f.line, f.code, f.severity.label) for f in _findings(text)] == expected


def test_ipv6_host_message():
    (finding,) = _findings("[SCHEDULER]\ndrones: 2001:db8::7\n")
    assert finding.message == (
        "drones names '2001:db8::7': an option name ends at its first ':', so no "
        "per-host key such as <host>_username can be written for it, and the "
        "scheduler connects as its own user"
    )


def test_uppercase_localhost_message():
    (finding,) = _findings("[SCHEDULER]\nresults_host: LOCALHOST\n")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "results_host names 'LOCALHOST', which the scheduler reaches over SSH: "
        "only the exact name 'localhost' runs locally"
    )
