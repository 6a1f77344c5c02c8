"""``gcheck hosts``: the hosts the scheduler talks to, and how it reaches each.

Nothing is fetched: the command reads the config and ssh_config only.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO

from gcheck.commands import options

FORMAT_VERSION = 1
_LOGIN_SOURCES = {
    "config": "HOST_username",
    "scheduler-user": "--scheduler-user",
    "current-user": "current user",
}


def add_parser(subparsers) -> None:
    """Add ``hosts`` and its options to the command line."""
    parser = subparsers.add_parser(
        "hosts",
        help="list the drones and results host, with login, address and paths",
        description=(
            "List every host the config names (each drone and the results host) "
            "and any added host, with its roles, the login the scheduler uses, "
            "the address ssh_config resolves it to, and where its copy of "
            "global_config.ini is.  Nothing is fetched."
        ),
    )
    options.add_config(parser, "global_config.ini to read")
    options.add_shadow(parser, "it")
    options.add_inventory(parser, "list")
    options.add_format(parser, ("text", "json"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the inventory and write it; return the exit status."""
    from gcheck import inventory, load

    path = args.config or load.default_config_path()
    config = load.load(path, shadow=args.shadow)
    hosts = inventory.build(config, **options.inventory_arguments(args))
    if args.format == "json":
        write_json(hosts, path, sys.stdout)
    else:
        write_text(hosts, path, sys.stdout)
    return 0


def host_record(host) -> dict:
    """Return one host as plain data, for JSON."""
    return {
        "name": host.name,
        "roles": list(host.roles),
        "login": host.login,
        "login_source": host.login_source,
        "disabled": host.disabled,
        "local": host.local,
        "install_dir": host.install_dir,
        "config_path": host.config_path,
        "shadow_path": host.shadow_path,
        "hostname": host.hostname,
        "port": host.port,
        "identity_files": list(host.identity_files),
        "identities_only": host.identities_only,
        "proxy_jump": host.proxy_jump,
        "jumps": [
            {"name": j.name, "hostname": j.hostname, "port": j.port, "login": j.login}
            for j in host.jumps
        ],
        "proxy_command": host.proxy_command,
        "known_hosts_files": list(host.known_hosts_files),
    }


def write_json(hosts, config_path: str, stream: IO[str]) -> None:
    """Write the inventory as a JSON document with ``format_version``."""
    from gcheck.report.base import dump_json

    document = {
        "format_version": FORMAT_VERSION,
        "config": config_path,
        "hosts": [host_record(host) for host in hosts],
    }
    dump_json(document, stream)


def write_text(hosts, config_path: str, stream: IO[str]) -> None:
    """Write the inventory as a table; colour only on a terminal."""
    from rich.table import Table

    from gcheck.report import table_console, use_color

    color = use_color(stream)
    # Off a terminal, rows stay on one line whatever their length.
    console = table_console(stream, width=10_000)
    table = Table(title=None, box=None, header_style="bold" if color else None)
    for column in ("HOST", "ROLES", "LOGIN", "ADDRESS", "CONFIG", "NOTES"):
        table.add_column(column, overflow="fold")
    for host in hosts:
        table.add_row(*_row(host), style="dim" if host.disabled and color else None)
    noun = "host" if len(hosts) == 1 else "hosts"
    console.print(f"{len(hosts)} {noun} in {config_path}")
    console.print(table)


def _row(host) -> tuple[str, ...]:
    login = f"{host.login} ({_LOGIN_SOURCES.get(host.login_source, host.login_source)})"
    from gcheck.inventory import address as host_address

    address = "local" if host.local else host_address(host.hostname, host.port)
    notes = []
    if host.disabled:
        notes.append("disabled")
    if host.jumps:
        notes.append("via " + ",".join(j.name for j in host.jumps))
    if host.proxy_command:
        notes.append(f"via ProxyCommand {host.proxy_command}")
    name = (
        host.name if host.name.strip() == host.name and host.name else repr(host.name)
    )
    roles = ",".join(host.roles)
    config = host.config_path or "unknown: drone_installation_directory unset"
    return name, roles, login, address, config, "; ".join(notes)
