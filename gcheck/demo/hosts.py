"""The demo fleet's hosts: the copy of global_config.ini each one serves and
how each one behaves on the wire.

Every copy starts from the example file that Autotest ships (a copy is in
this package), with the scheduler's host list pointed at the demo hosts.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from importlib import resources

# Login for drones without ``<host>_username``: the demo runs the check as
# if the scheduler ran as this user.
SCHEDULER_USER = "autotest"
RESULTS_LOGIN = "offloader"
INSTALL_DIR = "/usr/local/autotest"
CONFIG_NAME = "global_config.ini"
SLOW_AUTH_SECONDS = 3.0
# The drifted password on the results host.  A test asserts that no report
# ever shows it.
DRIFTED_SECRET = "demo-drifted-secret-Xq81"


class Behaviour(enum.Enum):
    """Behaviour of a demo host's SSH server towards each connection."""

    SERVE = "serve"
    SLOW_AUTH = "slow-auth"
    CLOSE_EARLY = "close-early"
    NO_LISTENER = "no-listener"


@dataclass(frozen=True)
class HostSpec:
    """One demo host: its name, login, behaviour and edits to its copy."""

    name: str
    login: str
    behaviour: Behaviour
    # Expected outcome in the report, listed in the demo's introduction.
    shows: str
    # (old line, new line) pairs applied to the reference copy.
    edits: tuple[tuple[str, str], ...] = ()
    results_host: bool = False


HOSTS: tuple[HostSpec, ...] = (
    HostSpec("drone01", SCHEDULER_USER, Behaviour.SERVE, "an identical copy"),
    HostSpec("drone02", SCHEDULER_USER, Behaviour.SERVE, "an identical copy"),
    HostSpec(
        "drone03",
        SCHEDULER_USER,
        Behaviour.SERVE,
        "cosmetic drift: enable_master_ssh written as true, same boolean",
        edits=(("enable_master_ssh: True", "enable_master_ssh: true"),),
    ),
    HostSpec(
        "drone04",
        SCHEDULER_USER,
        Behaviour.SERVE,
        "drift: max_processes_per_drone is 200, not 1000",
        edits=(("max_processes_per_drone: 1000", "max_processes_per_drone: 200"),),
    ),
    HostSpec(
        "drone05",
        SCHEDULER_USER,
        Behaviour.SLOW_AUTH,
        f"slow authentication ({SLOW_AUTH_SECONDS:g} s), identical copy",
    ),
    HostSpec(
        "drone06",
        SCHEDULER_USER,
        Behaviour.CLOSE_EARLY,
        "closes every connection before the SSH banner",
    ),
    HostSpec(
        "drone07",
        SCHEDULER_USER,
        Behaviour.NO_LISTENER,
        "nothing listens on its port (connection refused)",
    ),
    HostSpec(
        "results",
        RESULTS_LOGIN,
        Behaviour.SERVE,
        "a drifted secret: [AUTOTEST_WEB] password differs (value masked)",
        edits=(
            (
                "password: please_set_this_password",
                f"password: {DRIFTED_SECRET}",
            ),
        ),
        results_host=True,
    ),
)


def example_config() -> str:
    """Return the example global_config.ini shipped with Autotest."""
    return resources.files(__package__).joinpath(CONFIG_NAME).read_text("ascii")


def reference_config(hosts: tuple[HostSpec, ...] = HOSTS) -> str:
    """Return the example config with the scheduler pointed at ``hosts``.

    Drones log in as the scheduler's user, and the results host through
    its own ``<host>_username`` key.
    """
    drones = ",".join(spec.name for spec in hosts if not spec.results_host)
    results = next(spec for spec in hosts if spec.results_host)
    text = replace_line(example_config(), "drones: localhost", f"drones: {drones}")
    return replace_line(
        text,
        "results_host: localhost",
        f"results_host: {results.name}\n{results.name}_username: {results.login}",
    )


def host_copy(spec: HostSpec, reference: str) -> bytes:
    """Return the bytes that ``spec``'s host serves as its global_config.ini."""
    text = reference
    for old, new in spec.edits:
        text = replace_line(text, old, new)
    return text.encode("ascii")


def replace_line(text: str, old: str, new: str) -> str:
    """Replace the one line equal to ``old`` with ``new``.

    Raises ``ValueError`` unless exactly one line matches, so an edit to
    the shipped example cannot silently stop applying.
    """
    pattern = re.compile(rf"^{re.escape(old)}$", re.MULTILINE)
    result, count = pattern.subn(lambda _match: new, text)
    if count != 1:
        raise ValueError(f"expected one line {old!r} in the example, found {count}")
    return result
