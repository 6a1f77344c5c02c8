"""fetch_all with many workers at once, against real sshd hosts."""

from __future__ import annotations

import logging

from test_fetch_fleet import hosts_of

from gcheck.fetch import FetchOptions, fetch_all

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
