"""``gcheck check``: is the fleet ready for a scheduler restart?

The pipeline reads the local reference config and builds the host
inventory from it.  It fetches every enabled host's copy, validating the
reference while the hosts respond, then reads and validates each copy with
the same reader and schema, compares the copies with the baseline, and
looks for slow authentication.  The result is data; :mod:`gcheck.report`
renders it.

Copies with the same bytes are read and validated once (cached by content
hash), so a fleet of identical copies costs one parse.
"""

from __future__ import annotations

import hashlib
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gcheck import load, reader
from gcheck.config import Config, build
from gcheck.drift import Copy, Drift, compare
from gcheck.findings import FAIL_ON_CHOICES, Finding, Severity, exit_code, make
from gcheck.save import SaveTargets

if TYPE_CHECKING:
    from gcheck.fetch import FetchOptions, HostResult
    from gcheck.inventory import Host
    from gcheck.schema import Schema

GLOBAL = "global_config.ini"
SHADOW = "shadow_config.ini"
# Authentication "far" slower than the fleet's median: this many times the
# median, and at least FAR_FLOOR seconds, so a fast fleet's jitter is quiet.
FAR_FACTOR = 5.0
FAR_FLOOR = 0.5
# The fetch code for a login that succeeded slowly.
SLOW_AUTH = "H304"


@dataclass(frozen=True)
class CheckOptions:
    """Everything ``gcheck check`` is asked to do."""

    fetch: FetchOptions
    config_path: str | None = None
    # "auto": shadow_config.ini next to the config when present.
    shadow_path: str | None = "auto"
    schema: str = "autotest"
    baseline: str = "local"
    scheduler_user: str | None = None
    add_hosts: tuple[str, ...] = ()
    only_hosts: tuple[str, ...] | None = None
    ssh_config: str | None = None
    slow_auth: float = 1.0
    save_dir: str | None = None
    fail_on: str = "error"


@dataclass(frozen=True)
class HostReport:
    """One host's outcome: fetched and compared, unreachable, or disabled."""

    host: Host
    # "identical", "cosmetic", "drifted", "unreachable" or "disabled".
    status: str
    # None for a disabled host, which is not fetched.
    result: HostResult | None = None
    # Reading and validation findings of the host's copy.
    findings: tuple[Finding, ...] = ()
    drift: tuple[Finding, ...] = ()
    slow: Finding | None = None

    @property
    def name(self) -> str:
        """Return the host's name as the config writes it."""
        return self.host.name

    def all_findings(self) -> list[Finding]:
        """Return the fetch failure, slow login, copy and drift findings."""
        found = []
        if self.result is not None and self.result.failure is not None:
            found.append(self.result.failure)
        if self.slow is not None:
            found.append(self.slow)
        return [*found, *self.findings, *self.drift]


@dataclass(frozen=True)
class Verdict:
    """The one-line result: ready to restart, or not and why."""

    ready: bool
    sentence: str
    exit_code: int


@dataclass(frozen=True)
class CheckResult:
    """Everything one ``gcheck check`` run found."""

    reference_path: str
    shadow_path: str | None
    schema: str
    baseline: str
    fail_on: str
    reference: tuple[Finding, ...]
    hosts: tuple[HostReport, ...]
    drift: Drift
    verdict: Verdict
    # Seconds for the whole run and for the fetch alone.
    elapsed: float = 0.0
    fetch_elapsed: float = 0.0
    saved_to: str | None = None
    median_auth: float | None = None
    slow_auth: float = 1.0

    def findings(self) -> list[Finding]:
        """Return every finding: the reference's first, then host by host."""
        found = list(self.reference)
        for report in self.hosts:
            found.extend(report.all_findings())
        return found

    def with_status(self, status: str) -> list[HostReport]:
        """Return the hosts whose status is ``status``, in inventory order."""
        return [report for report in self.hosts if report.status == status]


def run(
    options: CheckOptions,
    on_result: Callable[[HostResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> CheckResult:
    """Run the whole check and return its result.

    ``on_start`` is called with the number of hosts to fetch, and
    ``on_result`` as each host's fetch ends (from a worker thread), so a
    caller can show progress.

    Raises :class:`gcheck.errors.GcheckError` when the check cannot run at
    all (no local config, an invalid schema, an unusable save folder).  A
    host's failure is part of the result, since ``fetch_all`` returns it.
    """
    from gcheck import inventory
    from gcheck.schema import load as load_schema

    started = time.monotonic()
    schema = load_schema(options.schema)
    config_path = options.config_path or load.default_config_path()
    config = load.load(config_path, shadow=options.shadow_path)
    hosts = inventory.build(
        config,
        scheduler_user=options.scheduler_user,
        add=options.add_hosts,
        only=options.only_hosts,
        ssh_config=options.ssh_config,
    )
    targets = _save_targets(options.save_dir, config, hosts)
    reference: list[Finding] = []

    def validate_reference() -> None:
        from gcheck.validate import validate

        reference.extend(validate(config, schema))

    enabled = [host for host in hosts if not host.disabled]
    if on_start is not None:
        on_start(len(enabled))
    fetch_started = time.monotonic()
    results = _fetch(enabled, options.fetch, on_result, validate_reference)
    fetch_elapsed = time.monotonic() - fetch_started

    result = examine(config, reference, hosts, results, schema, options, targets)
    elapsed = time.monotonic() - started
    return replace(result, elapsed=elapsed, fetch_elapsed=fetch_elapsed)


def _fetch(hosts, options, on_result, meanwhile) -> list[HostResult]:
    """Fetch ``hosts``, running ``meanwhile`` during the fetch."""
    from gcheck.fetch import fetch_all

    if not hosts:
        meanwhile()
        return []
    return fetch_all(hosts, options, on_result=on_result, meanwhile=meanwhile)


def examine(
    config: Config,
    reference: Sequence[Finding],
    hosts: Sequence[Host],
    results: Sequence[HostResult],
    schema: Schema,
    options: CheckOptions,
    targets: SaveTargets | None = None,
) -> CheckResult:
    """Build the result from the fetched copies: every step after the fetch.

    ``reference`` contains the local config's validation findings, ``hosts``
    the whole inventory and ``results`` the fetch of its enabled hosts.
    """
    reports, drift, median = _examine(
        config, reference, hosts, results, schema, options, targets
    )
    verdict = decide(reference, reports, options.fail_on, options.baseline)
    return CheckResult(
        reference_path=config.global_file.path,
        shadow_path=config.shadow_file.path if config.shadow_file else None,
        schema=options.schema,
        baseline=options.baseline,
        fail_on=options.fail_on,
        reference=tuple(reference),
        hosts=tuple(reports),
        drift=drift,
        verdict=verdict,
        saved_to=options.save_dir,
        median_auth=median,
        slow_auth=options.slow_auth,
    )


def _save_targets(save_dir: str | None, config, hosts) -> SaveTargets | None:
    """Prepare ``--save``, failing before any fetch if it cannot work."""
    if save_dir is None:
        return None
    protected = [config.global_file.path]
    if config.shadow_file is not None:
        protected.append(config.shadow_file.path)
    return SaveTargets(save_dir, [host.name for host in hosts], protected)


def _examine(config, reference, hosts, results, schema, options, targets):
    """Read, validate and compare the copies; return reports, drift, median."""
    own = reference_copy(config)
    copy_reader = CopyReader(schema, reference)
    # A copy equal to the reference needs no second parse, and its
    # findings are all the reference's own.
    copy_reader.remember(own.digest, config)
    copies: list[Copy] = []
    copy_findings: dict[str, tuple[Finding, ...]] = {}
    for result in results:
        if not result.ok:
            continue
        copy, found = copy_reader.read(result)
        copies.append(copy)
        copy_findings[result.host.name] = found
        if targets is not None:
            targets.save(result.host.name, result.files)

    drift = compare(own, copies, schema, options.baseline)
    slow, median = slow_logins(results, options.slow_auth)
    by_name = {result.host.name: result for result in results}
    reports = []
    for host in hosts:
        result = by_name.get(host.name)
        if host.disabled or result is None:
            reports.append(HostReport(host, "disabled"))
            continue
        reports.append(
            HostReport(
                host=host,
                status=_status(result, drift.host_findings(host.name)),
                result=result,
                findings=copy_findings.get(host.name, ()),
                drift=drift.host_findings(host.name) if result.ok else (),
                slow=slow.get(host.name),
            )
        )
    return reports, drift, median


def _status(result: HostResult, drift: Sequence[Finding]) -> str:
    if not result.ok:
        return "unreachable"
    worst = max((f.severity for f in drift), default=None)
    if worst is None:
        return "identical"
    return "cosmetic" if worst == Severity.INFO else "drifted"


def digest(data: bytes | None, shadow: bytes | None) -> str:
    """Return a hash that differs whenever either file's bytes differ."""
    hasher = hashlib.sha256()
    for part in (data, shadow):
        # A length prefix (or a marker for an absent file) keeps the two
        # files' boundary unambiguous.
        hasher.update(b"-" if part is None else b"%d:" % len(part))
        hasher.update(part or b"")
    return hasher.hexdigest()


def reference_copy(config) -> Copy:
    """Return the local reference as a :class:`Copy` for the comparison."""
    data = load.read_bytes(config.global_file.path)
    shadow = None
    if config.shadow_file is not None:
        shadow = load.read_bytes(config.shadow_file.path)
    return Copy("(local reference)", digest(data, shadow), config, shadow)


class CopyReader:
    """Reads and validates fetched copies, once per distinct content.

    A copy's finding that the local reference has too (same code, message,
    section and option) is left out: it is reported once, for the
    reference, instead of once per host.
    """

    def __init__(self, schema: Schema, reference: Sequence[Finding] = ()) -> None:
        self.schema = schema
        self._known = {_identity(finding) for finding in reference}
        self._cache: dict[str, tuple] = {}

    def remember(self, key: str, config: Config) -> None:
        """Use ``config`` for copies whose digest is ``key``, with no findings."""
        self._cache[key] = (config, ())

    def read(self, result: HostResult) -> tuple[Copy, tuple[Finding, ...]]:
        """Return the host's copy and its findings, located on the host."""
        data = result.files.get(GLOBAL)
        shadow = result.files.get(SHADOW)
        key = digest(data, shadow)
        if key not in self._cache:
            self._cache[key] = self._parse(data, shadow)
        config, findings = self._cache[key]
        host = result.host
        located = tuple(_locate(finding, host) for finding in findings)
        return Copy(host.name, key, config, shadow), located

    def _parse(self, data: bytes | None, shadow: bytes | None):
        from gcheck.validate import validate

        if data is None:
            return None, ()
        shadow_file = None
        if shadow is not None:
            shadow_file = reader.parse(shadow, SHADOW, role="shadow")
        config = build(reader.parse(data, GLOBAL, role="global"), shadow_file)
        found = validate(config, self.schema)
        return config, tuple(f for f in found if _identity(f) not in self._known)


def _identity(finding: Finding) -> tuple:
    return (finding.code, finding.message, finding.section, finding.option)


def _locate(finding: Finding, host: Host) -> Finding:
    """Point a finding of a copy at the file on its host."""
    paths = {GLOBAL: host.config_path, SHADOW: host.shadow_path}
    return replace(finding, host=host.name, path=paths.get(finding.path, finding.path))


def slow_logins(
    results: Sequence[HostResult], limit: float
) -> tuple[dict[str, Finding], float | None]:
    """Return the hosts whose authentication was slow, and the fleet median.

    Slow means longer than ``limit`` seconds, or at least FAR_FACTOR times
    the median of every host whose authentication was timed and at least
    FAR_FLOOR seconds.  Only hosts whose copy was fetched are reported: a
    failed host is reported for its failure.
    """
    times = [r.phases.auth for r in results if r.phases.auth is not None]
    if not times:
        return {}, None
    median = statistics.median(times)
    slow = {}
    for result in results:
        auth = result.phases.auth
        if not result.ok or auth is None:
            continue
        far = auth >= FAR_FACTOR * median and auth >= FAR_FLOOR
        if auth > limit or far:
            slow[result.host.name] = _slow_finding(result, limit, median)
    return slow, median


def time_decimals(limit: float) -> int:
    """Return the decimals that show a time next to ``limit`` seconds.

    Two decimals, or enough for one digit more than ``limit`` has, so a
    median next to a 0.001 s limit shows as 0.0004 s, not 0.00 s.
    """
    if limit <= 0:
        return 2
    return max(2, 1 - math.floor(math.log10(limit)))


def _slow_finding(result: HostResult, limit: float, median: float) -> Finding:
    phases = result.phases
    auth = phases.auth or 0.0
    reason = f"over the {limit:g} s limit" if auth > limit else "far above the median"
    breakdown = ", ".join(
        f"{name} {_seconds(getattr(phases, name))}"
        for name in ("connect", "handshake", "auth", "transfer")
    )
    digits = time_decimals(limit)
    message = (
        f"authentication took {auth:.{digits}f} s, {reason} "
        f"(fleet median {median:.{digits}f} s); {breakdown}"
    )
    return make(SLOW_AUTH, message, host=result.host.name)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"


def decide(
    reference: Sequence[Finding],
    reports: Sequence[HostReport],
    fail_on: str,
    baseline: str = "local",
) -> Verdict:
    """Return the verdict and exit code for ``fail_on``.

    Not ready means some finding reaches ``fail_on``.  With ``never`` the
    verdict still counts errors, but the exit code stays 0.  The sentence
    counts the findings that reach the threshold by where they come from.
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"unknown fail-on level {fail_on!r}")
    threshold = Severity.ERROR if fail_on == "never" else Severity.parse(fail_on)
    findings = [*reference]
    for report in reports:
        findings.extend(report.all_findings())
    code = exit_code(findings, fail_on)
    reasons = _reasons(reference, reports, threshold, baseline)
    if reasons:
        return Verdict(False, f"Not ready to restart: {', '.join(reasons)}.", code)
    return Verdict(True, _ready_sentence(reports, baseline), code)


def _reasons(reference, reports, threshold: Severity, baseline: str) -> list[str]:
    """Return one phrase per kind of problem that reaches ``threshold``."""
    what = "validation error" if threshold == Severity.ERROR else "validation finding"
    reasons = []
    count = sum(f.severity >= threshold for f in reference)
    if count:
        reasons.append(f"the local reference has {_plural(count, what)}")
    target = _BASELINE[baseline]
    # (phrase for one host, for several, the findings that count)
    kinds = [
        ("is unreachable", "are unreachable", _failure),
        (f"drifts from {target}", f"drift from {target}", lambda r: r.drift),
        (
            f"has a copy with a {what}",
            f"have copies with a {what}",
            lambda r: r.findings,
        ),
        ("authenticates slowly", "authenticate slowly", lambda r: [r.slow]),
    ]
    for one, several, select in kinds:
        number = sum(_reaches(select(report), threshold) for report in reports)
        if number == 1:
            reasons.append(f"1 host {one}")
        elif number:
            reasons.append(f"{number} hosts {several}")
    return reasons


def _failure(report: HostReport) -> list[Finding | None]:
    return [report.result.failure if report.result is not None else None]


def _reaches(found, threshold: Severity) -> bool:
    return any(f is not None and f.severity >= threshold for f in found)


_BASELINE = {"local": "the local reference", "majority": "the majority baseline"}


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _ready_sentence(reports: Sequence[HostReport], baseline: str) -> str:
    fetched = [r for r in reports if r.status in ("identical", "cosmetic")]
    cosmetic = sum(r.status == "cosmetic" for r in reports)
    disabled = sum(r.status == "disabled" for r in reports)
    if not fetched:
        sentence = (
            "Ready to restart: the local reference is valid and no host was fetched"
        )
    else:
        sentence = (
            f"Ready to restart: {_plural(len(fetched), 'host')} "
            f"{'matches' if len(fetched) == 1 else 'match'} {_BASELINE[baseline]}"
        )
    if cosmetic:
        sentence += f" ({cosmetic} only cosmetically)"
    if disabled:
        sentence += f"; {_plural(disabled, 'host')} disabled"
    return sentence + "."
