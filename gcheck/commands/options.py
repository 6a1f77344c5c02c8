"""Command-line options that several commands share, defined once.

Each function adds one group of options to a subcommand's parser, so that
``--shadow`` or ``--hosts`` reads and behaves the same in every command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from gcheck.errors import GcheckError
from gcheck.findings import FAIL_ON_CHOICES


def add_config(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--config PATH``, defaulting to where Autotest looks."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"{help} (default: where Autotest looks for it)",
    )


def add_shadow(parser: argparse.ArgumentParser, target: str) -> None:
    """Add ``--shadow FILE`` and ``--no-shadow``; ``args.shadow`` is
    ``"auto"``, a path, or ``None``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--shadow",
        metavar="FILE",
        default="auto",
        help=(
            f"shadow_config.ini to lay over {target} (default: the "
            f"shadow_config.ini next to {target}, when present)"
        ),
    )
    group.add_argument(
        "--no-shadow",
        dest="shadow",
        action="store_const",
        const=None,
        help=f"read {target} alone, even when a shadow_config.ini is next to it",
    )


def add_schema(parser: argparse.ArgumentParser, purpose: str) -> None:
    """Add ``--schema NAME|PATH``."""
    parser.add_argument(
        "--schema",
        metavar="NAME|PATH",
        default="autotest",
        help=f"built-in schema name or .spec file {purpose} (default: autotest)",
    )


def add_inventory(parser: argparse.ArgumentParser, verb: str) -> None:
    """Add the options that pick hosts and how the scheduler logs in."""
    add = parser.add_argument
    add(
        "--scheduler-user",
        metavar="USER",
        type=_non_empty("a user name"),
        help="user the scheduler runs as: the login for hosts with no "
        "<host>_username (default: the current user)",
    )
    add(
        "--hosts",
        metavar="A,B",
        default="",
        help=f"also {verb} these hosts (comma-separated), besides the drones "
        "and results host the config names",
    )
    add(
        "--hosts-file",
        metavar="FILE",
        help=f"also {verb} the hosts in FILE, separated by spaces, commas or "
        "lines ('#' starts a comment)",
    )
    add(
        "--only",
        metavar="A,B",
        help=f"{verb} only these hosts (comma-separated); each must be a drone, "
        "the results host or a host added with --hosts",
    )
    add(
        "-F",
        "--ssh-config",
        metavar="PATH",
        help="OpenSSH client config for HostName, Port, IdentityFile, ProxyJump "
        "and UserKnownHostsFile (default: ~/.ssh/config and /etc/ssh/ssh_config)",
    )


def inventory_arguments(args: argparse.Namespace) -> dict:
    """Return the keyword arguments of :func:`gcheck.inventory.build`."""
    from gcheck.inventory import host_list

    only = None
    if args.only is not None:
        only = host_list(args.only)
        if not only:
            raise GcheckError(
                f"--only {args.only!r} names no host",
                "give host names separated by commas, or leave --only out",
            )
    return {
        "scheduler_user": args.scheduler_user,
        "add": tuple(host_list(args.hosts, args.hosts_file)),
        "only": only,
        "ssh_config": args.ssh_config,
    }


def add_format(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """Add ``--format`` with the formats this command writes."""
    parser.add_argument(
        "--format",
        choices=formats,
        default="text",
        help="output format (default: text)",
    )


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """Add ``--fail-on``, the lowest severity that makes the exit status 1."""
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="error",
        help="lowest severity that makes the exit status 1 (default: error)",
    )


def _non_empty(what: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"must be {what}, not empty")
        return text

    return convert


def positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """Return an argparse type that accepts numbers above zero only."""

    def convert(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
        return value

    return convert
