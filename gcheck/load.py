"""Load ``global_config.ini`` and its ``shadow_config.ini`` from disk.

This module is the only place where gcheck reads configuration from the
local file system.  Every failure becomes an :class:`InputError` that
names the path, so no traceback reaches the user.
"""

from __future__ import annotations

import errno
import importlib.util
import logging
import os

from gcheck import reader
from gcheck.config import Config, build
from gcheck.errors import GcheckError, InputError

log = logging.getLogger(__name__)

GLOBAL_NAME = "global_config.ini"
SHADOW_NAME = "shadow_config.ini"
# A real global_config.ini is a few KiB; a file this large is the wrong
# file, and reading it whole would waste memory.
MAX_FILE_BYTES = 16 * 1024 * 1024
# Autotest's usual install directory on the scheduler and drones (the
# default drone_installation_directory).
INSTALL_DIR = "/usr/local/autotest"
ETC_DIR = "/etc/autotest"


def read_bytes(path: str) -> bytes:
    """Return the bytes of the file at ``path``.

    Raises InputError when the file is missing, a directory, unreadable,
    or larger than :data:`MAX_FILE_BYTES`.
    """
    try:
        return _read(path)
    except OSError as error:
        raise _input_error(path, error) from error


def _read(path: str) -> bytes:
    """Read a file, raising OSError when it cannot be opened or read."""
    with open(path, "rb") as stream:
        _check_size(path, os.fstat(stream.fileno()).st_size)
        # A device or pipe reports size 0, so the read is bounded too.
        data = stream.read(MAX_FILE_BYTES + 1)
    _check_size(path, len(data))
    log.debug("read %s (%d bytes)", path, len(data))
    return data


def _check_size(path: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError(
            path,
            f"file is {_mebibytes(size)} ({size} bytes), larger than the "
            f"{_mebibytes(MAX_FILE_BYTES)} gcheck reads",
            "a global_config.ini is a few KiB: check that this is the right file",
        )


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _input_error(path: str, error: OSError) -> InputError:
    if error.errno == errno.ENOENT:
        return InputError(path, "file not found", "check the path")
    if error.errno == errno.EISDIR:
        return InputError(
            path, "is a directory, not a file", f"name the {GLOBAL_NAME} inside it"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return InputError(
            path, "permission denied", "run gcheck as a user who can read the file"
        )
    return InputError(path, f"cannot read: {error.strerror or error}")


def load(path: str, shadow: str | None = "auto") -> Config:
    """Read ``path`` and a shadow file and merge them as Autotest does.

    ``shadow`` is ``"auto"`` for ``shadow_config.ini`` next to ``path``
    when it exists, ``None`` for no shadow file, or a path that must
    exist.  Autotest's settings module skips a shadow file that exists but
    cannot be opened, as if it were empty.  In ``"auto"`` mode gcheck does
    the same and records the reason in ``IniFile.read_error``.  Raises
    InputError for an unusable global file or explicitly named shadow file.
    """
    global_file = reader.parse(read_bytes(path), path, role="global")
    if shadow == "auto":
        shadow_file = _auto_shadow(os.path.join(os.path.dirname(path), SHADOW_NAME))
    elif shadow is None:
        shadow_file = None
    else:
        shadow_file = reader.parse(read_bytes(shadow), shadow, role="shadow")
    return build(global_file, shadow_file)


def _auto_shadow(path: str) -> reader.IniFile | None:
    if not os.path.exists(path):
        log.debug("no shadow file at %s", path)
        return None
    try:
        data = _read(path)
    except OSError as error:
        problem = _input_error(path, error).problem
        log.debug("skipping unreadable shadow file %s: %s", path, problem)
        shadow_file = reader.parse(b"", path, role="shadow")
        shadow_file.read_error = problem
        return shadow_file
    return reader.parse(data, path, role="shadow")


def default_config_path() -> str:
    """Return the ``global_config.ini`` that Autotest on this machine reads.

    Autotest's settings module looks in ``$AUTOTEST_TOP_PATH`` when it is
    set, else in its installed package.  There ``/etc/autotest/`` wins
    unless Autotest runs in a virtualenv.  Next come its checkout's root
    and then ``client/``.  gcheck runs in its own interpreter, so it follows
    that order with what it can see from outside.  It tries
    ``$AUTOTEST_TOP_PATH``, else ``/etc/autotest/`` and an ``autotest``
    package importable by gcheck's Python.  Then it tries the current
    directory as a checkout root, ``/usr/local/autotest`` (Autotest's usual
    install directory) and the current directory's ``client/``.  The first existing file wins.  Unlike
    Autotest, a checkout root does not need a shadow file to count.

    Raises GcheckError when no candidate exists.
    """
    # NOTE: Autotest's settings module assigns /etc/autotest/shadow_config.ini,
    # when it exists, to the *global* file path (a slip in its source), and
    # then reads the package's shadow file.  gcheck does not copy that slip.
    candidates = _candidates()
    for candidate in candidates:
        if os.path.isfile(candidate):
            log.debug("using %s", candidate)
            return candidate
    raise GcheckError(
        f"no {GLOBAL_NAME} found; looked in: {', '.join(candidates)}",
        f"pass the path of {GLOBAL_NAME}, or set AUTOTEST_TOP_PATH",
    )


def _candidates() -> list[str]:
    top = os.environ.get("AUTOTEST_TOP_PATH")
    if top:
        candidates = [os.path.join(top, GLOBAL_NAME)]
    else:
        candidates = [os.path.join(ETC_DIR, GLOBAL_NAME)]
        package = _package_dir()
        if package:
            candidates.append(os.path.join(package, GLOBAL_NAME))
    candidates.append(os.path.join(os.getcwd(), GLOBAL_NAME))
    candidates.append(os.path.join(INSTALL_DIR, GLOBAL_NAME))
    candidates.append(os.path.join(os.getcwd(), "client", GLOBAL_NAME))
    return candidates


def _package_dir() -> str | None:
    """Return the folder of an installed ``autotest`` package, without importing it."""
    try:
        spec = importlib.util.find_spec("autotest")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(iter(spec.submodule_search_locations))
