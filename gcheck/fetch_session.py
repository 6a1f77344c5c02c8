"""One host's fetch: connect, handshake, host key check, login, file transfer.

Fabric's ``Connection.open()`` hands everything to Paramiko's
``SSHClient.connect()``, which connects, negotiates, applies a host key
policy and logs in within one call.  That call cannot be timed phase by
phase, offers no point between the handshake and the login to check
known_hosts the way OpenSSH does, and tries passwords and passphrase
prompts that the scheduler's batch-mode ssh never uses.  So this module
opens the socket and drives the Paramiko ``Transport`` itself, then hands
the transport to a Fabric ``Connection``.  Fabric then provides the
connection object, its SFTP client, exec sessions and ``close()``.

Every blocking step has a time limit (``limit_at``).  Steps that Paramiko
cannot interrupt on its own (opening a channel, the SFTP start-up) are
ended by the pool's watchdog, which calls :meth:`Session.abort`.
"""

from __future__ import annotations

import functools
import logging
import socket
import subprocess
import threading
import time

from gcheck import fetch_auth, fetch_files, hostkeys, inventory, values
from gcheck.fetch_errors import (
    AUTH,
    CONNECT,
    HANDSHAKE,
    TRANSFER,
    HostFailure,
    classify,
    timed_out,
)

log = logging.getLogger(__name__)

PHASES = (CONNECT, HANDSHAKE, AUTH, TRANSFER)
_NULL_HANDLER = logging.NullHandler()


class Shared:
    """The options, caches and Fabric config that the sessions of one run share."""

    def __init__(self, options) -> None:
        self.options = options
        self.keys = fetch_auth.KeyCache()
        # Paramiko logs each failed connection with a traceback.  gcheck
        # reports failures as findings, so with no logging configured
        # those records go nowhere instead of to stderr.  A configured
        # root logger still receives them.
        logging.getLogger("paramiko").addHandler(_NULL_HANDLER)
        # ssh_config was applied by the inventory already; an empty one
        # keeps Fabric from applying it a second time.  No connection uses
        # this config itself, see fabric_config().
        self._fabric_config = _fabric_config_class()(ssh_config=_empty_ssh_config())
        self._known: dict[tuple[str, ...], hostkeys.KnownHosts] = {}
        self._lock = threading.Lock()

    def fabric_config(self):
        """Return a copy of the run's Fabric config for one connection.

        Fabric 3.2's ``Connection.__init__`` assigns attributes through its
        config, and invoke re-merges the config on each assignment, so a
        config shared between threads is briefly empty and another
        thread's read fails with ``AttributeError``.  A copy costs about
        0.3 ms (measured with fabric 3.2.3 on a 2-CPU machine under load).
        """
        with self._lock:
            return self._fabric_config.clone()

    def known_hosts(self, paths: tuple[str, ...]) -> hostkeys.KnownHosts:
        """Return the known_hosts entries of ``paths``, read once per run."""
        with self._lock:
            if paths not in self._known:
                self._known[paths] = hostkeys.KnownHosts(paths)
            return self._known[paths]


class Session:
    """The state of one host's fetch, readable by the watchdog thread."""

    def __init__(self, host, shared: Shared) -> None:
        self.host = host
        self.shared = shared
        self.options = shared.options
        self.durations: dict[str, float] = {}
        self.phase: str | None = None
        self.phase_started = 0.0
        self.step = CONNECT
        self.limit_at = float("inf")
        self.limit = 0.0
        self.expired: str | None = None
        self.via_cat = False
        self.via_proxy_command: str | None = None
        # Keys added to known_hosts (--accept-new-host-keys), jump hosts' too.
        self.recorded_keys: list[hostkeys.RecordedKey] = []
        self._closables: list = []
        # The jump host being logged in to, named in failure messages.
        self.hop: str | None = None
        self._lock = threading.Lock()
        self._banner_seen = lambda: False

    # -- called by the worker --------------------------------------------

    def run(self) -> dict[str, bytes | None]:
        """Fetch the host's files; raise :class:`HostFailure` on failure."""
        try:
            return self._run()
        except Exception as error:
            raise self._failure(error) from error
        finally:
            self._stop_phase()
            self.close()

    def _run(self) -> dict[str, bytes | None]:
        if not self.host.local:
            _check_names(self.host)
        fetch_files.paths(self.host)  # fails before connecting if unknown
        if self.host.local:
            self._start_phase(TRANSFER, self.options.transfer_timeout)
            return fetch_files.read_local(self.host, self.options.max_bytes)
        connection = self._open()
        self._start_phase(TRANSFER, self.options.transfer_timeout)
        return self._transfer(connection)

    def _open(self):
        """Return a Fabric connection to the host, logged in."""
        self._start_phase(CONNECT, self.options.connect_timeout)
        sock = self._connect_socket()
        connection = self._connection(self.host)
        transport = self._login(self.host, sock)
        connection.client._transport = transport
        connection.transport = transport
        return connection

    def _connect_socket(self):
        """Return a socket to the host, through its jump hosts if any."""
        # NOTE: with both ProxyJump and ProxyCommand set, OpenSSH uses the
        # one written first.  Paramiko's lookup loses the order, so the
        # jump wins here.
        if self.host.proxy_command and not self.host.jumps:
            return self._proxy_command(self.host.proxy_command)
        if not self.host.jumps:
            return self._tcp(self.host)
        self.hop = self.host.jumps[0].name
        sock = self._tcp(self.host.jumps[0])
        for hop, target in zip(self.host.jumps, [*self.host.jumps[1:], self.host]):
            self.hop = hop.name
            transport = self._login(hop, sock, in_phase=False)
            self._set_limit(CONNECT, self.options.connect_timeout)
            sock = self._forward(transport, target)
        self.hop = None
        self._set_limit(CONNECT, self.options.connect_timeout)
        return sock

    def _forward(self, transport, target):
        """Open a channel from the jump host's ``transport`` to ``target``."""
        from paramiko import ChannelException

        try:
            return transport.open_channel(
                "direct-tcpip",
                (target.hostname, target.port),
                ("", 0),
                timeout=self.options.connect_timeout,
            )
        except ChannelException as error:
            # The jump host reports only that its own connection failed.
            address = inventory.address(target.hostname, target.port)
            raise HostFailure(
                "H107", f"connection to {address} failed ({error.text})"
            ) from error

    def _proxy_command(self, command: str) -> socket.socket:
        """Run ProxyCommand as OpenSSH does, on one end of a socket pair.

        Paramiko's own ProxyCommand class splits the command without a
        shell and never notices the command exit, so a failed proxy would show
        as a banner timeout.  A socket pair gives end-of-file and timeouts.
        """
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                stdin=theirs,
                stdout=theirs,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            theirs.close()
        self._closables.append(_Process(process))
        self._closables.append(ours)
        self.via_proxy_command = command
        return ours

    def _tcp(self, host) -> socket.socket:
        timeout = self.options.connect_timeout
        sock = socket.create_connection((host.hostname, host.port), timeout=timeout)
        if hasattr(socket, "TCP_QUICKACK"):
            sock = _QuickAckSocket(sock.family, sock.type, sock.proto, sock.detach())
            sock.settimeout(timeout)
        self._closables.append(sock)
        # Paramiko often sends two small packets before it waits for a reply,
        # and Nagle's algorithm delays the second until the server's delayed
        # ACK: about 50 ms of each login when hosts were fetched one by one.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _login(self, host, sock, in_phase: bool = True):
        """Run the handshake, the host key check and the login over ``sock``."""
        import paramiko

        transport = paramiko.Transport(sock)
        self._closables.append(transport)
        limit = self.options.connect_timeout
        transport.banner_timeout = limit
        transport.handshake_timeout = limit
        transport.channel_timeout = self.options.transfer_timeout
        self._banner_seen = lambda: bool(transport.remote_version)
        known = self.shared.known_hosts(host.known_hosts_files)
        name = hostkeys.host_id(host.hostname, host.port)
        options = transport.get_security_options()
        options.key_types = known.preferred_algorithms(name, list(options.key_types))
        self._phase_or_step(HANDSHAKE, limit, in_phase)
        self._handshake(transport)
        self._verify_host_key(host, transport, known, name)
        self._phase_or_step(AUTH, self.options.auth_timeout, in_phase)
        self._authenticate(host, transport)
        return transport

    def _handshake(self, transport) -> None:
        transport.start_client(timeout=self.limit)
        if not transport.initial_kex_done:
            # start_client() returns silently when its timeout passes.
            raise timed_out(HANDSHAKE, self.limit, bool(transport.remote_version))

    def _verify_host_key(self, host, transport, known, name: str) -> None:
        key = transport.get_remote_server_key()
        verdict = known.check(name, key)
        if verdict.status == hostkeys.KNOWN:
            return
        fingerprint = f"{key.get_name()} {key.fingerprint}"
        # Like OpenSSH's accept-new, a key of a type not yet on file for
        # the host counts as new.
        new = verdict.status in (hostkeys.UNKNOWN, hostkeys.OTHER_TYPE)
        if new and self.options.accept_new_host_keys:
            if self.expired is not None:
                raise HostFailure("H501", "stopped before recording the host key")
            target = host.known_hosts_files[0]
            try:
                recorded = hostkeys.record(target, name, key, host.hash_known_hosts)
            except OSError as error:
                raise HostFailure(
                    "H204",
                    f"cannot record the host key of {name} ({fingerprint}) "
                    f"in {target}: {error.strerror}",
                ) from error
            self.recorded_keys.append(recorded)
            return
        raise _host_key_failure(verdict, name, fingerprint, host.known_hosts_files)

    def _authenticate(self, host, transport) -> None:
        agent_keys, agent = fetch_auth.agent_keys()
        try:
            keys = fetch_auth.candidates(host, self.shared.keys, agent_keys)
            fetch_auth.authenticate(transport, host, keys, self.limit_at)
        finally:
            if agent is not None:
                agent.close()

    def _transfer(self, connection) -> dict[str, bytes | None]:
        from paramiko.ssh_exception import SSHException

        max_bytes = self.options.max_bytes
        try:
            sftp = connection.sftp()
        except SSHException:
            # A rejected subsystem request closes only the channel; a dead
            # transport means the connection itself is gone.
            if not connection.transport.is_active():
                raise
            self.via_cat = True
            return fetch_files.read_cat(connection, self.host, max_bytes, self.limit_at)
        return fetch_files.read_sftp(sftp, self.host, max_bytes, self.limit)

    def _connection(self, host):
        from fabric import Connection
        from paramiko import RejectPolicy

        connection = Connection(
            host.hostname,
            user=host.login,
            port=host.port,
            config=self.shared.fabric_config(),
            connect_timeout=self.options.connect_timeout,
        )
        # Fabric installs AutoAddPolicy.  Host keys are checked above and
        # this client never connects by itself, but it stays strict anyway.
        connection.client.set_missing_host_key_policy(RejectPolicy())
        self._closables.append(connection)
        return connection

    # -- phases and limits -----------------------------------------------

    def _start_phase(self, phase: str, limit: float) -> None:
        with self._lock:
            self._stop_phase_locked()
            self.phase = phase
            self.phase_started = time.monotonic()
            self._set_limit_locked(phase, limit)

    def _phase_or_step(self, phase: str, limit: float, in_phase: bool) -> None:
        if in_phase:
            self._start_phase(phase, limit)
        else:
            self._set_limit(phase, limit)

    def _set_limit(self, step: str, limit: float) -> None:
        with self._lock:
            self._set_limit_locked(step, limit)

    def _set_limit_locked(self, step: str, limit: float) -> None:
        self.step = step
        self.limit = limit
        self.limit_at = time.monotonic() + limit

    def _stop_phase(self) -> None:
        with self._lock:
            self._stop_phase_locked()

    def _stop_phase_locked(self) -> None:
        if self.phase is not None:
            self.durations[self.phase] = time.monotonic() - self.phase_started
            self.phase = None

    def snapshot(self) -> dict[str, float]:
        """Return the phase durations so far, the running phase included."""
        with self._lock:
            durations = dict(self.durations)
            if self.phase is not None:
                durations[self.phase] = time.monotonic() - self.phase_started
            return durations

    # -- called by the watchdog ------------------------------------------

    def overran(self, now: float) -> bool:
        """Return whether the running step has passed its time limit."""
        return self.expired is None and now > self.limit_at

    def abort(self, reason: str | None = None) -> None:
        """Close every socket and transport, ending any blocked call.

        ``reason`` is the step that ran out of time; ``None`` means the
        run's deadline, which the pool reports itself.
        """
        with self._lock:
            if self.expired is None:
                self.expired = reason or "deadline"
        self.close()

    def close(self) -> None:
        """Close the connection, its transports and sockets, ignoring close errors."""
        for item in list(self._closables):
            # close() alone leaves the connection open while Paramiko's
            # thread is blocked reading the socket; shutdown() ends the read
            # and sends the FIN at once.
            if isinstance(item, socket.socket):
                try:
                    item.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # not connected, or already closed
        for item in reversed(list(self._closables)):
            # An error while closing is only logged: the host's outcome is
            # already decided, and close() runs from the watchdog too.
            try:
                item.close()
            except Exception as error:  # noqa: BLE001
                log.debug("%s: closing %r failed: %s", self.host.name, item, error)

    def _failure(self, error: BaseException) -> HostFailure:
        step, banner_seen = self.step, self._banner_seen()
        if self.expired is not None and self.expired != "deadline":
            failure = timed_out(self.expired, self.limit, banner_seen)
        else:
            failure = classify(error, step, banner_seen)
        if not isinstance(error, HostFailure):
            log.debug("%s: %s failed", self.host.name, step, exc_info=error)
        if self.via_proxy_command and not banner_seen:
            failure = HostFailure(
                failure.code,
                f"{failure.message} (through ProxyCommand {self.via_proxy_command})",
            )
        if self.hop is not None:
            failure = HostFailure(
                failure.code, f"jump host {self.hop}: {failure.message}"
            )
        return failure


@functools.cache
def _fabric_config_class() -> type:
    from fabric import Config

    class EmptySSHConfigConfig(Config):
        """Fabric's ``Config``, whose clones keep an empty ssh_config.

        Fabric 3.2's ``clone()`` gives the copy a new Paramiko
        ``SSHConfig``, which would undo :func:`_empty_ssh_config`.
        """

        def _clone_init_kwargs(self, *args, **kwargs):
            init_kwargs = super()._clone_init_kwargs(*args, **kwargs)
            return dict(init_kwargs, ssh_config=_empty_ssh_config())

    return EmptySSHConfigConfig


def _empty_ssh_config():
    """Return an ssh_config whose every lookup is empty.

    Fabric looks the host up when it builds a ``Connection``.  Paramiko's
    own empty ``SSHConfig`` then still expands tokens, which looks up the
    local user with ``getpwuid`` in every worker.  That lookup raises
    ``KeyError`` once the process runs out of file descriptors.
    """
    from paramiko import SSHConfig
    from paramiko.config import SSHConfigDict

    class EmptySSHConfig(SSHConfig):
        def lookup(self, hostname):
            return SSHConfigDict()

    return EmptySSHConfig()


class _QuickAckSocket(socket.socket):
    """A TCP socket that acknowledges what it receives at once (Linux).

    After the login, sshd sends a host key notice and then the channel
    confirmation as two small segments.  Its Nagle's algorithm delays the
    second until the first is acknowledged, and Linux delays that ACK by
    40 ms.  The kernel clears TCP_QUICKACK as it goes, so every read sets it.
    """

    def recv(self, size: int, flags: int = 0) -> bytes:
        self.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return super().recv(size, flags)


class _Process:
    """A ProxyCommand process, killed and reaped on close()."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)


def _check_names(host) -> None:
    """Raise H108 unless the host's name and HostName are valid host names.

    Both can reach ProxyCommand's ``/bin/sh -c`` through ``%n`` and ``%h``,
    so an invalid one stops the host before anything runs or connects.
    """
    for label, name in (("host name", host.name), ("HostName", host.hostname)):
        problem = values.host_problem(name)
        if problem is not None:
            raise HostFailure(
                "H108", f"{label} {name!r} {problem}, so the host was not contacted"
            )


def _host_key_failure(verdict, name: str, fingerprint: str, files) -> HostFailure:
    where = files[0] if files else "known_hosts"
    if verdict.status == hostkeys.REVOKED:
        return HostFailure(
            "H205",
            f"the server sent {fingerprint} for {name}, a key marked @revoked "
            "in known_hosts",
        )
    if verdict.status == hostkeys.CHANGED:
        return HostFailure(
            "H202", f"host key for {name} changed: the server sent {fingerprint}"
        )
    if verdict.status == hostkeys.OTHER_TYPE:
        types = ", ".join(verdict.known_types)
        return HostFailure(
            "H203",
            f"the server sent {fingerprint}, but known_hosts has only {types} "
            f"keys for {name}",
        )
    return HostFailure(
        "H201", f"no key for {name} in {where}; the server sent {fingerprint}"
    )
