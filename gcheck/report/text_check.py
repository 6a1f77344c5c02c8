"""The terminal report of ``gcheck check``, section by section.

Hosts are grouped by outcome and their names folded into ranges
(``drone[01-17,19]``).  The report ends with one summary line of counts
by severity and the verdict line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gcheck.check import time_decimals
from gcheck.findings import Finding, catalogue
from gcheck.fold import fold
from gcheck.reader import quoted
from gcheck.report import base

if TYPE_CHECKING:
    from gcheck.check import CheckResult, HostReport
    from gcheck.drift import Drift, OptionDrift
    from gcheck.report.text import Writer

HEADING = "bold"
BASELINE_TITLES = {"local": "local reference", "majority": "majority baseline"}


def write_check(writer: Writer, result: CheckResult) -> None:
    """Write every part of the report, then the summary and the verdict."""
    _reference(writer, result)
    _hosts(writer, result)
    _recorded_keys(writer, result.hosts)
    _unreachable(writer, result.with_status("unreachable"))
    _slow(writer, result)
    _drift(writer, result.drift)
    _copy_findings(writer, result.hosts)
    writer.line()
    writer.line((base.counts_text(result.findings()), HEADING))
    style = "bold green" if result.verdict.ready else "bold red"
    writer.line((result.verdict.sentence, style))


def _reference(writer: Writer, result: CheckResult) -> None:
    files = result.reference_path
    if result.shadow_path:
        files += f" with {result.shadow_path}"
    writer.line(("Local reference: ", HEADING), files)
    for finding in result.reference:
        writer.finding(finding, indent="  ")


def _hosts(writer: Writer, result: CheckResult) -> None:
    counts = [
        (status, len(result.with_status(status)))
        for status in ("identical", "cosmetic", "drifted", "unreachable", "disabled")
    ]
    parts = ", ".join(f"{number} {status}" for status, number in counts if number)
    total = base.plural(len(result.hosts), "host")
    writer.line(("Hosts: ", HEADING), total + (f" ({parts})" if parts else ""))
    disabled = result.with_status("disabled")
    if disabled:
        names = fold(report.name for report in disabled)
        writer.line("  disabled, not fetched: ", names)


def _recorded_keys(writer: Writer, reports: Sequence[HostReport]) -> None:
    """Write each host key that --accept-new-host-keys added to known_hosts."""
    added = [
        (report.name, key)
        for report in reports
        if report.result is not None
        for key in report.result.recorded_keys
    ]
    if not added:
        return
    writer.line()
    writer.line((f"Added host keys ({len(added)})", HEADING))
    for name, key in added:
        writer.line(
            f"  {name}: ",
            f"{key.key_type} {key.fingerprint} as {key.host} in {key.known_hosts_file}",
        )


def _unreachable(writer: Writer, reports: Sequence[HostReport]) -> None:
    if not reports:
        return
    writer.line()
    writer.line((f"Unreachable ({len(reports)})", HEADING))
    groups: dict[str, list[HostReport]] = {}
    for report in reports:
        groups.setdefault(report.result.failure.code, []).append(report)
    for code, members in groups.items():
        info = catalogue().get(code)
        title = info.title if info else code
        writer.line(
            "  ", (f"{code} {title}: ", "bold red"), fold(r.name for r in members)
        )
        for report in members:
            writer.line(f"    {report.name}: ", report.result.failure.message)
        hint = members[0].result.failure.hint
        if hint:
            writer.line(("    hint: ", "dim"), hint)


def _slow(writer: Writer, result: CheckResult) -> None:
    slow = [report for report in result.hosts if report.slow is not None]
    if not slow:
        return
    writer.line()
    median = result.median_auth or 0.0
    decimals = time_decimals(result.slow_auth)
    writer.line(
        (f"Slow authentication ({len(slow)})", HEADING),
        f" over {result.slow_auth:g} s, or far above the fleet median of "
        f"{median:.{decimals}f} s",
    )
    for report in slow:
        writer.line(f"  {report.name}: ", report.slow.message)
    if slow[0].slow.hint:
        writer.line(("  hint: ", "dim"), slow[0].slow.hint)


def _drift(writer: Writer, drift: Drift) -> None:
    if not drift.hosts:
        return
    writer.line()
    writer.line((f"Drift from the {BASELINE_TITLES[drift.baseline]}", HEADING))
    if drift.identical:
        writer.line("  identical: ", fold(drift.identical))
    if drift.unreadable:
        writer.line(
            "  ", ("unreadable copy (D409): ", "bold red"), fold(drift.unreadable)
        )
        for host in drift.unreadable:
            writer.line(f"    {host}: ", drift.host_findings(host)[0].message)
    for group in drift.sections:
        label = f"section [{group.section}] missing ({group.code}): "
        writer.line("  ", (label, "bold red"), fold(group.hosts))
    for group in drift.shadow:
        label = {"missing": "missing", "extra": "present only here"}.get(
            group.kind, "differs"
        )
        writer.line(
            "  ",
            (f"shadow_config.ini {label} ({group.code}): ", "yellow"),
            fold(group.hosts),
        )
    for option in drift.options:
        _option(writer, option, drift.baseline)


def _option(writer: Writer, option: OptionDrift, baseline: str) -> None:
    secret = " (secret, values hidden)" if option.secret else ""
    writer.line("  ", (f"[{option.section}] {option.option}", "bold"), secret)
    if not option.secret:
        shown = "unset" if option.baseline is None else quoted(option.baseline)
        writer.line(f"    {BASELINE_TITLES[baseline]}: {shown}")
    for group in option.groups:
        value = _group_value(group, option.secret)
        style = "cyan" if group.kind == "cosmetic" else "bold red"
        writer.line(
            f"    {value} ",
            (f"({group.kind}, {group.code}): ", style),
            fold(group.hosts),
        )


def _group_value(group, secret: bool) -> str:
    if secret or group.kind == "secret":
        return "differs"
    if group.value is None:
        return "unset"
    return quoted(group.value)


def _copy_findings(writer: Writer, reports: Sequence[HostReport]) -> None:
    """Write each finding of the fetched copies once, with its hosts folded."""
    groups: dict[tuple, tuple[Finding, list[str]]] = {}
    for report in reports:
        for finding in report.findings:
            key = (
                finding.code,
                finding.message,
                finding.path,
                finding.line,
                finding.col,
            )
            groups.setdefault(key, (finding, []))[1].append(report.name)
    if not groups:
        return
    writer.line()
    writer.line(("Findings in the fetched copies", HEADING))
    for finding, hosts in groups.values():
        writer.line("  ", (fold(hosts), "bold"))
        writer.finding(_without_host(finding), indent="    ")


def _without_host(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, host=None)
