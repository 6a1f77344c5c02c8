"""``gcheck check --save DIR``: keep every fetched copy as ``DIR/HOST/FILE``.

Host names come from the config, which anyone editing it controls, so
each becomes a single safe folder name that cannot climb out of ``DIR``.
Files are written to a temporary name and renamed into place, so a reader
of ``DIR`` never reads half a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
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
        """Write a host's fetched files; remove a saved file the host lacks."""
        folder = self.folders[host]
        try:
            os.makedirs(folder, exist_ok=True)
            for name in FILES:
                data = files.get(name)
                path = os.path.join(folder, name)
                if data is None:
                    _remove(path)
                else:
                    write_atomic(path, data)
        except OSError as error:
            raise InputError(folder, f"failed to save the copy: {error.strerror}")


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it."""
    folder, name = os.path.split(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
