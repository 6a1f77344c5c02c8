"""The demo fleet's SSH servers, built on Paramiko's server side.

One thread accepts connections for every demo host; each accepted
connection gets a Paramiko ``Transport`` in server mode, whose own thread
runs the SSH session.  Servers bind to 127.0.0.1 only, accept only the
demo's client key for the host's login, allow no command execution, shell
or forwarding, and offer only the read-only SFTP subsystem.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
from dataclasses import dataclass

import paramiko

from gcheck.demo.hosts import SLOW_AUTH_SECONDS, Behaviour, HostSpec
from gcheck.demo.keys import KeyPair
from gcheck.demo.sftp import ReadOnlySFTP, TrackedSFTPServer

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
_BACKLOG = 16


class HostServer(paramiko.ServerInterface):
    """Authentication and channel policy for one SSH session."""

    def __init__(self, login, client_key, auth_delay, stopping, track_thread):
        self._login = login
        self._client_key = client_key
        self._auth_delay = auth_delay
        self._stopping = stopping
        self.track_thread = track_thread

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        # Paramiko calls this before it verifies a signature, so OpenSSH's
        # query and its signed request both land here.  Only the first
        # call of a session waits.
        if self._auth_delay:
            if self._stopping.wait(self._auth_delay):
                return paramiko.AUTH_FAILED
            self._auth_delay = 0.0
        if username == self._login and key == self._client_key:
            return paramiko.AUTH_SUCCESSFUL
        log.debug("rejected key %s for user %r", key.get_fingerprint().hex(), username)
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


@dataclass
class _Endpoint:
    spec: HostSpec
    host_key: KeyPair
    files: dict[str, bytes]
    sock: socket.socket


class DemoServers:
    """Every demo host's listening socket, and the sessions they start."""

    def __init__(self, client_key: paramiko.PKey) -> None:
        self._client_key = client_key
        self._endpoints: list[_Endpoint] = []
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        self._stopping = threading.Event()
        self._sessions = _Sessions()
        self._thread: threading.Thread | None = None

    def add(self, spec: HostSpec, host_key: KeyPair, files: dict[str, bytes]) -> int:
        """Bind a loopback port for ``spec``'s host and return its number.

        A host that behaves as ``NO_LISTENER`` keeps its port bound but
        never listens, so connections to it are refused and no other
        program can take the port while the demo runs.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._endpoints.append(_Endpoint(spec, host_key, files, sock))
        sock.bind((LOOPBACK, 0))
        if spec.behaviour is not Behaviour.NO_LISTENER:
            sock.listen(_BACKLOG)
            self._selector.register(sock, selectors.EVENT_READ, self._endpoints[-1])
        return sock.getsockname()[1]

    def start(self) -> None:
        """Start accepting connections on a background thread."""
        self._thread = threading.Thread(
            target=self._accept_loop, name="gcheck-demo-accept", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> list[str]:
        """Close every port and session; return threads that did not end.

        Safe to call more than once, and before :meth:`start`.
        """
        if self._stopping.is_set():
            return []
        self._stopping.set()
        self._wake_writer.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout)
        for endpoint in self._endpoints:
            endpoint.sock.close()
        self._selector.close()
        self._wake_reader.close()
        self._wake_writer.close()
        alive = self._sessions.close(timeout)
        if self._thread is not None and self._thread.is_alive():
            alive.append(self._thread.name)
        return alive

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            for selected, _events in self._selector.select():
                if selected.data is None:
                    return
                self._accept(selected.data)

    def _accept(self, endpoint: _Endpoint) -> None:
        try:
            connection, peer = endpoint.sock.accept()
        except OSError as error:
            log.debug("accept failed on %s: %s", endpoint.spec.name, error)
            return
        log.debug("%s: connection from %s:%d", endpoint.spec.name, *peer)
        if endpoint.spec.behaviour is Behaviour.CLOSE_EARLY:
            connection.close()
            return
        self._start_session(endpoint, connection)

    def _start_session(self, endpoint: _Endpoint, connection: socket.socket) -> None:
        spec = endpoint.spec
        transport = paramiko.Transport(connection)
        transport.name = f"gcheck-demo-{spec.name}"
        transport.add_server_key(endpoint.host_key.key)
        transport.set_subsystem_handler(
            "sftp", TrackedSFTPServer, ReadOnlySFTP, files=endpoint.files
        )
        delay = SLOW_AUTH_SECONDS if spec.behaviour is Behaviour.SLOW_AUTH else 0.0
        server = HostServer(
            spec.login, self._client_key, delay, self._stopping, self._sessions.track
        )
        self._sessions.track(transport)
        try:
            transport.start_server(event=threading.Event(), server=server)
        except (paramiko.SSHException, OSError) as error:
            log.debug("%s: session failed to start: %s", spec.name, error)
            transport.close()


class _Sessions:
    """Threads started for connections: transports and SFTP subsystems."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def track(self, thread: threading.Thread) -> None:
        with self._lock:
            # Forget sessions that ended, so a long ``--keep`` run stays small.
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def close(self, timeout: float) -> list[str]:
        """Close every transport, join every thread, return those still running.

        Transports go first because closing one ends its SFTP threads,
        and a transport thread may still register an SFTP thread until
        it has ended.
        """
        with self._lock:
            transports = [t for t in self._threads if isinstance(t, paramiko.Transport)]
        for transport in transports:
            transport.close()
        _join_started(transports, timeout)
        with self._lock:
            threads = list(self._threads)
        _join_started(threads, timeout)
        return [thread.name for thread in threads if thread.is_alive()]


def _join_started(threads: list[threading.Thread], timeout: float) -> None:
    for thread in threads:
        if thread.ident is not None:
            thread.join(timeout)
