"""``gcheck demo``: run ``gcheck check`` against a fleet started in-process.

The fleet is a set of Paramiko SSH servers on 127.0.0.1 ports inside this
process, with keys, an ssh_config and a known_hosts file in a temporary
folder.  The check goes through gcheck's normal path: host key checks, the
worker pool, phase timings, failure classification and drift.  On a normal
end, an error, Ctrl-C or SIGTERM, the servers stop and the folder is
removed.  Only an uncatchable signal such as SIGKILL leaves them behind.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shlex
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from gcheck.report import FORMATS

if TYPE_CHECKING:
    from gcheck.demo.fleet import Fleet

log = logging.getLogger(__name__)

DESCRIPTION = """\
Start a small fleet of SSH servers on 127.0.0.1 inside this process, run
gcheck check against it, print the report, then stop the servers and remove
every file the demo created.  The hosts are set up to show drift (real,
cosmetic and in a secret), slow authentication, a host that closes the
connection before the SSH banner and a host where nothing listens.  Needs no
root, no sshd and no network beyond loopback.

Exit status: 0 once the report is printed, whatever it finds, because the
findings are the point of the demo; 2 if the fleet or the check cannot run;
130 when interrupted by Ctrl-C or SIGTERM.  With --keep, an interrupt after
the report is the normal end and exits 0.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="run gcheck check against a demo fleet started on loopback",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="after the report, keep the fleet running until Ctrl-C and print "
        "the gcheck check command that reaches it",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="report format (default: text); with another format the demo's "
        "own messages go to stderr",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Start the fleet, check it, print the report and remove the fleet."""
    # Paramiko loads only here, so other commands never import it.
    from gcheck.demo.fleet import Fleet

    notes = sys.stdout if args.format == "text" else sys.stderr
    fleet = Fleet()
    with _terminate_as_interrupt():
        try:
            with _signals_deferred():
                fleet.start()
            command = _check_command(fleet, args.format)
            _print_intro(fleet, command, notes)
            _run_check(command)
            if args.keep:
                _serve_until_interrupt(fleet, notes)
        finally:
            with _signals_deferred():
                fleet.stop()
            if fleet.folder is not None:
                print(
                    f"\nStopped the demo fleet and removed {fleet.folder}.", file=notes
                )
    return 0


def _check_command(fleet: Fleet, fmt: str = "text") -> list[str]:
    """Return the ``gcheck check`` command line that reaches ``fleet``."""
    from gcheck.demo.hosts import SCHEDULER_USER

    command = [
        "gcheck",
        "check",
        "--config",
        str(fleet.config_path),
        "-F",
        str(fleet.ssh_config_path),
        "--scheduler-user",
        SCHEDULER_USER,
    ]
    if fmt != "text":
        command += ["--format", fmt]
    return command


def _run_check(command: list[str]) -> None:
    """Run ``command`` through gcheck's own parser and check command.

    The demo thus runs exactly the command line its introduction prints.
    The check's exit status is logged, not returned.
    """
    from gcheck.cli import build_parser

    args = build_parser().parse_args(command[1:])
    status = args.run(args)
    log.debug("gcheck check exited with %d; the demo exits with 0", status)


def _print_intro(fleet: Fleet, command: list[str], stream: IO[str]) -> None:
    print(
        f"gcheck demo: {len(fleet.hosts)} SSH servers on 127.0.0.1, "
        f"files in {fleet.folder}\n",
        file=stream,
    )
    width = max(len(host.name) for host in fleet.hosts)
    for host in fleet.hosts:
        print(
            f"  {host.name:<{width}}  port {host.port:<5}  {host.spec.shows}",
            file=stream,
        )
    print(f"\nRunning:\n  {shlex.join(command)}\n", file=stream, flush=True)


def _serve_until_interrupt(fleet: Fleet, stream: IO[str]) -> None:
    from gcheck.demo.hosts import CONFIG_NAME, INSTALL_DIR

    command = shlex.join(_check_command(fleet))
    drifted = "drone04"  # its copy drifts in max_processes_per_drone
    sftp = shlex.join(
        [
            "sftp",
            "-F",
            str(fleet.ssh_config_path),
            f"{drifted}:{INSTALL_DIR}/{CONFIG_NAME}",
            f"{drifted}.ini",
        ]
    )
    print(
        "\nThe demo fleet keeps running until Ctrl-C.  From another terminal, try:\n"
        f"  {command}\n"
        f"  {command} --baseline majority --slow-auth 5 --format json\n"
        "or copy a host's file with OpenSSH:\n"
        f"  {sftp}\n",
        file=stream,
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold off SIGINT and SIGTERM during the block, then act on them.

    An interrupt in the middle of starting or stopping the fleet would leave
    ports open or files behind, so a signal that arrives then raises
    KeyboardInterrupt only once the block has ended.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def remember(signum, _frame):
        received.append(signum)

    previous = {
        number: signal.signal(number, remember)
        for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so ``kill`` also removes the fleet."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
