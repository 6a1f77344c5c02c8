"""Start a fleet of real sshd hosts for a comparison, with the tests' harness.

Every working host serves the same global_config.ini and shadow_config.ini.
In a degraded fleet some hosts never send an SSH banner and some take
seconds to authenticate.  They are spread evenly through the host list,
so no tool meets them all at its end.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import sshfleet

PREFIX = "drone"


@dataclass(frozen=True)
class Running:
    """A started fleet: its host names and the ssh_config that reaches them."""

    hosts: list[str]
    ssh_config: Path
    login: str
    kinds: dict[str, str]


def host_names(count: int) -> list[str]:
    """Return the names the fleet's hosts get: drone001, drone002 and on."""
    return [f"{PREFIX}{index:03d}" for index in range(1, count + 1)]


def spread(names: list[str], never_answer: int, slow_auth: int) -> dict[str, str]:
    """Return each host's kind, with the misbehaving ones spread evenly."""
    kinds = dict.fromkeys(names, "ok")
    bad = never_answer + slow_auth
    if bad == 0:
        return kinds
    step = len(names) / bad
    for position in range(bad):
        name = names[int(position * step + step / 2)]
        kinds[name] = "silent" if position < never_answer else "slow-auth"
    return kinds


def missing() -> list[str]:
    """Return what this machine lacks to start a fleet, as sentences."""
    return sshfleet.missing_setup()


@contextlib.contextmanager
def started(
    root: Path,
    kinds: dict[str, str],
    global_config: bytes,
    shadow_config: bytes,
    slow_auth_seconds: float,
) -> Iterator[Running]:
    """Start one sshd per host of ``kinds``; stop them all on leaving."""
    root.mkdir(parents=True, exist_ok=True)
    fleet = sshfleet.Fleet(root, slow_auth_delay=slow_auth_seconds)
    for name, kind in kinds.items():
        fleet.add(name, kind, global_config=global_config, shadow_config=shadow_config)
    with fleet:
        yield Running(list(kinds), fleet.ssh_config, fleet.login, dict(kinds))
