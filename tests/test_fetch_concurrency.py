"""fetch_all with many workers at once, against real sshd hosts."""

from __future__ import annotations

import errno
import logging
import os
import pwd
import resource

import pytest
from test_fetch_fleet import hosts_of

from gcheck.fetch import FetchOptions, fetch_all
from gcheck.fetch_errors import AUTH, CONNECT, classify

ALIASES = 40
# sshd drops unauthenticated connections beyond MaxStartups (default
# 10:30:100), so the aliases are spread over enough hosts to stay below 10.
SERVERS = 8
ROUNDS = 4


def alias_config(fleet, count: int):
    """Write an ssh_config with ``count`` aliases spread over the fleet's hosts."""
    names = list(fleet.hosts)
    blocks = []
    aliases = []
    for number in range(count):
        alias = f"alias{number:02d}"
        aliases.append(alias)
        target = fleet.address(names[number % len(names)])
        blocks.append(f"Host {alias}\n    HostName {target}\n")
    path = fleet.folder / "alias_ssh_config"
    path.write_text("\n".join(blocks) + "\n" + fleet.ssh_config.read_text())
    return path, aliases


def test_many_workers_all_succeed(start_fleet, caplog):
    fleet = start_fleet({f"server{n}": "ok" for n in range(SERVERS)})
    path, aliases = alias_config(fleet, ALIASES)
    hosts = hosts_of(fleet, aliases, ssh_config=path)
    options = FetchOptions(
        workers=ALIASES,
        connect_timeout=10,
        auth_timeout=10,
        transfer_timeout=10,
        deadline=60,
    )
    # Debug logging makes Fabric dump its config on every connection,
    # which widens the window for threads that share one config.
    caplog.set_level(logging.DEBUG)
    for _ in range(ROUNDS):
        results = fetch_all(hosts, options)
        failed = {r.host.name: r.failure.message for r in results if not r.ok}
        assert failed == {}
        assert len(results) == ALIASES


@pytest.fixture
def descriptor_limit():
    """Return ``lower(free)``: keep only ``free`` descriptors unused until teardown."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    def lower(free: int) -> int:
        limit = len(os.listdir("/proc/self/fd")) + free
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
        return limit

    yield lower
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_workers_fit_descriptor_limit(start_fleet, descriptor_limit, caplog):
    fleet = start_fleet({f"server{n}": "ok" for n in range(SERVERS)})
    path, aliases = alias_config(fleet, ALIASES)
    hosts = hosts_of(fleet, aliases, ssh_config=path)
    options = FetchOptions(workers=ALIASES, connect_timeout=10, deadline=60)
    caplog.set_level(logging.WARNING, logger="gcheck.fetch")
    descriptor_limit(40)
    results = fetch_all(hosts, options)
    failed = {r.host.name: r.failure.message for r in results if not r.ok}
    assert failed == {}
    [record] = caplog.records
    assert f"instead of {ALIASES}" in record.getMessage()
    assert "ulimit -n" in record.getMessage()


def test_workers_need_no_password_database(start_fleet, monkeypatch):
    # Out of file descriptors, the C library cannot read /etc/passwd.
    fleet = start_fleet({"drone01": "ok"})
    hosts = hosts_of(fleet, ["drone01"])
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)

    def no_entry(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    [result] = fetch_all(hosts, FetchOptions(connect_timeout=5, deadline=20))
    assert result.ok, result.failure


@pytest.mark.parametrize("number", [errno.EMFILE, errno.ENFILE])
@pytest.mark.parametrize("step", [CONNECT, AUTH])
def test_descriptor_exhaustion_is_local(number, step):
    error = OSError(number, os.strerror(number))
    failure = classify(error, step, banner_seen=True)
    assert failure.code == "H109"
    assert os.strerror(number) in failure.message
    assert "OSError" not in failure.message
