"""A read-only SFTP server over an in-memory set of files.

A demo host serves its copy of global_config.ini from memory at the path
where Autotest keeps it.  Every request that would change something is
rejected with "permission denied", and nothing on the local disk is ever
reachable through it.
"""

from __future__ import annotations

import os
import posixpath
import stat
import threading
import time
from collections.abc import Callable, Mapping

import paramiko

# Open flags (as Paramiko's server passes them, in ``os`` terms) that ask
# for anything more than reading.
_WRITE_FLAGS = (
    os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC | os.O_EXCL
)
_DENIED = paramiko.sftp.SFTP_PERMISSION_DENIED


class ReadOnlySFTP(paramiko.SFTPServerInterface):
    """Serve ``files`` (absolute path -> content) read-only."""

    def __init__(self, server, *args, files: Mapping[str, bytes], **kwargs):
        super().__init__(server, *args, **kwargs)
        self._files = dict(files)
        self._folders = _parent_folders(self._files)
        self._mtime = int(time.time())

    def canonicalize(self, path):
        # Relative paths start at "/", the demo user's home folder.
        return posixpath.normpath("/" + path.lstrip("/"))

    def stat(self, path):
        path = self.canonicalize(path)
        if path in self._files:
            return self._attributes(path, stat.S_IFREG | 0o444, len(self._files[path]))
        if path in self._folders:
            return self._attributes(path, stat.S_IFDIR | 0o555, 0)
        return paramiko.sftp.SFTP_NO_SUCH_FILE

    lstat = stat

    def open(self, path, flags, attr):
        if flags & _WRITE_FLAGS:
            return _DENIED
        path = self.canonicalize(path)
        if path not in self._files:
            return paramiko.sftp.SFTP_NO_SUCH_FILE
        return _MemoryHandle(self._files[path], self.stat(path), flags)

    def list_folder(self, path):
        path = self.canonicalize(path)
        if path not in self._folders:
            return paramiko.sftp.SFTP_NO_SUCH_FILE
        children = {p for p in [*self._files, *self._folders] if _is_child(p, path)}
        return [self.stat(child) for child in sorted(children)]

    def _attributes(self, path, mode, size):
        attributes = paramiko.SFTPAttributes()
        attributes.filename = posixpath.basename(path) or "/"
        attributes.st_mode = mode
        attributes.st_size = size
        attributes.st_uid = attributes.st_gid = 0
        attributes.st_atime = attributes.st_mtime = self._mtime
        return attributes

    # Every request that writes is rejected explicitly.
    def remove(self, path):
        return _DENIED

    def rename(self, oldpath, newpath):
        return _DENIED

    def posix_rename(self, oldpath, newpath):
        return _DENIED

    def mkdir(self, path, attr):
        return _DENIED

    def rmdir(self, path):
        return _DENIED

    def chattr(self, path, attr):
        return _DENIED

    def symlink(self, target_path, path):
        return _DENIED


class _MemoryHandle(paramiko.SFTPHandle):
    def __init__(self, data: bytes, attributes, flags: int) -> None:
        super().__init__(flags)
        self._data = data
        self._attributes = attributes

    def read(self, offset, length):
        return self._data[offset : offset + length]

    def write(self, offset, data):
        return _DENIED

    def stat(self):
        return self._attributes

    def chattr(self, attr):
        return _DENIED


class TrackedSFTPServer(paramiko.SFTPServer):
    """Paramiko's SFTP subsystem thread, reported to ``server.track_thread``.

    Paramiko starts one such thread per SFTP session; the fleet joins them
    all when it stops, so that no thread outlives the demo.
    """

    def __init__(self, channel, name, server, *args, **kwargs):
        super().__init__(channel, name, server, *args, **kwargs)
        track: Callable[[threading.Thread], None] = server.track_thread
        track(self)


def _parent_folders(paths) -> set[str]:
    folders = {"/"}
    for path in paths:
        parent = posixpath.dirname(path)
        while parent not in folders:
            folders.add(parent)
            parent = posixpath.dirname(parent)
    return folders


def _is_child(path: str, folder: str) -> bool:
    return path != folder and posixpath.dirname(path) == folder
