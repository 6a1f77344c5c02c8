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

from gcheck.commands import options
from gcheck.report import FORMATS

# Shown in --help; a test keeps them equal to FetchOptions' defaults, which
# are not imported here so that other commands start fast.
HELP_DEFAULTS = {
    "workers": 32,
    "connect_timeout": 30.0,
    "auth_timeout": 30.0,
    "transfer_timeout": 30.0,
    "deadline": 300.0,
}


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
        epilog=(
            "Exit status: 0 when ready to restart, 1 when a finding reaches "
            "--fail-on, 2 when gcheck could not run."
        ),
    )
    options.add_config(parser, "local reference global_config.ini")
    options.add_shadow(parser, "the reference")
    options.add_schema(parser, "to validate every copy against")
    parser.add_argument(
        "--baseline",
        choices=("local", "majority"),
        default="local",
        help="compare copies with the local reference (default), or with each "
        "option's most common value across the copies",
    )
    options.add_inventory(parser, "check")
    _add_fetch_options(parser)
    _add_output_options(parser)
    parser.set_defaults(run=run)


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    seconds = options.positive(float)
    add(
        "--accept-new-host-keys",
        action="store_true",
        help="connect to hosts missing from known_hosts and record their keys, "
        "as OpenSSH's accept-new does (a changed key is still rejected)",
    )
    add(
        "--workers",
        type=options.positive(int),
        metavar="N",
        help=f"hosts fetched at once (default: {HELP_DEFAULTS['workers']})",
    )
    add(
        "--connect-timeout",
        type=seconds,
        metavar="SECONDS",
        help="time limit for the TCP connection, and again for the SSH banner "
        f"and key exchange, per host (default: {HELP_DEFAULTS['connect_timeout']:g})",
    )
    add(
        "--auth-timeout",
        type=seconds,
        metavar="SECONDS",
        help="time limit for the login on each host "
        f"(default: {HELP_DEFAULTS['auth_timeout']:g})",
    )
    add(
        "--transfer-timeout",
        type=seconds,
        metavar="SECONDS",
        help="time limit for reading the files after the login "
        f"(default: {HELP_DEFAULTS['transfer_timeout']:g})",
    )
    add(
        "--deadline",
        type=seconds,
        metavar="SECONDS",
        help="time limit for the whole fetch; hosts not done by then are "
        f"reported as timed out (default: {HELP_DEFAULTS['deadline']:g})",
    )
    add(
        "--slow-auth",
        type=seconds,
        metavar="SECONDS",
        default=1.0,
        help="report hosts whose login takes longer than this (default: 1.0); "
        "hosts at 5 times the fleet's median and 0.5 s or more are reported too",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--save",
        metavar="DIR",
        help="keep every fetched copy as DIR/HOST/global_config.ini "
        "(and shadow_config.ini)",
    )
    options.add_format(parser, FORMATS)
    options.add_fail_on(parser)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar on stderr"
    )


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

    limits = {name: getattr(args, name) for name in HELP_DEFAULTS}
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
        **_inventory_options(args),
        slow_auth=args.slow_auth,
        save_dir=args.save,
        fail_on=args.fail_on,
    )


def _inventory_options(args: argparse.Namespace) -> dict:
    chosen = options.inventory_arguments(args)
    return {
        "scheduler_user": chosen["scheduler_user"],
        "add_hosts": chosen["add"],
        "only_hosts": chosen["only"],
        "ssh_config": chosen["ssh_config"],
    }


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
