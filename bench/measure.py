"""Run one command and measure its wall time, CPU and memory.

Client CPU and ``max_rss_kib`` come from ``os.wait4`` on the command's
process: Linux adds in every descendant that was waited for, and reports
the largest resident set among them.  A sampler sums the resident sets of
every process in the command's session every ``SAMPLE_SECONDS``, because
tools that fan out to many ``ssh`` processes use memory in all of them at
once.  Machine CPU is the busy time in ``/proc/stat`` over the run, so it
includes the SSH servers' work and any other load on the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
# Fields of the first line of /proc/stat that count as busy time: user,
# nice, system, irq, softirq and steal (idle and iowait are left out).
_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)


@dataclass(frozen=True)
class Sample:
    """Measurements of one run of one command."""

    wall_seconds: float
    client_cpu_seconds: float
    client_user_seconds: float
    client_system_seconds: float
    machine_cpu_seconds: float
    max_rss_kib: int
    tree_rss_peak_kib: int
    exit_code: int
    timed_out: bool
    leftover_processes: int

    def to_dict(self) -> dict:
        return asdict(self)


def machine_busy_seconds() -> float:
    """Return the CPU seconds all cores have spent busy since boot."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = stat.readline().split()[1:]
    return sum(int(fields[i]) for i in _BUSY_FIELDS) / CLOCK_TICKS


def _session_processes(session: int) -> list[tuple[int, int]]:
    """Return ``(pid, rss_kib)`` for every live process in ``session``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii") as stat:
                text = stat.read()
        except OSError:
            continue  # the process ended between listdir and open
        # The command name in brackets may contain spaces: split after it.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == session:
            found.append((int(name), int(fields[21]) * PAGE_KIB))
    return found


class _TreeSampler(threading.Thread):
    """Record the peak summed RSS of a session until :meth:`stop` is called."""

    def __init__(self, session: int) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total = sum(rss for _, rss in _session_processes(self.session))
            self.peak_kib = max(self.peak_kib, total)
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _kill_session(session: int) -> int:
    """Kill what is left of a session and return how many processes were."""
    leftovers = _session_processes(session)
    for pid, _ in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(leftovers)


def _expire(session: int, expired: threading.Event) -> None:
    expired.set()
    _kill_session(session)


def run(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    stdout: Path,
    stderr: Path,
    timeout: float,
) -> Sample:
    """Run ``argv`` in a new session and measure it.

    The command is killed after ``timeout`` seconds, or at once when this
    process is interrupted.  Output goes to the ``stdout`` and ``stderr``
    files, never to a terminal, so that no tool pays for drawing on one.
    """
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        busy_before = machine_busy_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
            stderr=err, start_new_session=True,
        )  # fmt: skip
    sampler = _TreeSampler(process.pid)
    sampler.start()
    expired = threading.Event()
    killer = threading.Timer(timeout, _expire, args=(process.pid, expired))
    killer.daemon = True
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        _kill_session(process.pid)
        process.wait()
        raise
    finally:
        wall = time.perf_counter() - started
        busy = machine_busy_seconds() - busy_before
        killer.cancel()
        sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Sample(
        wall_seconds=wall,
        client_cpu_seconds=usage.ru_utime + usage.ru_stime,
        client_user_seconds=usage.ru_utime,
        client_system_seconds=usage.ru_stime,
        machine_cpu_seconds=busy,
        max_rss_kib=usage.ru_maxrss,
        tree_rss_peak_kib=max(sampler.peak_kib, usage.ru_maxrss),
        exit_code=process.returncode,
        timed_out=expired.is_set(),
        leftover_processes=_kill_session(process.pid),
    )


def background_busy_fraction(seconds: float = 1.0) -> float | None:
    """Return how busy the machine is with nothing of ours running (0 to 1).

    Returns None when ``seconds`` is 0, which skips the measurement.
    """
    if seconds <= 0:
        return None
    before = machine_busy_seconds()
    time.sleep(seconds)
    return (machine_busy_seconds() - before) / (seconds * os.cpu_count())
