"""Log in as the scheduler's ssh does: keys and an agent only (``BatchMode``).

No password is sent and no passphrase is asked for.  An encrypted key
that is not in an agent is skipped, and if no other key logs in, that
key is the reported cause.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

from gcheck.fetch_errors import HostFailure

log = logging.getLogger(__name__)

# OpenSSH's default identities that Paramiko can load, tried when
# ssh_config names none.
DEFAULT_IDENTITIES = ("~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ed25519")
_agent_warnings: set[str] = set()


@dataclass
class Candidates:
    """The keys to offer, and the identity files that could not be used."""

    keys: list[tuple[str, object]] = field(default_factory=list)
    encrypted: list[str] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)


class KeyCache:
    """Identity files loaded once per run and shared by every host."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[str, object]] = {}

    def load(self, path: str) -> tuple[str, object]:
        """Return ``("key", PKey)``, ``("encrypted", blob)`` or ``("unusable", None)``.

        For an encrypted key the blob is its public key from ``PATH.pub``
        (or ``None``), so that an agent holding it can be recognised.
        """
        with self._lock:
            if path not in self._loaded:
                self._loaded[path] = _load(path)
            return self._loaded[path]


def candidates(host, cache: KeyCache, agent_keys: list) -> Candidates:
    """List the keys to offer for ``host``: agent keys first, then files.

    With ``IdentitiesOnly`` the agent's keys are offered only when they
    match one of the host's identity files, as OpenSSH does.
    """
    paths = host.identity_files or tuple(
        p
        for p in (os.path.expanduser(d) for d in DEFAULT_IDENTITIES)
        if os.path.exists(p)
    )
    found = Candidates()
    file_blobs = {}
    for path in paths:
        status, value = cache.load(path)
        if status == "key":
            file_blobs[value.asbytes()] = (path, value)
        elif status == "encrypted":
            found.encrypted.append(path)
            if value is not None:
                file_blobs.setdefault(value, (path, None))
        else:
            found.unusable.append(path)
    for key in agent_keys:
        if host.identities_only and key.asbytes() not in file_blobs:
            continue
        found.keys.append((f"agent key {key.get_name()}", key))
        if key.asbytes() in file_blobs:
            path, _ = file_blobs.pop(key.asbytes())
            if path in found.encrypted:
                found.encrypted.remove(path)
    found.keys += [(path, key) for path, key in file_blobs.values() if key is not None]
    return found


def authenticate(transport, host, keys: Candidates, limit_at: float) -> None:
    """Log in as ``host.login``; raise :class:`HostFailure` when that fails.

    ``limit_at`` (``time.monotonic()``) bounds every wait for the server.
    """
    from paramiko.ssh_exception import AuthenticationException, BadAuthenticationType

    allowed = _methods(transport, host.login, limit_at)
    if allowed is None:
        return  # the server accepted "none": no key needed
    if "publickey" not in allowed:
        raise _rejected(host, allowed, keys, tried=[])
    tried = []
    for label, key in keys.keys:
        _set_timeout(transport, limit_at)
        try:
            remaining = transport.auth_publickey(host.login, key)
        except BadAuthenticationType as error:
            raise _rejected(host, error.allowed_types, keys, tried) from error
        except AuthenticationException:
            _check_alive(transport, limit_at)
            tried.append(label)
            continue
        if not remaining:
            return
        raise _rejected(host, remaining, keys, tried + [label], partial=True)
    raise _rejected(host, allowed, keys, tried)


def agent_keys() -> tuple[list, object | None]:
    """Return the keys of the agent at ``$SSH_AUTH_SOCK`` and the agent.

    The caller closes the agent.  No agent, or one that fails, gives no keys.
    """
    if not os.environ.get("SSH_AUTH_SOCK"):
        return [], None
    from paramiko.agent import Agent
    from paramiko.ssh_exception import SSHException

    try:
        agent = Agent()
        return list(agent.get_keys()), agent
    except (SSHException, OSError) as error:
        socket_path = os.environ["SSH_AUTH_SOCK"]
        # Every host tries the agent, so each socket is reported once.
        if socket_path not in _agent_warnings:
            _agent_warnings.add(socket_path)
            log.warning("cannot use the SSH agent at %s: %s", socket_path, error)
        return [], None


def _methods(transport, login: str, limit_at: float) -> list[str] | None:
    """Ask which methods the server allows; ``None`` if "none" logged in."""
    from paramiko.ssh_exception import AuthenticationException, BadAuthenticationType

    _set_timeout(transport, limit_at)
    try:
        transport.auth_none(login)
    except BadAuthenticationType as error:
        return list(error.allowed_types)
    except AuthenticationException:
        _check_alive(transport, limit_at)
        return ["publickey"]
    return None


def _set_timeout(transport, limit_at: float) -> None:
    remaining = limit_at - time.monotonic()
    if remaining <= 0:
        raise HostFailure("H303", "authentication timed out")
    transport.auth_timeout = remaining


def _check_alive(transport, limit_at: float) -> None:
    """Tell a rejected key from a timeout or a dropped connection."""
    if time.monotonic() >= limit_at:
        raise HostFailure("H303", "authentication timed out")
    if not transport.is_active():
        raise HostFailure("H107", "the server closed the connection during login")


def _rejected(host, allowed, keys: Candidates, tried, partial=False) -> HostFailure:
    methods = ",".join(allowed) or "none"
    target = f"{host.login}@{host.hostname}"
    if keys.encrypted:
        names = ", ".join(keys.encrypted)
        return HostFailure(
            "H302",
            f"login as {target} failed: {names} needs a passphrase and no agent "
            f"holds it (server allows: {methods})",
        )
    if partial:
        message = f"login as {target} needs further methods after the key: {methods}"
    elif not tried and "publickey" in allowed:
        message = f"no key to offer for {target} (server allows: {methods})"
    else:
        offered = ", ".join(tried) if tried else "no key"
        message = (
            f"server rejected login as {target} (server allows: {methods}; "
            f"offered: {offered})"
        )
    if keys.unusable:
        message += f"; unusable key files: {', '.join(keys.unusable)}"
    return HostFailure("H301", message)


def _load(path: str) -> tuple[str, object]:
    from cryptography.exceptions import UnsupportedAlgorithm
    from paramiko import PKey
    from paramiko.ssh_exception import PasswordRequiredException, SSHException

    try:
        return "key", PKey.from_path(path)
    except (PasswordRequiredException, TypeError):
        # cryptography's key loaders raise TypeError for an encrypted key
        # loaded without a password.
        return "encrypted", _public_blob(path)
    except (OSError, SSHException, ValueError, UnsupportedAlgorithm) as error:
        log.warning("cannot load identity file %s: %s", path, error)
        return "unusable", None


def _public_blob(path: str) -> bytes | None:
    from paramiko.pkey import PublicBlob

    try:
        return PublicBlob.from_file(path + ".pub").key_blob
    except (OSError, ValueError):
        return None
