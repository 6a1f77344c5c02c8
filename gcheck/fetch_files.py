"""Read a host's config files: over SFTP, with ``cat`` as the fallback, or locally.

gcheck only reads: files are opened read-only over SFTP, and the fallback
runs one fixed read-only command.  A file larger than ``max_bytes`` is
not read.
"""

from __future__ import annotations

import errno
import shlex
import stat
import time

from gcheck.fetch_errors import HostFailure
from gcheck.inventory import GLOBAL_FILE, SHADOW_FILE

# The fallback for servers without SFTP.  The checks before ``cat`` turn
# "missing" and "not readable" into exit statuses, so that the outcome is
# known without reading error text.  The numbers are sysexits.h's
# EX_NOINPUT, EX_NOPERM and EX_IOERR; any other status means the login
# shell never ran the script.
_CAT_SCRIPT = 'test -e "$1" || exit 66; test -r "$1" || exit 77; cat -- "$1" || exit 74'
_MISSING, _DENIED, _READ_ERROR = 66, 77, 74
_CHUNK = 32768


def paths(host) -> dict[str, str]:
    """Return the files to read from ``host``, keyed by file name."""
    if host.config_path is None:
        raise HostFailure(
            "H405", "drone_installation_directory is not set, so the path is unknown"
        )
    return {GLOBAL_FILE: host.config_path, SHADOW_FILE: host.shadow_path}


def read_local(host, max_bytes: int) -> dict[str, bytes | None]:
    """Read the files of a local host from disk."""
    found = {}
    for name, path in paths(host).items():
        found[name] = _read_local(path, max_bytes)
    _require_global(found, host)
    return found


def read_sftp(sftp, host, max_bytes: int, timeout: float) -> dict[str, bytes | None]:
    """Read the files of ``host`` over an open SFTP session."""
    sftp.get_channel().settimeout(timeout)
    found = {}
    for name, path in paths(host).items():
        found[name] = _read_sftp(sftp, path, max_bytes)
        if name == GLOBAL_FILE:
            _require_global(found, host)
    return found


def read_cat(
    connection, host, max_bytes: int, limit_at: float
) -> dict[str, bytes | None]:
    """Read the files of ``host`` with ``cat`` over exec channels."""
    found = {}
    for name, path in paths(host).items():
        found[name] = _read_cat(connection, path, max_bytes, limit_at)
        if name == GLOBAL_FILE:
            _require_global(found, host)
    return found


def _require_global(found: dict[str, bytes | None], host) -> None:
    if found[GLOBAL_FILE] is None:
        raise HostFailure("H401", f"{host.config_path} does not exist")


def _read_local(path: str, max_bytes: int) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        return None
    except PermissionError as error:
        raise HostFailure("H402", f"permission denied reading {path}") from error
    except OSError as error:
        raise HostFailure("H407", f"cannot read {path}: {error.strerror}") from error
    _check_size(path, len(data), max_bytes)
    return data


def _read_sftp(sftp, path: str, max_bytes: int) -> bytes | None:
    try:
        attributes = sftp.stat(path)
        if stat.S_ISDIR(attributes.st_mode or 0):
            raise HostFailure("H407", f"{path} is a folder")
        _check_size(path, attributes.st_size or 0, max_bytes)
        with sftp.open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        # Paramiko maps SFTP status codes to errno values.
        if error.errno == errno.ENOENT:
            return None
        if error.errno == errno.EACCES:
            raise HostFailure("H402", f"permission denied reading {path}") from error
        if isinstance(error, TimeoutError):
            raise
        raise HostFailure("H407", f"cannot read {path}: {error}") from error
    _check_size(path, len(data), max_bytes)
    return data


def _read_cat(connection, path: str, max_bytes: int, limit_at: float) -> bytes | None:
    from paramiko.ssh_exception import SSHException

    channel = connection.create_session()
    try:
        channel.settimeout(max(limit_at - time.monotonic(), 0.001))
        command = f"sh -c {shlex.quote(_CAT_SCRIPT)} gcheck {shlex.quote(path)}"
        try:
            channel.exec_command(command)
        except SSHException as error:
            if not connection.transport.is_active():
                raise
            raise HostFailure(
                "H403", "no SFTP subsystem, and exec was rejected"
            ) from error
        data = _receive(channel, max_bytes, path)
        status = _exit_status(channel, limit_at)
    finally:
        channel.close()
    return _cat_outcome(status, data, path)


def _receive(channel, max_bytes: int, path: str) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = channel.recv(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        _check_size(path, size, max_bytes)


def _exit_status(channel, limit_at: float) -> int:
    # recv_exit_status() waits without a timeout; wait on its event instead.
    if not channel.status_event.wait(max(limit_at - time.monotonic(), 0)):
        raise TimeoutError("no exit status")
    return channel.exit_status


def _cat_outcome(status: int, data: bytes, path: str) -> bytes | None:
    if status == 0:
        return data
    if status == _MISSING:
        return None
    if status == _DENIED:
        raise HostFailure("H402", f"permission denied reading {path}")
    if status == _READ_ERROR:
        raise HostFailure("H407", f"cat could not read {path}")
    raise HostFailure(
        "H403",
        f"no SFTP subsystem, and the login shell did not run 'cat' (exit status {status})",
    )


def _check_size(path: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise HostFailure("H404", f"{path} is larger than {max_bytes} bytes")
