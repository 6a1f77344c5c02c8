"""Fetch every host's copy of the config over SSH, on a bounded worker pool.

``fetch_all`` raises no exception for a host's failure.  Each host ends
with a :class:`HostResult` that contains its files or an ``H`` finding,
plus the time spent in each phase.  At most ``workers`` hosts are in progress
at once, each phase has its own time limit, and the whole run ends at
``deadline`` whatever the hosts do.

The SSH libraries are imported only when a fetch starts, so commands that
never fetch do not load them.
"""

from __future__ import annotations

import logging
import os
import queue
import resource
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gcheck import findings
from gcheck.fetch_errors import HostFailure, timed_out
from gcheck.findings import Finding
from gcheck.hostkeys import RecordedKey
from gcheck.inventory import Host

log = logging.getLogger(__name__)

MIB = 2**20
# Measured with bench/fetch_scale.py on 200 sshd hosts on loopback, which
# share 2 CPUs with the client.  The machine was busy, so the numbers are
# rough.  Two runs gave, in hosts/s: 4 workers 17-18, 8 34-35, 16 39-41,
# 32 47-51 and 64 48-59, with peak RSS from 46 to 53 MiB.  Past 8 workers the gain flattens, because the
# servers' CPU is the limit on loopback.  Real networks add round trips
# that more workers hide, and each worker costs two threads, so the
# default is 32.
DEFAULT_WORKERS = 32
# How often the watchdog looks at running hosts, in seconds.
WATCHDOG_TICK = 0.05
# A worker still busy this long after the watchdog closed its connection
# is stuck in a call that nothing can interrupt, such as name resolution.
# Its host is then reported as timed out, and a new worker takes its place.
ABANDON_AFTER = 1.0
# File descriptors a connection may hold at once: its socket, the agent's
# socket, the ProxyCommand socket and a key file being read.  This is an
# upper estimate, because a plain SFTP fetch measured one descriptor per
# host (40 workers on 8 loopback sshd hosts).
DESCRIPTORS_PER_WORKER = 4
# Descriptors kept free for everything else: logging, known_hosts and
# ssh_config reads, the ProxyCommand child's pipes.
SPARE_DESCRIPTORS = 16


@dataclass(frozen=True)
class FetchOptions:
    """Limits of a fetch run; times in seconds.

    ``connect_timeout`` bounds the TCP connect and, separately, the SSH
    handshake (banner and key exchange), as OpenSSH's ConnectTimeout
    does.  ``transfer_timeout`` bounds everything after the login.
    ``deadline`` ends the whole run.  The defaults of the two timeouts are
    the values the scheduler's ssh uses (``ConnectTimeout=30``) and
    Paramiko's authentication default.
    """

    workers: int = DEFAULT_WORKERS
    connect_timeout: float = 30.0
    auth_timeout: float = 30.0
    deadline: float = 300.0
    max_bytes: int = MIB
    accept_new_host_keys: bool = False
    transfer_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        for name in ("connect_timeout", "auth_timeout", "deadline", "transfer_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")


@dataclass(frozen=True)
class Phases:
    """Seconds spent in each phase; ``None`` for a phase never reached."""

    connect: float | None = None
    handshake: float | None = None
    auth: float | None = None
    transfer: float | None = None

    def total(self) -> float:
        """Return the sum of the phases that ran."""
        return sum(
            v for v in (self.connect, self.handshake, self.auth, self.transfer) if v
        )


@dataclass(frozen=True)
class HostResult:
    """The outcome for one host.

    ``files`` maps ``global_config.ini`` and ``shadow_config.ini`` to their
    bytes, or to ``None`` for an absent shadow file; it is empty when the
    fetch failed.  ``method`` is how the files were read: ``sftp``,
    ``cat`` (no SFTP subsystem), ``local``, or empty on failure.
    ``recorded_keys`` are the host keys this fetch added to known_hosts
    (``accept_new_host_keys``), the host's and its jump hosts', including
    on a fetch that failed after the key was recorded.
    """

    host: Host
    ok: bool
    files: dict[str, bytes | None] = field(default_factory=dict)
    phases: Phases = Phases()
    failure: Finding | None = None
    method: str = ""
    recorded_keys: tuple[RecordedKey, ...] = ()


def fetch_all(
    hosts: Iterable[Host],
    options: FetchOptions | None = None,
    on_result: Callable[[HostResult], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[HostResult]:
    """Fetch every host's files; return one result per host, in host order.

    ``on_result`` is called in the calling thread as each host ends.
    ``meanwhile`` is called once in the calling thread after the workers
    start, for local work that can run while the hosts respond.  NOTE: no
    step limit is enforced until it returns, so it must be short.
    Every host is fetched, disabled ones included; callers filter first.
    """
    pool = _Pool(list(hosts), options or FetchOptions(), on_result)
    return pool.run(meanwhile)


class _Pool:
    """Workers that take hosts from a queue, and the watchdog that bounds them."""

    def __init__(self, hosts, options, on_result) -> None:
        from gcheck.fetch_session import Shared

        # findings.catalogue() fills its cache on first use without a
        # lock, so it is filled here before any worker builds a finding.
        findings.catalogue()
        self.hosts: list[Host] = hosts
        self.options: FetchOptions = options
        self.on_result = on_result
        self.shared = Shared(options)
        self._read_known_hosts()
        self.pending: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.done: queue.SimpleQueue = queue.SimpleQueue()
        self.results: dict[int, HostResult] = {}
        self.active: dict[int, object] = {}
        self.aborted_at: dict[int, float] = {}
        self.abandoned: set[int] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        for index in range(len(hosts)):
            self.pending.put(index)

    def _read_known_hosts(self) -> None:
        """Read every known_hosts file now, so an unreadable one raises here.

        Read in a worker, the error would be reported as a host's failure
        instead of as gcheck's own (exit status 2).
        """
        for host in self.hosts:
            if host.local:
                continue
            for hop in (*host.jumps, host):
                self.shared.known_hosts(hop.known_hosts_files)

    def run(self, meanwhile: Callable[[], None] | None = None) -> list[HostResult]:
        ends = time.monotonic() + self.options.deadline
        workers = _workers_within_limit(min(self.options.workers, len(self.hosts)))
        for _ in range(workers):
            self._spawn()
        try:
            if meanwhile is not None:
                meanwhile()
            while len(self.results) < len(self.hosts):
                now = time.monotonic()
                if now >= ends:
                    break
                self._collect(min(WATCHDOG_TICK, ends - now))
                self._watch(time.monotonic())
        finally:
            self.stopping.set()
            self._end_unfinished()
        return [self.results[index] for index in range(len(self.hosts))]

    # -- workers ---------------------------------------------------------

    def _spawn(self) -> None:
        worker = threading.Thread(target=self._work, name="gcheck-fetch", daemon=True)
        worker.start()

    def _work(self) -> None:
        from gcheck.fetch_session import Session

        while not self.stopping.is_set():
            try:
                index = self.pending.get_nowait()
            except queue.Empty:
                return
            session = Session(self.hosts[index], self.shared)
            with self.lock:
                self.active[index] = session
            result = _outcome(session)
            with self.lock:
                self.active.pop(index, None)
                if index in self.abandoned:
                    return  # a replacement worker runs in this one's place
            self.done.put((index, result))

    # -- the calling thread ----------------------------------------------

    def _collect(self, timeout: float) -> None:
        try:
            item = self.done.get(timeout=timeout)
        except queue.Empty:
            return
        self._store(*item)
        self._drain()

    def _drain(self) -> None:
        """Store every result that is waiting, without waiting for more."""
        while True:
            try:
                item = self.done.get_nowait()
            except queue.Empty:
                return
            self._store(*item)

    def _store(self, index: int, result: HostResult) -> None:
        if index in self.results:
            return
        self.results[index] = result
        if self.on_result is not None:
            self.on_result(result)

    def _watch(self, now: float) -> None:
        """Abort steps past their limit; replace workers that stay stuck."""
        with self.lock:
            running = list(self.active.items())
        for index, session in running:
            if session.overran(now):
                log.debug("%s: %s step timed out", session.host.name, session.step)
                session.abort(session.step)
                self.aborted_at[index] = now
            elif (
                index in self.aborted_at
                and now - self.aborted_at[index] > ABANDON_AFTER
            ):
                self._abandon(index, session)

    def _abandon(self, index: int, session) -> None:
        with self.lock:
            if index not in self.active:
                return
            self.active.pop(index)
            self.abandoned.add(index)
        failure = timed_out(session.expired, session.limit, False)
        result = _failed(
            session.host, failure, session.snapshot(), session.recorded_keys
        )
        self._store(index, result)
        self._spawn()

    def _end_unfinished(self) -> None:
        """Report every host without a result as stopped by the deadline."""
        with self.lock:
            running = dict(self.active)
        # Hosts that ended while the calling thread was busy elsewhere
        # (``meanwhile``) have results waiting, and keep them.  This comes
        # before the aborts, whose failures must not replace H501.
        self._drain()
        for session in running.values():
            session.abort()
        deadline = self.options.deadline
        for index, host in enumerate(self.hosts):
            if index in self.results:
                continue
            session = running.get(index)
            recorded = ()
            if session is None:
                message = f"deadline of {deadline:g} s reached before the fetch started"
                phases = {}
            else:
                message = f"deadline of {deadline:g} s reached during {session.step}"
                phases = session.snapshot()
                recorded = session.recorded_keys
            failure = HostFailure("H501", message)
            self._store(index, _failed(host, failure, phases, recorded))


def _workers_within_limit(workers: int) -> int:
    """Return ``workers``, lowered so the open-file limit is not reached.

    Every descriptor counts, so a run that starts more connections than
    RLIMIT_NOFILE allows fails on hosts that are fine (EMFILE).
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return workers
    try:
        in_use = len(os.listdir("/proc/self/fd"))
    except OSError:
        in_use = 0  # no /proc: count only the spare descriptors
    free = soft - in_use - SPARE_DESCRIPTORS
    allowed = max(1, free // DESCRIPTORS_PER_WORKER)
    if allowed >= workers:
        return workers
    log.warning(
        "running %d workers instead of %d: the open-file limit (ulimit -n) "
        "is %d with %d descriptors in use, and each connection may need %d",
        allowed,
        workers,
        soft,
        in_use,
        DESCRIPTORS_PER_WORKER,
    )
    return allowed


def _outcome(session) -> HostResult:
    """Run one session and return its result, also when it raises an Exception."""
    try:
        files = session.run()
    except HostFailure as failure:
        return _failed(session.host, failure, session.snapshot(), session.recorded_keys)
    except Exception as error:
        # Session.run() classifies every error it catches, so this is a bug
        # in gcheck.  The host still gets a result and the other hosts go on.
        log.error("%s: unexpected error: %r", session.host.name, error)
        log.debug(
            "%s: traceback of the unexpected error", session.host.name, exc_info=error
        )
        failure = HostFailure("H107", f"unexpected error: {type(error).__name__}")
        return _failed(session.host, failure, session.snapshot(), session.recorded_keys)
    method = "sftp"
    if session.host.local:
        method = "local"
    elif session.via_cat:
        method = "cat"
    return HostResult(
        host=session.host,
        ok=True,
        files=files,
        phases=Phases(**session.snapshot()),
        method=method,
        recorded_keys=tuple(session.recorded_keys),
    )


def _failed(
    host: Host, failure: HostFailure, durations: dict, recorded_keys=()
) -> HostResult:
    finding = findings.make(failure.code, failure.message, host=host.name)
    return HostResult(
        host=host,
        ok=False,
        phases=Phases(**durations),
        failure=finding,
        recorded_keys=tuple(recorded_keys),
    )
