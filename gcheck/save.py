"""``gcheck check --save DIR``: keep every fetched copy as ``DIR/HOST/FILE``.

Host names come from the config, which anyone editing it controls, so
each becomes a single safe folder name that cannot climb out of ``DIR``.
Files are written to a temporary name and renamed into place, so a reader
of ``DIR`` never reads half a file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Mapping

from gcheck.errors import InputError

FILES = ("global_config.ini", "shadow_config.ini")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def folder_name(host: str) -> str:
    """Return a folder name for ``host`` that stays inside its parent.

    A name made only of letters, digits, ``.``, ``_`` and ``-`` is kept
    (except ``.`` and ``..``).  Any other name has its other characters
    replaced by ``_`` and a hash of the original appended, so two names
    that differ only in replaced characters get different folders.
    """
    safe = _UNSAFE.sub("_", host)
    if safe == host and safe not in ("", ".", ".."):
        return safe
    tag = hashlib.sha256(host.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{safe.strip('.') or 'host'}-{tag}"


class SaveTargets:
    """The save folder of each host, checked before anything is fetched."""

    def __init__(self, root: str, hosts: Iterable[str], protected: Iterable[str]):
        self.root = os.path.abspath(root)
        try:
            os.makedirs(self.root, exist_ok=True)
        except OSError as error:
            raise InputError(
                root, f"failed to create the save folder: {error.strerror}"
            )
        self.folders = {
            host: os.path.join(self.root, folder_name(host)) for host in hosts
        }
        self._check_protected(protected)

    def _check_protected(self, protected: Iterable[str]) -> None:
        """Raise when saving would replace the local reference files."""
        guarded = {os.path.realpath(path) for path in protected}
        for folder in self.folders.values():
            for name in FILES:
                target = os.path.realpath(os.path.join(folder, name))
                if target in guarded:
                    raise InputError(
                        self.root,
                        f"saving copies here would overwrite {target}",
                        "choose a save folder outside the local config's folder",
                    )

    def save(self, host: str, files: Mapping[str, bytes | None]) -> None:
        """Write a host's fetched files; remove a saved file the host lacks.

        The host folder is opened without following a symbolic link, and
        every file is created, renamed and removed relative to that open
        folder, so a link planted in the save folder by another user who can
        write there cannot redirect a write elsewhere.
        """
        folder = self.folders[host]
        try:
            descriptor = _open_folder(self.root, os.path.basename(folder))
        except OSError as error:
            raise InputError(folder, f"failed to save the copy: {_reason(error)}")
        try:
            for name in FILES:
                data = files.get(name)
                if data is None:
                    _remove(name, descriptor)
                else:
                    write_atomic(name, data, descriptor)
        except OSError as error:
            raise InputError(folder, f"failed to save the copy: {_reason(error)}")
        finally:
            os.close(descriptor)


def _open_folder(root: str, name: str) -> int:
    """Create ``root/name`` if needed and open it, unless it is a symbolic link."""
    root_descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            os.mkdir(name, 0o700, dir_fd=root_descriptor)
        except FileExistsError:
            pass
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        return os.open(name, flags, dir_fd=root_descriptor)
    finally:
        os.close(root_descriptor)


def _reason(error: OSError) -> str:
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        return "it is a symbolic link or not a folder; gcheck does not write through it"
    return error.strerror or str(error)


def write_atomic(name: str, data: bytes, folder: int) -> None:
    """Write ``data`` to a temporary file, then rename it to ``name``.

    ``folder`` is the open directory descriptor both names are relative to.
    """
    temporary = f".{name}.{secrets.token_hex(6)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    handle = os.open(temporary, flags, 0o600, dir_fd=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        _remove(temporary, folder)
        raise


def _remove(name: str, folder: int) -> None:
    try:
        os.unlink(name, dir_fd=folder)
    except FileNotFoundError:
        pass
