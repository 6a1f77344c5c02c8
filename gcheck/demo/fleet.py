"""A demo fleet: a temporary folder with keys and config files, and the SSH
servers that serve each host's copy of global_config.ini.

The folder contains everything a client needs to reach the fleet the way it
reaches a real one.  It contains an ssh_config with one ``Host`` block per
demo host, a known_hosts file with every host key, the client's private
key, and the reference global_config.ini that names the hosts.  :meth:`Fleet.stop`
closes every port and session and removes the folder.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from gcheck.demo import keys
from gcheck.demo.hosts import (
    CONFIG_NAME,
    HOSTS,
    INSTALL_DIR,
    Behaviour,
    HostSpec,
    host_copy,
    reference_config,
)
from gcheck.demo.server import LOOPBACK, DemoServers
from gcheck.errors import GcheckError

log = logging.getLogger(__name__)

# Characters that ssh_config cannot carry in a quoted path.
_UNQUOTABLE = ('"', "\n", "\r")


@dataclass(frozen=True)
class DemoHost:
    """A started demo host and the loopback port it has."""

    spec: HostSpec
    port: int
    host_key: keys.KeyPair

    @property
    def name(self) -> str:
        return self.spec.name


class Fleet:
    """The demo hosts, started by :meth:`start` and removed by :meth:`stop`.

    Use it as a context manager so that an exception, Ctrl-C included,
    still stops the servers and removes the folder.
    """

    def __init__(self, specs: tuple[HostSpec, ...] = HOSTS, parent: str | None = None):
        self.specs = specs
        self.parent = parent
        self.folder: Path | None = None
        self.hosts: list[DemoHost] = []
        self._servers: DemoServers | None = None

    @property
    def config_path(self) -> Path:
        return self._path(CONFIG_NAME)

    @property
    def ssh_config_path(self) -> Path:
        return self._path("ssh_config")

    @property
    def known_hosts_path(self) -> Path:
        return self._path("known_hosts")

    @property
    def identity_path(self) -> Path:
        return self._path("id_ed25519")

    def start(self) -> Self:
        """Create the folder and its files, and start every host's server.

        Raises :class:`GcheckError` when the folder or a port cannot be
        created; whatever was created by then is removed first.
        """
        try:
            self._create()
        except BaseException as error:
            self.stop()
            if isinstance(error, OSError):
                raise GcheckError(
                    f"the demo fleet failed to start: {error}",
                    hint="set TMPDIR to a writable folder and check that "
                    "loopback ports can be bound",
                ) from error
            raise
        return self

    def stop(self) -> None:
        """Stop every server and remove the folder; safe to call twice."""
        if self._servers is not None:
            leftover = self._servers.stop()
            if leftover:
                log.warning("demo threads still running: %s", ", ".join(leftover))
        if self.folder is not None and self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
            log.debug("removed %s", self.folder)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _path(self, name: str) -> Path:
        if self.folder is None:
            raise RuntimeError("the demo fleet has not been started")
        return self.folder / name

    def _create(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="gcheck-demo-", dir=self.parent))
        if any(char in str(self.folder) for char in _UNQUOTABLE):
            raise GcheckError(
                f"the demo folder path {str(self.folder)!r} cannot be written "
                "into an ssh_config",
                hint="set TMPDIR to a path without quotes or line breaks",
            )
        client = keys.generate()
        client.write_private(self.identity_path)
        self._servers = DemoServers(client.key)
        reference = reference_config(self.specs)
        for spec in self.specs:
            self._add_host(spec, reference)
        self.config_path.write_text(reference, encoding="ascii")
        self.known_hosts_path.write_text(self._known_hosts(), encoding="ascii")
        self.ssh_config_path.write_text(self._ssh_config(), encoding="utf-8")
        self._servers.start()
        log.debug("demo fleet started in %s", self.folder)

    def _add_host(self, spec: HostSpec, reference: str) -> None:
        files = {}
        if spec.behaviour in (Behaviour.SERVE, Behaviour.SLOW_AUTH):
            files[f"{INSTALL_DIR}/{CONFIG_NAME}"] = host_copy(spec, reference)
        host_key = keys.generate()
        port = self._servers.add(spec, host_key, files)
        self.hosts.append(DemoHost(spec, port, host_key))

    def _known_hosts(self) -> str:
        # A host on a port other than 22 is recorded as "[address]:port".
        lines = [
            f"[{LOOPBACK}]:{host.port} {host.host_key.public_line()}"
            for host in self.hosts
        ]
        return "\n".join(lines) + "\n"

    def _ssh_config(self) -> str:
        blocks = ["# Written by gcheck demo; removed when the demo stops.\n"]
        for host in self.hosts:
            blocks.append(
                f"Host {host.name}\n"
                f"    HostName {LOOPBACK}\n"
                f"    Port {host.port}\n"
                f"    User {host.spec.login}\n"
            )
        blocks.append(
            "Host *\n"
            f"    IdentityFile {_quote(self.identity_path)}\n"
            "    IdentitiesOnly yes\n"
            f"    UserKnownHostsFile {_quote(self.known_hosts_path)}\n"
            "    StrictHostKeyChecking yes\n"
            "    BatchMode yes\n"
        )
        return "\n".join(blocks)


def _quote(path: Path) -> str:
    # ssh_config expands "%" tokens in these paths, and "%%" is a literal "%".
    return '"' + str(path).replace("%", "%%") + '"'
