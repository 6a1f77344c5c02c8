"""The hosts Autotest's scheduler talks to, and how it logs in to each.

Hosts come from the effective configuration (every entry of ``drones``
and the ``results_host``) plus hosts named on the command line.  For each
host the inventory works out what the scheduler would use: the login,
where ``global_config.ini`` sits for its role, whether it is disabled,
and the ssh_config settings for reaching it.
"""

from __future__ import annotations

import getpass
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gcheck import values
from gcheck.config import Config
from gcheck.errors import GcheckError, InputError
from gcheck.sshconfig import HostSettings, SshConfig, expand_proxy_command

DRONE = "drone"
RESULTS = "results"
EXTRA = "extra"
JUMP = "jump"

GLOBAL_FILE = "global_config.ini"
SHADOW_FILE = "shadow_config.ini"


@dataclass(frozen=True)
class Host:
    """One host and everything needed to fetch its copy of the config.

    ``login_source`` is ``config`` (``HOST_username``), ``scheduler-user``,
    ``current-user``, or for jump hosts ``proxyjump`` or ``ssh_config``.
    ``config_path`` and ``shadow_path`` are ``None`` when the installation
    directory is not configured.  ``jumps`` are the ProxyJump hops, first
    hop first, each a ``Host`` with the role ``jump``.
    """

    name: str
    roles: tuple[str, ...]
    login: str
    login_source: str
    install_dir: str | None
    config_path: str | None
    shadow_path: str | None
    disabled: bool
    local: bool
    hostname: str
    port: int
    identity_files: tuple[str, ...]
    proxy_jump: str | None
    known_hosts_files: tuple[str, ...]
    identities_only: bool = False
    hash_known_hosts: bool = False
    proxy_command: str | None = None
    jumps: tuple[Host, ...] = ()


def address(hostname: str, port: int) -> str:
    """Return ``host:port``, with an IPv6 address in brackets (``[::1]:22``)."""
    if ":" in hostname:
        return f"[{hostname}]:{port}"
    return f"{hostname}:{port}"


def build(
    config: Config,
    *,
    scheduler_user: str | None = None,
    add: Iterable[str] = (),
    only: Iterable[str] | None = None,
    ssh_config: str | None = None,
) -> list[Host]:
    """List the hosts of ``config`` plus ``add``, restricted to ``only``.

    ``ssh_config`` is a path read as ``ssh -F`` reads it, and ``None``
    reads ``~/.ssh/config`` and ``/etc/ssh/ssh_config``.  Raises
    :class:`GcheckError` when ``only`` names a host that is not listed.
    """
    ssh = SshConfig.load(ssh_config)
    roles = _roles(config, add)
    if only is not None:
        requested = list(dict.fromkeys(only))
        unknown = [name for name in requested if name not in roles]
        if unknown:
            raise GcheckError(
                f"host {unknown[0]!r} is not a drone, the results host or an added host",
                hint="list the hosts with 'gcheck hosts'",
            )
        roles = {name: roles[name] for name in roles if name in requested}
    return [
        _host(config, name, host_roles, scheduler_user, ssh)
        for name, host_roles in roles.items()
    ]


def _roles(config: Config, add: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Map each host name to its roles, in the order hosts appear."""
    try:
        drones = values.drones(config)
        results_host = values.results_host(config)
    except ValueError as error:
        raise GcheckError(
            f"cannot read the host list: {error}",
            hint="fix the '%' in [SCHEDULER] drones or results_host",
        ) from error
    roles: dict[str, tuple[str, ...]] = {}
    for name in dict.fromkeys([*drones, results_host]):
        found = []
        if name in drones:
            found.append(DRONE)
        if name == results_host:
            found.append(RESULTS)
        roles[name] = tuple(found)
    for name in add:
        roles.setdefault(name, (EXTRA,))
    return roles


def _host(config, name, roles, scheduler_user, ssh) -> Host:
    login, source = _login(config, name, scheduler_user)
    install_dir = _install_dir(config, roles)
    local = name == values.LOCALHOST
    if local:
        config_path, shadow_path = _local_paths(config)
    elif install_dir is None:
        config_path = shadow_path = None
    else:
        config_path = posixpath.join(install_dir, GLOBAL_FILE)
        shadow_path = posixpath.join(install_dir, SHADOW_FILE)
    # A local host is read from disk, so ssh_config does not apply to it.
    settings = _LOCAL_SETTINGS if local else ssh.settings(name)
    proxy_command = _proxy_command(settings, name, login)
    return Host(
        name=name,
        roles=roles,
        login=login,
        login_source=source,
        install_dir=install_dir,
        config_path=config_path,
        shadow_path=shadow_path,
        disabled=_disabled(config, name),
        local=local,
        proxy_jump=settings.proxy_jump,
        proxy_command=proxy_command,
        jumps=_jumps(settings.proxy_jump, ssh),
        **_ssh_fields(settings, login),
    )


def _ssh_fields(settings: HostSettings, login: str, port: int | None = None) -> dict:
    """Return the :class:`Host` fields that ssh_config decides.

    ``%r`` in an identity or known_hosts file is ``login``, as OpenSSH
    expands it with the user it logs in as.
    """
    return {
        "hostname": settings.hostname,
        "port": port or settings.port,
        "identity_files": tuple(
            path.replace("%r", login) for path in settings.identity_files
        ),
        "known_hosts_files": tuple(
            path.replace("%r", login) for path in settings.known_hosts_files
        ),
        "identities_only": settings.identities_only,
        "hash_known_hosts": settings.hash_known_hosts,
    }


def _proxy_command(settings: HostSettings, name: str, login: str) -> str | None:
    """Return the host's ProxyCommand with its tokens expanded.

    An invalid host name or HostName is left out: the command keeps its
    tokens, and the fetch reports the host (H108) without running it.
    """
    command = settings.proxy_command
    if command is None:
        return None
    if values.host_problem(name) or values.host_problem(settings.hostname):
        return command
    return expand_proxy_command(
        command,
        name=name,
        hostname=settings.hostname,
        port=settings.port,
        login=login,
    )


_LOCAL_SETTINGS = HostSettings(
    hostname=values.LOCALHOST,
    port=22,
    user=None,
    identity_files=(),
    identities_only=False,
    proxy_jump=None,
    proxy_command=None,
    known_hosts_files=(),
    hash_known_hosts=False,
)


def _login(config: Config, name: str, scheduler_user: str | None) -> tuple[str, str]:
    """Return the login and where it came from.

    The scheduler passes ``ssh -l LOGIN``, so ssh_config's ``User`` never
    applies to it.  A blank ``HOST_username`` gives the default, as
    ``get_value`` does.
    """
    value = _text(config, f"{name}_username")
    if value is not None:
        return value.strip(), "config"
    if scheduler_user:
        return scheduler_user, "scheduler-user"
    return getpass.getuser(), "current-user"


def _install_dir(config: Config, roles: tuple[str, ...]) -> str | None:
    """Return the installation directory for a host's roles.

    A host that is a drone and the results host runs the scheduler's drone
    work from ``drone_installation_directory`` on every scheduler tick,
    while the results installation is used only to copy results, so the
    drone directory wins.
    """
    drone_dir = _text(config, "drone_installation_directory")
    if RESULTS in roles and DRONE not in roles:
        results_dir = _text(config, "results_host_installation_directory")
        if results_dir is not None:
            return results_dir.strip()
    return drone_dir.strip() if drone_dir is not None else None


def _local_paths(config: Config) -> tuple[str, str]:
    """Return the files the scheduler itself reads.

    For ``localhost`` Autotest runs the drone code inside the scheduler's
    process, which reads the configuration gcheck was given.
    """
    global_path = config.global_file.path
    if config.shadow_file is not None:
        return global_path, config.shadow_file.path
    return global_path, posixpath.join(posixpath.dirname(global_path), SHADOW_FILE)


def _disabled(config: Config, name: str) -> bool:
    """Return whether ``HOST_disabled`` disables the host: any value does."""
    return _text(config, f"{name}_disabled") is not None


def _text(config: Config, option: str) -> str | None:
    """Return ``[SCHEDULER] option`` as ``get_value`` reads it, or ``None``.

    A value that would crash Autotest's interpolation counts as unset here;
    validation reports it.
    """
    try:
        value = values.get_text(config, values.SCHEDULER, option, default=None)
    except ValueError:
        return None
    return value.text


def _jumps(proxy_jump: str | None, ssh) -> tuple[Host, ...]:
    """Resolve each ProxyJump hop with its own ssh_config settings."""
    # NOTE: a hop's own ProxyJump or ProxyCommand is not followed; OpenSSH
    # would chain it.
    if not proxy_jump:
        return ()
    hops = []
    for spec in proxy_jump.split(","):
        user, name, port = _parse_jump(spec.strip())
        settings = ssh.settings(name)
        login, source = user, "proxyjump"
        if login is None:
            login = settings.user or getpass.getuser()
            source = "ssh_config" if settings.user else "current-user"
        hops.append(
            Host(
                name=name,
                roles=(JUMP,),
                login=login,
                login_source=source,
                install_dir=None,
                config_path=None,
                shadow_path=None,
                disabled=False,
                local=False,
                proxy_jump=None,
                **_ssh_fields(settings, login, port),
            )
        )
    return tuple(hops)


def _parse_jump(spec: str) -> tuple[str | None, str, int | None]:
    """Split ``[ssh://][user@]host[:port]`` into its parts."""
    spec = spec.removeprefix("ssh://")
    user, _, rest = spec.rpartition("@")
    port = None
    if rest.startswith("["):
        name, _, tail = rest[1:].partition("]")
        port_text = tail.removeprefix(":")
    elif rest.count(":") == 1:
        name, port_text = rest.split(":")
    else:
        name, port_text = rest, ""
    if port_text.isdigit():
        port = int(port_text)
    return user or None, name, port


def host_list(names: str = "", hosts_file: str | None = None) -> list[str]:
    """Return the hosts of ``--hosts A,B`` and ``--hosts-file FILE``, each once.

    The file is UTF-8 text with host names separated by whitespace, commas
    or line ends, and ``#`` starts a comment.  Raises :class:`InputError`
    when the file cannot be read or is not UTF-8.
    """
    found = [name.strip() for name in names.split(",") if name.strip()]
    if hosts_file is not None:
        for line in _hosts_file_lines(hosts_file):
            content = line.split("#", 1)[0]
            found.extend(name for name in re.split(r"[\s,]+", content) if name)
    return list(dict.fromkeys(found))


def _hosts_file_lines(path: str) -> list[str]:
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise InputError(
            path, f"cannot read the hosts file: {error.strerror}"
        ) from error
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            path,
            f"the hosts file is not UTF-8 text: byte 0x{data[error.start]:02x} "
            f"on line {line} is invalid",
            hint="save the file as UTF-8, one or more host names per line",
        ) from error
