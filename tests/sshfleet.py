"""A fleet of real OpenSSH servers on loopback addresses, for tests and benchmarks.

Every host is one ``sshd -D -f CONFIG`` listening on its own address
``127.B.X.Y``, port 22 by default (all of 127.0.0.0/8 is local).  Each
runs inside its own mount and PID namespaces (``unshare -m -p --fork
--propagation private --kill-child``) after bind-mounting the host's own
folder over the parent of the installation directory (``/usr/local`` for
``/usr/local/autotest``).  So every host serves a different file at the
same path, the real ``/usr/local`` is never touched, and killing the
``unshare`` process kills sshd and every session it started.  Each
process also gets SIGKILL when the thread that started the fleet ends
(``setpriv --pdeathsig``), so a test run that is killed leaves no server
holding an address.  Start fleets from a thread that lives as long as
the fleet, such as the main thread.

Host kinds make each failure gcheck classifies happen for real, see
``KINDS``.  The login is an unprivileged user (``gcheck-test``) so that a
file of mode 000 is unreadable even when the tests run as root.

System setup the fleet needs (``missing_setup()`` lists what is absent)::

    apt-get install -y openssh-server openssh-client util-linux
    mkdir -p /run/sshd
    useradd --system --shell /bin/sh --no-create-home \\
        --home-dir /nonexistent --password '*' gcheck-test

Run as root: sshd needs it to bind port 22, switch users and mount.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

SSHD = "/usr/sbin/sshd"
DEFAULT_LOGIN = "gcheck-test"
INSTALL_DIR = "/usr/local/autotest"
# sshd runs an AuthorizedKeysCommand only when the script and every folder
# above it are root-owned and not group- or world-writable, which rules
# out /tmp.  /run is root-owned 0755 on Linux.
RUN_ROOT = Path("/run/gcheck-sshfleet")
PASSPHRASE = b"fleet passphrase"
# Pass as a file's content to serve no such file.
ABSENT = b"\0absent"

# Kinds served by a real sshd, and what each does differently.
SSHD_KINDS = {
    "ok": "a working host with both files",
    "slow-auth": "AuthorizedKeysCommand sleeps before printing the key",
    "max-startups": "MaxStartups 1:100:1 with one connection held open by the fleet",
    "reject-login": "DenyUsers rejects the login",
    "missing-file": "no global_config.ini",
    "unreadable": "global_config.ini has mode 000 and belongs to root",
    "no-sftp": "no sftp subsystem",
    "changed-key": "known_hosts holds another key for the host",
    "unknown-key": "known_hosts has no key for the host",
    "hang-after-auth": "every session runs a command that sleeps forever",
    "kex-fail": "only a key exchange algorithm Paramiko lacks",
    "large-file": "global_config.ini of 1.5 MiB",
    "passphrase": "the client's only key for it needs a passphrase",
}
# Kinds served by the fleet's own listener process, or by nothing.
LISTENER_KINDS = {
    "silent": "accepts connections and never sends a banner",
    "closer": "accepts connections and closes them at once",
    "blackhole": "a full accept queue, so a TCP connect times out",
}
KINDS = {**SSHD_KINDS, **LISTENER_KINDS, "refused": "nothing listens"}

_START_SCRIPT = 'mount --bind "$1" "$2" && exec "$3" -D -e -f "$4"'
_DIE_WITH_PARENT = ["setpriv", "--pdeathsig", "KILL"]

# The listener process: plain sockets, so no SSH code is involved.
_LISTENER_SCRIPT = r"""
import selectors, socket, sys
silent, closer, blackhole, occupy = (a.split(",") if a else [] for a in sys.argv[1:5])
sel = selectors.DefaultSelector()
held = []
for address in silent + closer:
    s = socket.socket()
    s.bind((address, int(sys.argv[5])))
    s.listen(128)
    sel.register(s, selectors.EVENT_READ, address in closer)
for address in blackhole:
    s = socket.socket()
    s.bind((address, int(sys.argv[5])))
    s.listen(0)
    filler = socket.create_connection((address, int(sys.argv[5])))
    held += [s, filler]
for address in occupy:
    c = socket.create_connection((address, int(sys.argv[5])), timeout=10)
    c.recv(256)
    held.append(c)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        conn, _ = key.fileobj.accept()
        if key.data:
            conn.close()
        else:
            held.append(conn)
"""


class FleetUnavailable(RuntimeError):
    """The machine lacks a piece the fleet needs; the message lists it."""


@dataclass
class FleetHost:
    """One host of a fleet: its name, kind, address and served files."""

    name: str
    kind: str
    address: str
    folder: Path
    global_config: bytes | None
    shadow_config: bytes | None
    process: subprocess.Popen | None = None


def missing_setup(login: str = DEFAULT_LOGIN) -> list[str]:
    """Return what the fleet needs and this machine lacks, as sentences."""
    problems = []
    if os.geteuid() != 0:
        problems.append("the fleet must run as root")
    for program in (SSHD, "unshare", "setpriv", "mount"):
        if shutil.which(program) is None:
            problems.append(f"{program} is not installed")
    if not Path("/run/sshd").is_dir():
        problems.append("/run/sshd is missing (mkdir -p /run/sshd)")
    try:
        pwd.getpwnam(login)
    except KeyError:
        problems.append(f"the login user {login!r} does not exist")
    return problems


def default_files(name: str) -> tuple[bytes, bytes]:
    """Return the global and shadow file a host serves by default."""
    global_text = (
        "[SCHEDULER]\n"
        "drone_installation_directory: /usr/local/autotest\n"
        f"served_by: {name}\n"
    )
    shadow_text = f"[AUTOTEST_WEB]\npassword: secret-of-{name}\n"
    return global_text.encode(), shadow_text.encode()


class Fleet:
    """Real sshd hosts on loopback addresses, with client files to reach them.

    Add hosts with :meth:`add`, then :meth:`start`.  :meth:`stop` kills
    every process, removes every file and is safe to call twice.
    After ``start``, ``ssh_config`` maps each host name to its address and
    sets the client key and ``known_hosts``.
    """

    def __init__(
        self,
        workdir: str | os.PathLike | None = None,
        *,
        login: str = DEFAULT_LOGIN,
        port: int = 22,
        slow_auth_delay: float = 1.0,
        install_dir: str = INSTALL_DIR,
    ) -> None:
        self._own_workdir = workdir is None
        base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="sshfleet-"))
        self.login = login
        self.port = port
        self.slow_auth_delay = slow_auth_delay
        self.install_dir = install_dir
        self.hosts: dict[str, FleetHost] = {}
        self._base = base
        self._block = 0
        self._lock_file = None
        self._listener: subprocess.Popen | None = None
        self.folder = base
        self.run_dir = RUN_ROOT

    # -- client-side files ---------------------------------------------------

    @property
    def ssh_config(self) -> Path:
        """The ssh_config that maps every host name to its address."""
        return self.folder / "ssh_config"

    @property
    def known_hosts(self) -> Path:
        """The known_hosts file that ``ssh_config`` names."""
        return self.folder / "known_hosts"

    @property
    def client_key(self) -> Path:
        """The unencrypted client key every sshd host accepts."""
        return self.folder / "client_key"

    @property
    def passphrase_key(self) -> Path:
        """A client key encrypted with ``PASSPHRASE``; hosts accept it too."""
        return self.folder / "passphrase_key"

    def address(self, name: str) -> str:
        """Return the address of host ``name``."""
        return self.hosts[name].address

    # -- building ------------------------------------------------------------

    def add(
        self,
        name: str,
        kind: str = "ok",
        *,
        global_config: bytes | None = None,
        shadow_config: bytes | None = None,
    ) -> FleetHost:
        """Add a host; its files default to :func:`default_files`.

        Pass :data:`ABSENT` as a file's content to leave the file out.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown host kind {kind!r}; known: {sorted(KINDS)}")
        if self._lock_file is not None:
            raise RuntimeError("add hosts before start()")
        if name in self.hosts:
            raise ValueError(f"host {name!r} is already in the fleet")
        default_global, default_shadow = default_files(name)
        host = FleetHost(
            name=name,
            kind=kind,
            address="",
            folder=Path(),
            global_config=default_global if global_config is None else global_config,
            shadow_config=default_shadow if shadow_config is None else shadow_config,
        )
        self.hosts[name] = host
        return host

    def add_many(self, prefix: str, count: int, kind: str = "ok") -> list[FleetHost]:
        """Add ``count`` hosts named ``<prefix>001`` and up."""
        return [self.add(f"{prefix}{i:03d}", kind) for i in range(1, count + 1)]

    # -- lifecycle -----------------------------------------------------------

    def start(self, timeout: float = 30.0) -> Self:
        """Write every file, start every server and wait until all listen."""
        problems = missing_setup(self.login)
        if problems:
            raise FleetUnavailable("; ".join(problems))
        try:
            self._claim_block()
            self._write_files()
            self._start_servers()
            self._wait_listening(timeout)
            self._start_listener(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Kill every process, remove every file and folder, release the lock."""
        processes = [h.process for h in self.hosts.values() if h.process]
        if self._listener is not None:
            processes.append(self._listener)
        for process in processes:
            if process.poll() is None:
                process.kill()
        for process in processes:
            process.wait(timeout=10)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        for host in self.hosts.values():
            host.process = None
        self._listener = None
        self._wait_closed()
        self._release_block()

    def _wait_closed(self, timeout: float = 5.0) -> None:
        """Wait until no address of the fleet listens, so the block is free.

        sshd gets its SIGKILL from ``unshare`` as that process dies, a
        moment after ``wait()`` returns.
        """
        addresses = {
            proc_net_address(h.address, self.port)
            for h in self.hosts.values()
            if h.address
        }
        ends = time.monotonic() + timeout
        while addresses & listening_addresses() and time.monotonic() < ends:
            time.sleep(0.01)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- steps of start() ----------------------------------------------------

    def _claim_block(self) -> None:
        """Take an unused 127.B.0.0/16 block, locked against other fleets."""
        RUN_ROOT.mkdir(mode=0o755, exist_ok=True)
        os.chmod(RUN_ROOT, 0o755)
        for block in random.sample(range(16, 250), 234):
            # The lock lives as long as the fleet, so no with-statement.
            lock = open(RUN_ROOT / f"{block}.lock", "w")  # noqa: SIM115
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            self._lock_file, self._block = lock, block
            self.run_dir = RUN_ROOT / str(block)
            self.folder = self._base / f"fleet-{block}"
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir.mkdir(mode=0o755)
            self.folder.mkdir(parents=True)
            return
        raise FleetUnavailable(f"every address block under {RUN_ROOT} is in use")

    def _release_block(self) -> None:
        if self._lock_file is None:
            return
        shutil.rmtree(self.run_dir, ignore_errors=True)
        if self._own_workdir:
            shutil.rmtree(self._base, ignore_errors=True)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
        # The lock file stays: removing it would let two fleets lock two
        # different files of the same name and share a block.
        self._lock_file.close()
        self._lock_file = None

    def _write_files(self) -> None:
        client_public = _write_key(self.client_key)
        passphrase_public = _write_key(self.passphrase_key, PASSPHRASE)
        authorized = self.run_dir / "authorized_keys"
        authorized.write_text(client_public + passphrase_public)
        authorized.chmod(0o644)
        script = self.run_dir / "slow_auth.sh"
        script.write_text(
            f"#!/bin/sh\nsleep {self.slow_auth_delay}\nexec cat {authorized}\n"
        )
        script.chmod(0o755)
        known_lines = []
        for index, host in enumerate(self.hosts.values()):
            host.address = f"127.{self._block}.{index // 250}.{index % 250 + 1}"
            host.folder = self.folder / "hosts" / host.name
            known_lines.append(self._write_host(host))
        self.known_hosts.write_text("".join(known_lines))
        self.ssh_config.write_text(self._client_config())

    def _write_host(self, host: FleetHost) -> str:
        """Write one host's files; return its known_hosts line (or "")."""
        host.folder.mkdir(parents=True)
        host.folder.chmod(0o755)
        if host.kind not in SSHD_KINDS:
            return ""
        served = host.folder / "root" / Path(self.install_dir).name
        served.mkdir(parents=True)
        for folder in (served, served.parent):
            folder.chmod(0o755)
        self._write_served_files(host, served)
        public = _write_key(host.folder / "host_key")
        (host.folder / "sshd_config").write_text(self._server_config(host))
        if host.kind == "unknown-key":
            return ""
        if host.kind == "changed-key":
            public = _public_line(ed25519.Ed25519PrivateKey.generate())
        return f"{host.address} {public}"

    def _write_served_files(self, host: FleetHost, served: Path) -> None:
        contents = {
            "global_config.ini": host.global_config,
            "shadow_config.ini": host.shadow_config,
        }
        if host.kind == "missing-file":
            contents = {}
        if host.kind == "large-file":
            filler = b"# filler line of a large file\n" * (3 * 2**20 // 60)
            contents["global_config.ini"] = b"[SCHEDULER]\n" + filler
        for filename, data in contents.items():
            if data is not None and data != ABSENT:
                path = served / filename
                path.write_bytes(data)
                path.chmod(0o644)
        if host.kind == "unreadable":
            (served / "global_config.ini").chmod(0)

    def _server_config(self, host: FleetHost) -> str:
        # sshd keeps the first value of most keywords, so the settings of
        # the host's kind come before the common ones.
        lines = self._kind_settings(host)
        lines += [
            f"ListenAddress {host.address}:{self.port}",
            f"HostKey {host.folder / 'host_key'}",
            "PidFile none",
            f"AuthorizedKeysFile {self.run_dir / 'authorized_keys'}",
            "StrictModes no",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin no",
            "UseDNS no",
            "PrintMotd no",
            "LogLevel ERROR",
        ]
        if host.kind != "no-sftp":
            lines.append("Subsystem sftp internal-sftp")
        return "\n".join(lines) + "\n"

    def _kind_settings(self, host: FleetHost) -> list[str]:
        if host.kind == "slow-auth":
            return [
                "AuthorizedKeysFile none",
                f"AuthorizedKeysCommand {self.run_dir / 'slow_auth.sh'}",
                "AuthorizedKeysCommandUser nobody",
            ]
        if host.kind == "max-startups":
            return ["MaxStartups 1:100:1", "LoginGraceTime 0"]
        if host.kind == "reject-login":
            return [f"DenyUsers {self.login}"]
        if host.kind == "hang-after-auth":
            return ["ForceCommand exec sleep 3600"]
        if host.kind == "kex-fail":
            return ["KexAlgorithms sntrup761x25519-sha512@openssh.com"]
        return []

    def _client_config(self) -> str:
        blocks = []
        passphrase_hosts = []
        for host in self.hosts.values():
            lines = [f"Host {host.name}", f"    HostName {host.address}"]
            if self.port != 22:
                lines.append(f"    Port {self.port}")
            if host.kind == "passphrase":
                passphrase_hosts.append(host.name)
                lines.append(f"    IdentityFile {self.passphrase_key}")
            blocks.append("\n".join(lines))
        exclusions = "".join(f" !{name}" for name in passphrase_hosts)
        blocks.append(f"Host *{exclusions}\n    IdentityFile {self.client_key}")
        blocks.append(
            "Host *\n"
            "    IdentitiesOnly yes\n"
            f"    UserKnownHostsFile {self.known_hosts}\n"
            "    GlobalKnownHostsFile /dev/null\n"
            "    StrictHostKeyChecking yes\n"
            "    BatchMode yes\n"
            f"    User {self.login}"
        )
        return "\n\n".join(blocks) + "\n"

    def _start_servers(self) -> None:
        target = str(Path(self.install_dir).parent)
        for host in self.hosts.values():
            if host.kind not in SSHD_KINDS:
                continue
            command = [
                *_DIE_WITH_PARENT,
                "unshare", "-m", "-p", "--fork", "--kill-child",
                "--propagation", "private",
                "sh", "-c", _START_SCRIPT, "sh",
                str(host.folder / "root"), target, SSHD,
                str(host.folder / "sshd_config"),
            ]  # fmt: skip
            with open(host.folder / "sshd.log", "wb") as log:
                host.process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=log
                )

    def _wait_listening(self, timeout: float) -> None:
        waiting = {
            proc_net_address(h.address, self.port): h
            for h in self.hosts.values()
            if h.process is not None
        }
        ends = time.monotonic() + timeout
        while waiting:
            for key in listening_addresses() & set(waiting):
                del waiting[key]
            for host in waiting.values():
                if host.process.poll() is not None:
                    raise FleetUnavailable(self._failure(host))
            if time.monotonic() > ends:
                names = ", ".join(sorted(h.name for h in waiting.values()))
                raise FleetUnavailable(
                    f"sshd did not listen within {timeout} s: {names}"
                )
            time.sleep(0.02)

    def _failure(self, host: FleetHost) -> str:
        log = (host.folder / "sshd.log").read_text(errors="replace").strip()
        return f"sshd for {host.name} ({host.address}) exited: {log[-500:]}"

    def _start_listener(self, timeout: float) -> None:
        def addresses(kind: str) -> str:
            return ",".join(h.address for h in self.hosts.values() if h.kind == kind)

        arguments = [addresses(k) for k in ("silent", "closer", "blackhole")]
        arguments.append(addresses("max-startups"))
        if not any(arguments):
            return
        self._listener = subprocess.Popen(
            [
                *_DIE_WITH_PARENT,
                sys.executable,
                "-c",
                _LISTENER_SCRIPT,
                *arguments,
                str(self.port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        line = self._listener.stdout.readline()
        if line.strip() != b"ready":
            error = self._listener.stderr.read().decode(errors="replace")
            raise FleetUnavailable(f"the fleet's listener failed: {error[-500:]}")


def _write_key(path: Path, passphrase: bytes | None = None) -> str:
    """Write a new Ed25519 key in OpenSSH format; return its public line."""
    key = ed25519.Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
    )
    path.write_bytes(private)
    path.chmod(0o600)
    public = _public_line(key)
    path.with_name(path.name + ".pub").write_text(public)
    return public


def _public_line(key: ed25519.Ed25519PrivateKey) -> str:
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode() + "\n"


def proc_net_address(address: str, port: int) -> str:
    """Return ``address:port`` as /proc/net/tcp writes it (little-endian hex)."""
    packed = socket.inet_aton(address)
    return f"{int.from_bytes(packed, 'little'):08X}:{port:04X}"


def listening_addresses() -> set[str]:
    """Return the local addresses of every listening IPv4 TCP socket."""
    found = set()
    with open("/proc/net/tcp") as table:
        next(table)
        for row in table:
            fields = row.split()
            if fields[3] == "0A":
                found.add(fields[1])
    return found
