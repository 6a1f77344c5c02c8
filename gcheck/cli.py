"""Command-line entry point: parse arguments, run one command, return its code.

Each command lives in :mod:`gcheck.commands` as a module with
``add_parser(subparsers)`` and ``run(args) -> int``.  This module only wires
them and turns a :class:`GcheckError` into one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import os
import sys
from collections.abc import Sequence

from gcheck import __version__
from gcheck.errors import GcheckError

log = logging.getLogger("gcheck")

DEBUG_ON = ("1", "true", "yes", "on")
# Exit status when the reader of stdout goes away (``gcheck ... | head``):
# what a shell reports for a program killed by SIGPIPE, so a pipeline is
# never mistaken for "findings" (1) or "could not run" (2).
EXIT_BROKEN_PIPE = 128 + 13
# Errors of a write to a full disk or over a size or quota limit.
OUTPUT_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with one subcommand per command module."""
    parser = argparse.ArgumentParser(
        prog="gcheck",
        description=(
            "Check an Autotest global_config.ini as Autotest reads it, and "
            "compare its copies on every drone and the results host."
        ),
    )
    from gcheck.commands import COMMANDS

    parser.add_argument("--version", action="version", version=f"gcheck {__version__}")
    _add_debug(parser, default=_debug_from_environment())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in COMMANDS:
        command.add_parser(subparsers)
    # --debug also works after the command; there it only ever turns
    # debugging on, so it leaves the top-level value alone otherwise.
    for subparser in subparsers.choices.values():
        _add_debug(subparser, default=argparse.SUPPRESS)
    return parser


def _add_debug(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="log progress and errors on stderr (also GCHECK_DEBUG=1)",
    )


def _debug_from_environment() -> bool:
    return os.environ.get("GCHECK_DEBUG", "").strip().lower() in DEBUG_ON


def run() -> None:
    """Run gcheck as a program: the console script and ``python -m gcheck``."""
    code = main()
    # The process ends now, so shutdown need not collect the fetch's objects:
    # those passes took about 80 ms after a 50-host check on 2 cores.
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run gcheck with ``argv`` and return the exit code."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("gcheck: interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    _configure_logging(args.debug)

    try:
        code = args.run(args)
        # Write out what is buffered now, so that a failed write is
        # reported here instead of while the interpreter shuts down.
        sys.stdout.flush()
        return code
    except GcheckError as error:
        print(f"gcheck: error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"gcheck: hint: {error.hint}", file=sys.stderr)
        log.debug("stopped", exc_info=True)
        return error.exit_code
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as error:
        # Only writes fail with these, and --save reports its own errors,
        # so the failed write was the output.
        if error.errno not in OUTPUT_FULL:
            raise
        _drop_stdout()
        print(
            f"gcheck: error: cannot write the output: {error.strerror}", file=sys.stderr
        )
        return 2


def _drop_stdout() -> None:
    # Point stdout at /dev/null so that the interpreter's final flush
    # does not raise a second time while exiting.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _configure_logging(debug: bool) -> None:
    level = logging.DEBUG if debug else logging.WARNING
    logging.basicConfig(
        level=level,
        format="%(asctime)s.%(msecs)03d gcheck: %(name)s [%(threadName)s]: %(message)s",
        datefmt="%H:%M:%S",
    )
    # Paramiko logs every failed connection at ERROR; its view is in the
    # findings already, so it speaks only when debugging.
    logging.getLogger("paramiko").setLevel(level if debug else logging.CRITICAL)
    # Invoke dumps its whole configuration for every Fabric connection.
    logging.getLogger("invoke").setLevel(logging.INFO)
