"""``gcheck check``: compare every host's copy of the config before a restart.

Exit status: 0 when ready to restart, 1 when a finding reaches
``--fail-on``, 2 when gcheck could not run (no local config, invalid
arguments).  The check pipeline and the SSH libraries load only when this
command runs, so other commands stay fast.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from gcheck.findings import FAIL_ON_CHOICES
from gcheck.report import FORMATS


def add_parser(subparsers) -> None:
    """Add ``check`` and its options to the command line."""
    parser = subparsers.add_parser(
        "check",
        help="fetch every host's copy of the config and report drift",
        description=(
            "Validate the local reference config, fetch the copy from every "
            "drone and the results host over SSH, and report drift, "
            "unreachable hosts and slow authentication, with one verdict: "
            "ready to restart the scheduler, or not."
        ),
    )
    _add_input_options(parser)
    _add_host_options(parser)
    _add_fetch_options(parser)
    _add_output_options(parser)
    parser.set_defaults(run=run)


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--config",
        metavar="PATH",
        help="local reference global_config.ini (default: where Autotest looks for it)",
    )
    add(
        "--shadow",
        metavar="PATH",
        default="auto",
        help="shadow file to lay over it (default: shadow_config.ini beside it, "
        "when present)",
    )
    add(
        "--schema",
        metavar="NAME|PATH",
        default="autotest",
        help="schema to validate against (default: autotest)",
    )
    add(
        "--baseline",
        choices=("local", "majority"),
        default="local",
        help="compare copies with the local reference (default), or with each "
        "option's most common value across the copies",
    )


def _add_host_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--scheduler-user",
        metavar="USER",
        help="user the scheduler runs as: the login for hosts with no "
        "<host>_username (default: the current user)",
    )
    add(
        "--hosts",
        metavar="A,B",
        default="",
        help="also check these hosts (comma-separated), besides the drones "
        "and results host the config names",
    )
    add(
        "--hosts-file",
        metavar="FILE",
        help="also check the hosts in FILE, one per line ('#' starts a comment)",
    )
    add(
        "-F",
        "--ssh-config",
        metavar="PATH",
        help="OpenSSH client config for HostName, Port, IdentityFile and ProxyJump",
    )


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--accept-new-host-keys",
        action="store_true",
        help="accept the key of a host missing from known_hosts (a changed "
        "key is still rejected)",
    )
    add("--workers", type=_positive(int), metavar="N", help="hosts fetched at once")
    add(
        "--connect-timeout",
        type=_positive(float),
        metavar="SECONDS",
        help="time limit for the TCP connection to each host",
    )
    add(
        "--auth-timeout",
        type=_positive(float),
        metavar="SECONDS",
        help="time limit for the SSH handshake and login on each host",
    )
    add(
        "--deadline",
        type=_positive(float),
        metavar="SECONDS",
        help="time limit for fetching from all hosts",
    )
    add(
        "--slow-auth",
        type=_positive(float),
        metavar="SECONDS",
        default=1.0,
        help="report hosts whose login takes longer than this (default: 1.0); "
        "hosts at 5 times the fleet's median and 0.5 s or more are reported too",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--save",
        metavar="DIR",
        help="keep every fetched copy as DIR/HOST/global_config.ini "
        "(and shadow_config.ini)",
    )
    add(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format (default: text)",
    )
    add(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="error",
        help="lowest severity that makes the exit status 1 (default: error)",
    )
    add("-q", "--quiet", action="store_true", help="no progress bar on stderr")


def _positive(kind):
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
        return value

    return convert


def run(args: argparse.Namespace) -> int:
    """Run the check and write the report; return the exit status."""
    from gcheck import check
    from gcheck.report import render_check

    options = build_options(args)
    with _progress(enabled=not args.quiet) as (on_start, on_result):
        result = check.run(options, on_result=on_result, on_start=on_start)
    render_check(result, args.format, sys.stdout)
    return result.verdict.exit_code


def build_options(args: argparse.Namespace):
    """Turn the parsed command line into :class:`gcheck.check.CheckOptions`."""
    from gcheck.check import CheckOptions
    from gcheck.fetch import FetchOptions
    from gcheck.inventory import host_list

    limits = {
        "workers": args.workers,
        "connect_timeout": args.connect_timeout,
        "auth_timeout": args.auth_timeout,
        "deadline": args.deadline,
    }
    fetch = FetchOptions(
        accept_new_host_keys=args.accept_new_host_keys,
        **{name: value for name, value in limits.items() if value is not None},
    )
    return CheckOptions(
        fetch=fetch,
        config_path=args.config,
        shadow_path=args.shadow,
        schema=args.schema,
        baseline=args.baseline,
        scheduler_user=args.scheduler_user,
        add_hosts=tuple(host_list(args.hosts, args.hosts_file)),
        ssh_config=args.ssh_config,
        slow_auth=args.slow_auth,
        save_dir=args.save,
        fail_on=args.fail_on,
    )


@contextmanager
def _progress(enabled: bool):
    """Show a progress bar on stderr while hosts are fetched, on a terminal only.

    Yields the two callbacks :func:`gcheck.check.run` takes; both do
    nothing when there is no bar.
    """
    if not (enabled and sys.stderr.isatty()):
        yield None, None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("fetching", total=None)

        def on_start(total: int) -> None:
            bar.update(task, total=total)

        def on_result(result) -> None:
            bar.update(task, advance=1, description=f"fetched {result.host.name}")

        yield on_start, on_result
