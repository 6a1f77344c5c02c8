"""The tools compared: how each is started and how its output is counted.

Every tool reads ``REMOTE_FILE`` from every host of a workspace, with the
workspace's ssh_config.  ``count_ok`` reads a tool's output and returns
how many hosts it got the file from, so a fast run that fetched nothing
is caught instead of timed.
"""

from __future__ import annotations

import compileall
import dataclasses
import importlib.util
import json
import re
import shutil
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workspace import REMOTE_FILE, Workspace

BENCH = Path(__file__).resolve().parent
# Scripts of this interpreter's environment, so that a pyenv shim (a shell
# script that costs tens of milliseconds) is not what gets timed.
SCRIPTS = Path(sysconfig.get_path("scripts"))
FANOUT = 64
# The tools that run gcheck's own code.
GCHECK = ("gcheck", "fetch")


@dataclass(frozen=True)
class Tool:
    """One way of reading the file from every host."""

    name: str
    label: str
    command: Callable[[Workspace], list[str]]
    count_ok: Callable[[bytes, Workspace], int]
    executable: str | None = None
    max_hosts: int | None = None
    # A source tree put first on PYTHONPATH, to time a changed copy of
    # gcheck beside the installed one.
    pythonpath: str | None = None

    def env(self, ws: Workspace) -> dict[str, str]:
        """Return the environment this tool runs in."""
        env = ws.env()
        if self.pythonpath is not None:
            env["PYTHONPATH"] = self.pythonpath
        return env

    def missing(self) -> str | None:
        """Return why the tool cannot run here, or None when it can."""
        if self.executable is None or _find(self.executable):
            return None
        return f"{self.executable} is not installed (pip install -e '.[bench]')"


def _find(name: str) -> str | None:
    candidate = SCRIPTS / name
    if candidate.is_file():
        return str(candidate)
    return shutil.which(name)


def _gcheck(ws: Workspace) -> list[str]:
    return [
        sys.executable, "-m", "gcheck", "check",
        "--config", str(ws.config), "-F", str(ws.ssh_config),
        "--scheduler-user", ws.login, "--format", "json", "--quiet",
        "--connect-timeout", f"{ws.connect_timeout:g}",
    ]  # fmt: skip


def _fetch(ws: Workspace) -> list[str]:
    return [
        sys.executable, str(BENCH / "fetch_floor.py"),
        "--config", str(ws.config), "-F", str(ws.ssh_config),
        "--scheduler-user", ws.login,
        "--connect-timeout", f"{ws.connect_timeout:g}",
    ]  # fmt: skip


def _clush(ws: Workspace, ssh_options: str = "") -> list[str]:
    return [
        _find("clush") or "clush", "-b", "-f", str(FANOUT),
        "-t", f"{ws.connect_timeout:g}", "-o", f"-F {ws.ssh_config}{ssh_options}",
        "-w", ",".join(ws.hosts), "cat", REMOTE_FILE,
    ]  # fmt: skip


def _clush_x25519(ws: Workspace) -> list[str]:
    # OpenSSH 9.0 and later prefer the post-quantum sntrup761x25519 key
    # exchange, which Paramiko 5.1 lacks.  It costs OpenSSH 9.2's client
    # about 90 ms of CPU per connection on the benchmark machine, so this
    # variant makes ssh use curve25519-sha256, as Paramiko does.
    return _clush(ws, " -o KexAlgorithms=curve25519-sha256")


def _ssh_loop(ws: Workspace) -> list[str]:
    script = f'for h in "$@"; do ssh -F "$CFG" "$h" cat {REMOTE_FILE}; done'
    script = script.replace("$CFG", str(ws.ssh_config))
    return ["bash", "-c", script, "ssh-loop", *ws.hosts]


def _ansible(ws: Workspace) -> list[str]:
    return [
        _find("ansible") or "ansible", "all", "-i", str(ws.inventory),
        "-m", "slurp", "-a", f"src={REMOTE_FILE}", "-f", str(FANOUT),
        "-T", f"{ws.connect_timeout:g}",
    ]  # fmt: skip


def _count_gcheck(stdout: bytes, ws: Workspace) -> int:
    # A host whose copy was fetched is compared, so its status is one of
    # these; "unreachable" and "disabled" hosts have no copy.
    fetched = ("identical", "cosmetic", "drifted")
    report = json.loads(stdout)
    return sum(host["status"] in fetched for host in report["hosts"])


def _count_fetch(stdout: bytes, ws: Workspace) -> int:
    return json.loads(stdout)["ok"]


def _count_clush(stdout: bytes, ws: Workspace) -> int:
    from ClusterShell.NodeSet import NodeSet

    # clush -b prints each group of identical outputs under a header line
    # naming its hosts as a folded node set, between lines of dashes.
    headers = re.findall(rb"(?m)^-+\n(.+?)(?: \(\d+\))?\n-+\n", stdout)
    return sum(len(NodeSet(header.decode())) for header in headers)


def _count_ssh_loop(stdout: bytes, ws: Workspace) -> int:
    expected = ws.config.read_bytes()
    return stdout.count(expected)


def _count_ansible(stdout: bytes, ws: Workspace) -> int:
    return len(re.findall(rb"(?m)^\S+ \| SUCCESS", stdout))


TOOLS = {
    tool.name: tool
    for tool in (
        Tool("gcheck", "gcheck check", _gcheck, _count_gcheck),
        Tool("fetch", "gcheck fetch only", _fetch, _count_fetch),
        Tool("clush", "clush -b", _clush, _count_clush, "clush"),
        Tool(
            "clush-x25519",
            "clush -b, curve25519 kex",
            _clush_x25519,
            _count_clush,
            "clush",
        ),
        Tool("ssh-loop", "ssh loop", _ssh_loop, _count_ssh_loop, "ssh", 50),
        Tool("ansible", "ansible slurp", _ansible, _count_ansible, "ansible", 50),
    )
}


def variants(label: str, tree: str) -> list[Tool]:
    """Return gcheck's two tools run from the source tree ``tree``."""
    return [
        dataclasses.replace(
            TOOLS[name],
            name=f"{name}@{label}",
            label=f"{TOOLS[name].label} ({label})",
            pythonpath=tree,
        )
        for name in GCHECK
    ]


def compile_gcheck(tools: list[Tool]) -> None:
    """Write the bytecode of every gcheck copy that ``tools`` run.

    pip compiles a wheel's modules when it installs them, as it did for
    ClusterShell, Ansible and Paramiko.  An editable install has no
    bytecode, so with PYTHONDONTWRITEBYTECODE set each run would compile
    gcheck again, which took about 65 ms here.
    """
    trees = {tool.pythonpath for tool in tools if tool.name.split("@")[0] in GCHECK}
    for tree in trees:
        if tree is None:
            spec = importlib.util.find_spec("gcheck")
            package = str(Path(spec.origin).parent) if spec and spec.origin else None
        else:
            package = str(Path(tree) / "gcheck")
        if package is not None:
            compileall.compile_dir(package, quiet=1)
