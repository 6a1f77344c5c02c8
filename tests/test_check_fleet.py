"""``gcheck check`` end to end, through ``main()``, against real sshd hosts.

One fleet of twenty hosts serves the reference config with faults mixed
in; a second fleet serves it everywhere, repaired.  Each fleet is fetched
once: later runs of ``main()`` on the same fleet reuse the first result,
so every output format is tested without fetching again.
"""

from __future__ import annotations

import io
import json
import re
import time
import xml.etree.ElementTree as ET
from contextlib import redirect_stdout
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import sshfleet

from gcheck import check, load
from gcheck.cli import main
from gcheck.fetch import FetchOptions
from gcheck.report import render_check
from gcheck.schema import load as load_schema

# The real Autotest files (the data_dir fixture is per test; fleets are
# per module).
DATA = Path(__file__).resolve().parent / "data" / "autotest"
# Secrets served by the hosts; no output format may contain them.
REFERENCE_SECRET = "reference-db-secret-5c1e"
DRIFTED_SECRET = "drifted-db-secret-9a4f"
HOSTS = [f"drone{n:02d}" for n in range(1, 21)]
FAULTS = {
    "drone13": "ok",  # drifted value
    "drone14": "ok",  # missing option
    "drone15": "ok",  # cosmetic difference only
    "drone16": "ok",  # drifted secret in the shadow file
    "drone17": "refused",  # down: nothing listens
    "drone18": "closer",  # drops every connection
    "drone19": "slow-auth",  # 3 s authentication
    "drone20": "ok",  # its <host>_username is rejected
}
SLOW_AUTH_SECONDS = 3.0
# The pipeline itself, kept before any fixture wraps it.
REAL_RUN = check.run

pytestmark = pytest.mark.skipif(
    bool(sshfleet.missing_setup()), reason="; ".join(sshfleet.missing_setup())
)


def reference_files(data_dir, rejected: str | None) -> tuple[bytes, bytes]:
    """Return the shipped global_config.ini listing the fleet, and a shadow."""
    text = (data_dir / "global_config.ini").read_text()
    text = text.replace("drones: localhost", f"drones: {','.join(HOSTS)}")
    if rejected is not None:
        # The login the server rejects: no such user on the host.
        text = text.replace(
            "results_host: localhost",
            f"results_host: localhost\n{rejected}_username: intruder",
        )
    shadow = f"[AUTOTEST_WEB]\npassword: {REFERENCE_SECRET}\n"
    return text.encode(), shadow.encode()


def served_files(name: str, global_config: bytes, shadow: bytes) -> tuple[bytes, bytes]:
    """Return what host ``name`` of the faulty fleet serves."""
    text = global_config.decode()
    if name == "drone13":
        text = text.replace(
            "max_processes_per_drone: 1000", "max_processes_per_drone: 999"
        )
    elif name == "drone14":
        text = text.replace("tick_pause_sec: 5\n", "")
    elif name == "drone15":
        text = text.replace("drop_caches: False", "drop_caches: false")
    elif name == "drone16":
        shadow = f"[AUTOTEST_WEB]\npassword: {DRIFTED_SECRET}\n".encode()
    return text.encode(), shadow


def start_fleet(tmp_path, data_dir, faulty: bool):
    """Start the fleet and write the local reference; return both."""
    rejected = "drone20" if faulty else None
    global_config, shadow = reference_files(data_dir, rejected)
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "global_config.ini").write_bytes(global_config)
    (reference / "shadow_config.ini").write_bytes(shadow)

    fleet = sshfleet.Fleet(tmp_path / "fleet", slow_auth_delay=SLOW_AUTH_SECONDS)
    for name in HOSTS:
        kind = FAULTS.get(name, "ok") if faulty else "ok"
        files = (
            served_files(name, global_config, shadow)
            if faulty
            else (global_config, shadow)
        )
        fleet.add(name, kind, global_config=files[0], shadow_config=files[1])
    fleet.start()
    return fleet, reference


class OneFetch:
    """Runs the real check once per fleet; later runs return that result."""

    def __init__(self) -> None:
        self.result = None
        self.runs = 0

    def __call__(self, options, on_result=None, on_start=None):
        if self.result is None:
            self.result = REAL_RUN(options, on_result, on_start)
        self.runs += 1
        return self.result


def run_main(argv: list[str]) -> tuple[int, str]:
    stream = io.StringIO()
    with redirect_stdout(stream):
        status = main(argv)
    return status, stream.getvalue()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    yield from _fleet_run(tmp_path_factory, DATA, faulty=True)


@pytest.fixture(scope="module")
def repaired(tmp_path_factory):
    yield from _fleet_run(tmp_path_factory, DATA, faulty=False)


def _fleet_run(tmp_path_factory, data_dir, faulty: bool):
    tmp_path = tmp_path_factory.mktemp("faulty" if faulty else "repaired")
    fleet, reference = start_fleet(tmp_path, data_dir, faulty)
    once = OneFetch()
    patch = pytest.MonkeyPatch()
    patch.setattr(check, "run", once)
    argv = [
        "check",
        "--config",
        str(reference / "global_config.ini"),
        "-F",
        str(fleet.ssh_config),
        "--scheduler-user",
        fleet.login,
        # Generous limits: no host here hangs, and a loaded CI machine
        # must not turn a slow start into an unreachable host.
        "--connect-timeout",
        "10",
        "--auth-timeout",
        "20",
        "--save",
        str(tmp_path / "saved"),
    ]
    try:
        yield argv, reference, tmp_path / "saved", once
    finally:
        patch.undo()
        fleet.stop()


def test_faulty_fleet_text_report(faulty):
    argv, _, _, _ = faulty
    status, out = run_main(argv)
    assert status == 1
    lines = out.splitlines()
    assert "Unreachable (3)" in lines
    assert any(re.match(r"  H102 .*: drone17$", line) for line in lines), out
    assert any(re.match(r"  H10[47] .*: drone18$", line) for line in lines), out
    assert any(re.match(r"  H301 .*: drone20$", line) for line in lines), out
    assert any(line.startswith("Slow authentication (1)") for line in lines), out
    assert any(line.startswith("  drone19: authentication took ") for line in lines)
    # The results host is the local machine, whose copy is the reference.
    assert "  identical: drone[01-12,19],localhost" in lines
    assert "  [SCHEDULER] max_processes_per_drone" in lines
    assert "    '999' (drifted, D401): drone13" in lines
    assert "    unset (missing, D403): drone14" in lines
    assert "    'false' (cosmetic, D402): drone15" in lines
    assert "  [AUTOTEST_WEB] password (secret, values hidden)" in lines
    assert "    differs (secret, D408): drone16" in lines
    assert "  shadow_config.ini differs (D407): drone16" in lines
    # drone14 lacks a key Autotest requires, so its copy is invalid too.
    assert lines[-1] == (
        "Not ready to restart: 3 hosts are unreachable, "
        "3 hosts drift from the local reference, "
        "1 host has a copy with a validation error."
    )


def test_faulty_fleet_json_matches_schema(faulty):
    argv, _, _, _ = faulty
    status, out = run_main([*argv, "--format", "json"])
    assert status == 1
    document = json.loads(out)
    schema_text = resources.files("gcheck").joinpath("data/check-report.schema.json")
    jsonschema.validate(document, json.loads(schema_text.read_text()))
    statuses = {host["name"]: host["status"] for host in document["hosts"]}
    assert statuses == {
        **{name: "identical" for name in HOSTS},
        "localhost": "identical",
        "drone13": "drifted",
        "drone14": "drifted",
        "drone15": "cosmetic",
        "drone16": "drifted",
        "drone17": "unreachable",
        "drone18": "unreachable",
        "drone20": "unreachable",
    }
    slow = [host["name"] for host in document["hosts"] if host["slow_auth"]]
    assert slow == ["drone19"]
    drone19 = next(host for host in document["hosts"] if host["name"] == "drone19")
    assert drone19["phases"]["auth"] >= SLOW_AUTH_SECONDS
    assert document["verdict"]["ready"] is False


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github"])
def test_secret_in_no_format(faulty, fmt):
    argv, _, _, _ = faulty
    _, out = run_main([*argv, "--format", fmt])
    assert REFERENCE_SECRET not in out
    assert DRIFTED_SECRET not in out


def test_faulty_fleet_junit_case_per_host(faulty):
    argv, _, _, _ = faulty
    _, out = run_main([*argv, "--format", "junit"])
    cases = ET.fromstring(out).findall("testsuite/testcase")
    names = [case.get("name") for case in cases]
    assert names[1:] == [*HOSTS, "localhost"]
    failed = [
        case.get("name") for case in cases[1:] if case.find("failure") is not None
    ]
    assert failed == [
        "drone13",
        "drone14",
        "drone16",
        "drone17",
        "drone18",
        "drone19",
        "drone20",
    ]


def test_repaired_fleet_is_ready(repaired):
    argv, reference, saved, _ = repaired
    before = (reference / "global_config.ini").read_bytes()
    status, out = run_main(argv)
    assert status == 0, out
    lines = out.splitlines()
    assert "  identical: drone[01-20],localhost" in lines
    assert lines[-1] == "Ready to restart: 21 hosts match the local reference."
    assert (reference / "global_config.ini").read_bytes() == before
    for name in HOSTS:
        assert (saved / name / "global_config.ini").read_bytes() == before
        assert (
            REFERENCE_SECRET.encode()
            in (saved / name / "shadow_config.ini").read_bytes()
        )


def test_repaired_fleet_check_is_cheap(repaired):
    argv, reference, _, once = repaired
    run_main(argv)
    result = once.result
    config = load.load(str(reference / "global_config.ini"))
    schema = load_schema()
    hosts = [report.host for report in result.hosts]
    fetched = [report.result for report in result.hosts if report.result]
    options = check.CheckOptions(fetch=FetchOptions())

    # Everything after the fetch: reading, validating and comparing the
    # copies, then rendering.  It must stay small beside the network time.
    started = time.perf_counter()
    again = check.examine(config, result.reference, hosts, fetched, schema, options)
    render_check(again, "text", io.StringIO())
    spent = time.perf_counter() - started
    assert again.verdict == result.verdict
    assert spent < 0.25 * result.fetch_elapsed
