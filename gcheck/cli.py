"""Command-line entry point: parse arguments, run one command, return its code.

Each command lives in :mod:`gcheck.commands` as a module with
``add_parser(subparsers)`` and ``run(args) -> int``.  This module only wires
them and turns a :class:`GcheckError` into one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from gcheck import __version__
from gcheck.commands import COMMANDS
from gcheck.errors import GcheckError

log = logging.getLogger("gcheck")


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with one subcommand per command module."""
    parser = argparse.ArgumentParser(
        prog="gcheck",
        description=(
            "Check an Autotest global_config.ini as Autotest reads it, and "
            "compare its copies on every drone and the results host."
        ),
    )
    parser.add_argument("--version", action="version", version=f"gcheck {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=bool(os.environ.get("GCHECK_DEBUG")),
        help="log progress and errors on stderr (also GCHECK_DEBUG=1)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run gcheck with ``argv`` and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    _configure_logging(args.debug)

    try:
        return args.run(args)
    except GcheckError as error:
        print(f"gcheck: error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"gcheck: hint: {error.hint}", file=sys.stderr)
        log.debug("stopped", exc_info=True)
        return error.exit_code
    except KeyboardInterrupt:
        print("gcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (``gcheck show | head``).
        sys.stderr.close()
        return 1


def _configure_logging(debug: bool) -> None:
    level = logging.DEBUG if debug else logging.WARNING
    logging.basicConfig(level=level, format="gcheck: %(name)s: %(message)s")
    # Paramiko logs every failed connection at ERROR; its view is in the
    # findings already, so it speaks only when debugging.
    logging.getLogger("paramiko").setLevel(level if debug else logging.CRITICAL)
