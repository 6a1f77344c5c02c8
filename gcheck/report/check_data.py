"""A ``gcheck check`` result as plain data (JSON) and as JUnit test cases.

Documented in docs/json-format.rst and gcheck/data/check-report.schema.json.
Secret values are absent from the drift result itself, so nothing here
can print one: a secret option carries ``"secret": true`` and null values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gcheck.findings import Finding
from gcheck.report import base
from gcheck.report.json import header

if TYPE_CHECKING:
    from gcheck.check import CheckResult, HostReport
    from gcheck.drift import Drift
    from gcheck.report.junit import Suite

STATUSES = ("identical", "cosmetic", "drifted", "unreachable", "disabled")
PHASES = ("connect", "handshake", "auth", "transfer")


def check_document(result: CheckResult) -> dict:
    """Return the JSON document of a check run."""
    document = header("check")
    document["verdict"] = {
        "ready": result.verdict.ready,
        "sentence": result.verdict.sentence,
        "exit_code": result.verdict.exit_code,
    }
    document["settings"] = {
        "baseline": result.baseline,
        "fail_on": result.fail_on,
        "schema": result.schema,
        "slow_auth": result.slow_auth,
        "saved_to": result.saved_to,
    }
    document["summary"] = _summary(result)
    document["timing"] = {
        "elapsed": round(result.elapsed, 3),
        "fetch": round(result.fetch_elapsed, 3),
        "median_auth": _round(result.median_auth),
    }
    document["reference"] = {
        "path": result.reference_path,
        "shadow_path": result.shadow_path,
        "findings": _records(result.reference),
    }
    document["hosts"] = [host_record(report) for report in result.hosts]
    document["drift"] = drift_record(result.drift)
    return document


def _summary(result: CheckResult) -> dict:
    statuses = {status: len(result.with_status(status)) for status in STATUSES}
    slow = sum(report.slow is not None for report in result.hosts)
    return {
        "hosts": len(result.hosts),
        **statuses,
        "slow_auth": slow,
        "findings": base.count(result.findings()),
    }


def host_record(report: HostReport) -> dict:
    """Return one host's outcome as plain data."""
    host = report.host
    fetched = report.result
    record = {
        "name": host.name,
        "status": report.status,
        "roles": list(host.roles),
        "login": host.login,
        "login_source": host.login_source,
        "hostname": host.hostname,
        "port": host.port,
        "local": host.local,
        "disabled": host.disabled,
        "config_path": host.config_path,
        "shadow_path": host.shadow_path,
        "phases": None,
        "files": None,
        "failure": None,
        "slow_auth": None if report.slow is None else base.finding_record(report.slow),
        "findings": _records(report.findings),
        "drift": _records(report.drift),
        "recorded_keys": [],
    }
    if fetched is not None:
        record["recorded_keys"] = [
            {
                "host": key.host,
                "key_type": key.key_type,
                "fingerprint": key.fingerprint,
                "known_hosts_file": key.known_hosts_file,
            }
            for key in fetched.recorded_keys
        ]
        record["phases"] = {
            name: _round(getattr(fetched.phases, name)) for name in PHASES
        }
        record["files"] = {
            name: None if data is None else {"bytes": len(data)}
            for name, data in fetched.files.items()
        }
        if fetched.failure is not None:
            record["failure"] = base.finding_record(fetched.failure)
    return record


def drift_record(drift: Drift) -> dict:
    """Return the drift grouped by option and value, as plain data."""
    return {
        "baseline": drift.baseline,
        "hosts": list(drift.hosts),
        "identical": list(drift.identical),
        "unreadable": list(drift.unreadable),
        "options": [
            {
                "section": option.section,
                "option": option.option,
                "secret": option.secret,
                "baseline": option.baseline,
                "groups": [
                    {
                        "kind": group.kind,
                        "code": group.code,
                        "value": group.value,
                        "hosts": list(group.hosts),
                    }
                    for group in option.groups
                ],
            }
            for option in drift.options
        ],
        "sections": [
            {"section": group.section, "code": group.code, "hosts": list(group.hosts)}
            for group in drift.sections
        ],
        "shadow": [
            {"kind": group.kind, "code": group.code, "hosts": list(group.hosts)}
            for group in drift.shadow
        ],
    }


def _records(findings) -> list[dict]:
    return [base.finding_record(finding) for finding in findings]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def junit_check(result: CheckResult) -> Suite:
    """Return the JUnit suite of a check: the reference, then one case per host."""
    from gcheck.report.junit import Suite

    suite = Suite("gcheck check")
    suite.case("gcheck.check.reference", result.reference_path, result.reference)
    for report in result.hosts:
        if report.status == "disabled":
            suite.skip("gcheck.check.host", report.name, "disabled in the config")
            continue
        findings: list[Finding] = report.all_findings()
        suite.case("gcheck.check.host", report.name, findings)
    return suite
