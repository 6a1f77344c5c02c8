"""fetch_all against real sshd hosts: every failure class, host keys, limits.

One module-wide fleet contains two hosts of every kind the harness can
make.  Tests that change known_hosts or need other timings start fleets
of their own.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sshfleet

from gcheck import inventory, reader
from gcheck.config import build
from gcheck.fetch import FetchOptions, fetch_all

# Every host kind, and the outcome fetch_all gives it: an H code, or the
# method that read the files.
EXPECTED = {
    "ok": "sftp",
    "slow-auth": "sftp",
    "no-sftp": "cat",
    "max-startups": "H104",
    "closer": "H104",
    "refused": "H102",
    "blackhole": "H103",
    "silent": "H105",
    "kex-fail": "H106",
    "unknown-key": "H201",
    "changed-key": "H202",
    "reject-login": "H301",
    "passphrase": "H302",
    "missing-file": "H401",
    "unreadable": "H402",
    "large-file": "H404",
    "hang-after-auth": "H406",
}
# The last phase each kind reaches.
LAST_PHASE = {
    "refused": "connect",
    "blackhole": "connect",
    "closer": "handshake",
    "max-startups": "handshake",
    "silent": "handshake",
    "kex-fail": "handshake",
    "unknown-key": "handshake",
    "changed-key": "handshake",
    "reject-login": "auth",
    "passphrase": "auth",
}
PHASES = ("connect", "handshake", "auth", "transfer")
SLOW_AUTH = 1.0
# Limits short enough for a quick suite, and long enough that a working
# host passes on a loaded machine.
QUICK = FetchOptions(
    workers=8,
    connect_timeout=2.0,
    auth_timeout=5.0,
    transfer_timeout=2.0,
    deadline=20.0,
)
# Not a valid host name, so it is reported without any DNS query.
INVALID_NAME = "no!such!host"


def hosts_of(fleet, names, ssh_config=None, **build_options):
    """Return the inventory of a config whose drones are ``names``."""
    text = (
        "[SCHEDULER]\n"
        f"drones: {','.join(names)}\n"
        "drone_installation_directory: /usr/local/autotest\n"
        f"results_host: {names[0]}\n"
    )
    config = build(reader.parse(text.encode(), "/nonexistent/global_config.ini"))
    return inventory.build(
        config,
        scheduler_user=fleet.login,
        ssh_config=str(ssh_config or fleet.ssh_config),
        **build_options,
    )


def outcome(result):
    return result.failure.code if result.failure else result.method


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory, fleet_required):
    fleet = sshfleet.Fleet(
        tmp_path_factory.mktemp("every-kind"), slow_auth_delay=SLOW_AUTH
    )
    for kind in EXPECTED:
        for number in (1, 2):
            fleet.add(f"{kind}-{number}", kind)
    with fleet:
        yield fleet


@pytest.fixture(scope="module")
def every_result(every_kind):
    hosts = hosts_of(every_kind, list(every_kind.hosts), add=[INVALID_NAME])
    started = time.monotonic()
    results = fetch_all(hosts, QUICK)
    return results, time.monotonic() - started


def test_every_host_in_its_class(every_result):
    results, _ = every_result
    assert len(results) == 2 * len(EXPECTED) + 1
    for result in results:
        if result.host.name == INVALID_NAME:
            assert outcome(result) == "H108"
            continue
        kind = result.host.name.rsplit("-", 1)[0]
        assert outcome(result) == EXPECTED[kind], (result.host.name, result.failure)


def test_run_ends_before_deadline(every_result):
    _, elapsed = every_result
    assert elapsed < QUICK.deadline


def test_failures_name_their_host(every_result):
    results, _ = every_result
    for result in results:
        assert result.ok is (result.failure is None)
        if result.failure is not None:
            assert result.failure.host == result.host.name
            assert result.failure.severity.label == "error"
            assert result.failure.hint
            assert result.files == {}


def test_phases_stop_where_the_failure_is(every_result):
    results, _ = every_result
    for result in results:
        kind = result.host.name.rsplit("-", 1)[0]
        last = LAST_PHASE.get(kind, "transfer")
        reached = PHASES[: PHASES.index(last) + 1]
        if result.host.name == INVALID_NAME:
            reached = ()
        for phase in PHASES:
            value = getattr(result.phases, phase)
            if phase in reached:
                assert value is not None and value >= 0, (result.host.name, phase)
            else:
                assert value is None, (result.host.name, phase)


def test_phase_timings_plausible(every_result):
    results, _ = every_result
    by_name = {r.host.name: r for r in results}
    for number in (1, 2):
        fast = by_name[f"ok-{number}"].phases
        assert 0 < fast.connect < 0.5
        assert 0 < fast.handshake < 1.0
        assert 0 < fast.auth < 1.0
        assert 0 < fast.transfer < 1.0
        slow = by_name[f"slow-auth-{number}"].phases
        assert slow.auth > SLOW_AUTH
        assert slow.handshake < SLOW_AUTH
    # Hosts that never send a banner end at their limit, not before.
    assert by_name["silent-1"].phases.handshake >= QUICK.connect_timeout
    assert by_name["blackhole-1"].phases.connect >= QUICK.connect_timeout * 0.9
    assert by_name["hang-after-auth-1"].phases.transfer >= QUICK.transfer_timeout


def test_files_are_the_served_bytes(every_kind, every_result):
    results, _ = every_result
    by_name = {r.host.name: r for r in results}
    for name in ("ok-1", "slow-auth-2", "no-sftp-1"):
        served = every_kind.hosts[name]
        files = by_name[name].files
        assert files["global_config.ini"] == served.global_config
        assert files["shadow_config.ini"] == served.shadow_config


def test_messages_say_what_failed(every_kind, every_result):
    results, _ = every_result
    by_name = {r.host.name: r.failure.message for r in results if r.failure}
    address = every_kind.address("reject-login-1")
    assert f"{every_kind.login}@{address}" in by_name["reject-login-1"]
    assert "publickey" in by_name["reject-login-1"]
    assert str(every_kind.passphrase_key) in by_name["passphrase-1"]
    assert "/usr/local/autotest/global_config.ini" in by_name["missing-file-1"]
    assert "ssh-ed25519 SHA256:" in by_name["unknown-key-1"]
    assert "changed" in by_name["changed-key-1"]


def test_missing_shadow_is_not_a_failure(start_fleet):
    fleet = start_fleet(
        {"drone01": "ok"}, files={"drone01": {"shadow_config": sshfleet.ABSENT}}
    )
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.ok
    assert result.files["shadow_config.ini"] is None
    assert result.files["global_config.ini"] == fleet.hosts["drone01"].global_config


def test_cat_fallback_reads_missing_shadow(start_fleet):
    fleet = start_fleet(
        {"drone01": "no-sftp"}, files={"drone01": {"shadow_config": sshfleet.ABSENT}}
    )
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.method == "cat"
    assert result.files["shadow_config.ini"] is None


def test_cat_fallback_keeps_bytes(start_fleet):
    data = b"[SCHEDULER]\nname: caf\xe9 \xff\x00 end\n"
    fleet = start_fleet(
        {"drone01": "no-sftp"}, files={"drone01": {"global_config": data}}
    )
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.method == "cat"
    assert result.files["global_config.ini"] == data


def test_size_limit_applies(start_fleet):
    data = b"[SCHEDULER]\n" + b"#" * 5000 + b"\n"
    fleet = start_fleet(
        {"sftp": "ok", "cat": "no-sftp"},
        files={name: {"global_config": data} for name in ("sftp", "cat")},
    )
    options = FetchOptions(
        connect_timeout=1, auth_timeout=2, deadline=5, max_bytes=4096
    )
    results = fetch_all(hosts_of(fleet, ["sftp", "cat"]), options)
    assert [outcome(r) for r in results] == ["H404", "H404"]


def test_bounded_pool(start_fleet):
    names = [f"slow{n}" for n in range(6)]
    fleet = start_fleet(dict.fromkeys(names, "slow-auth"), slow_auth_delay=0.4)
    addresses = {sshfleet.proc_net_address(fleet.address(n), 22) for n in names}
    peak = ConnectionCounter(addresses)
    options = FetchOptions(workers=2, connect_timeout=1, auth_timeout=3, deadline=10)
    with peak:
        started = time.monotonic()
        results = fetch_all(hosts_of(fleet, names), options)
        elapsed = time.monotonic() - started
    assert all(r.ok for r in results)
    assert peak.maximum == 2
    # Six logins of 0.4 s, two at a time: at least three rounds.
    assert elapsed >= 3 * 0.4


def test_deadline_with_hanging_hosts(start_fleet):
    kinds = {
        "fine": "ok",
        "no-banner": "silent",
        "no-connect": "blackhole",
        "hangs-after-login": "hang-after-auth",
        "login-hangs": "slow-auth",
    }
    fleet = start_fleet(kinds, slow_auth_delay=30)
    patient = FetchOptions(
        workers=8,
        connect_timeout=30,
        auth_timeout=30,
        transfer_timeout=30,
        deadline=3.0,
    )
    started = time.monotonic()
    results = fetch_all(hosts_of(fleet, list(kinds)), patient)
    elapsed = time.monotonic() - started
    assert elapsed < patient.deadline + 1.0
    by_name = {r.host.name: r for r in results}
    assert by_name["fine"].ok
    for name in ("no-banner", "no-connect", "hangs-after-login", "login-hangs"):
        failure = by_name[name].failure
        assert failure.code == "H501", (name, failure)
    assert "during auth" in by_name["login-hangs"].failure.message
    assert "during transfer" in by_name["hangs-after-login"].failure.message
    assert by_name["login-hangs"].phases.auth >= 1.0


def test_deadline_reports_hosts_never_started(start_fleet):
    fleet = start_fleet({"a": "silent", "b": "silent", "c": "ok"})
    options = FetchOptions(workers=1, connect_timeout=5, deadline=0.5)
    results = fetch_all(hosts_of(fleet, ["a", "b", "c"]), options)
    assert [outcome(r) for r in results] == ["H501", "H501", "H501"]
    assert "before the fetch started" in results[2].failure.message
    assert results[2].phases.connect is None


def test_on_result_sees_every_host(every_kind):
    names = ["ok-1", "refused-1", "closer-1"]
    seen = []
    results = fetch_all(hosts_of(every_kind, names), QUICK, on_result=seen.append)
    assert sorted(r.host.name for r in seen) == sorted(names)
    assert [r.host.name for r in results] == names
    assert all(threading.current_thread() is threading.main_thread() for _ in seen)


class ConnectionCounter:
    """Samples /proc/net/tcp for client connections to some addresses.

    The kernel writes the table in chunks, so one read can show a closing
    connection and its successor together.  ``maximum`` therefore counts
    only what two reads in a row agree on.  A connection beyond the pool's
    bound would last a whole login (0.4 s or more) and still show.
    """

    def __init__(self, addresses: set[str]) -> None:
        self.addresses = addresses
        self.maximum = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        previous = 0
        while not self._stop.is_set():
            with open("/proc/net/tcp") as table:
                rows = [line.split() for line in table.readlines()[1:]]
            # Client side: the remote end is the host, the state ESTABLISHED.
            count = sum(1 for r in rows if r[2] in self.addresses and r[3] == "01")
            self.maximum = max(self.maximum, min(count, previous))
            previous = count
            time.sleep(0.005)


def test_fleet_stop_leaves_nothing(tmp_path, fleet_required):
    fleet = sshfleet.Fleet(tmp_path / "fleet", slow_auth_delay=30)
    for name, kind in {"a": "ok", "b": "hang-after-auth", "c": "silent"}.items():
        fleet.add(name, kind)
    fleet.start()
    folder, run_dir = fleet.folder, fleet.run_dir
    addresses = {sshfleet.proc_net_address(fleet.address(n), 22) for n in "abc"}
    # Leave a session running on "b" (its command sleeps) when the fleet stops.
    options = FetchOptions(connect_timeout=2, transfer_timeout=30, deadline=1.0)
    [hung] = fetch_all(hosts_of(fleet, ["b"]), options)
    assert hung.failure.code == "H501"
    assert addresses <= sshfleet.listening_addresses()
    unshare = fleet.hosts["b"].process.pid
    children = Path(f"/proc/{unshare}/task/{unshare}/children").read_text().split()
    namespace = Path(f"/proc/{children[0]}/ns/mnt").readlink()
    inside = processes_in(namespace)
    # sshd, its session process, and the session's command at least.
    assert len(inside) >= 3

    fleet.stop()
    assert not addresses & sshfleet.listening_addresses()
    assert not folder.exists()
    assert not run_dir.exists()
    # Pids, not the namespace: its inode number may be reused by then.
    assert [pid for pid in inside if running(pid)] == []
    fleet.stop()  # a second stop does nothing


def processes_in(namespace: Path) -> set[int]:
    """Return the pids whose mount namespace is ``namespace``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "ns" / "mnt").readlink() == namespace:
                found.add(int(entry.name))
        except OSError:
            continue  # the process ended meanwhile
    return found


def running(pid: int) -> bool:
    """Return whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state follows the command name, which is in parentheses.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
