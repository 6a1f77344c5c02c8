"""Turn what went wrong on one host into an ``H`` code and a message.

Classification reads exception types, errno values and the state of the
SSH transport (was the banner received, is it still active), never the
text of a message, which changes between library versions.
"""

from __future__ import annotations

import errno
import socket

# The steps of a fetch, as the watchdog names the one that ran out of time.
CONNECT = "connect"
HANDSHAKE = "handshake"
AUTH = "auth"
TRANSFER = "transfer"

_TIMEOUT_CODES = {CONNECT: "H103", AUTH: "H303", TRANSFER: "H406"}
_CLOSED = (EOFError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
# The process or the system ran out of file descriptors.
_LOCAL_LIMITS = (errno.EMFILE, errno.ENFILE)


class HostFailure(Exception):
    """A classified failure of one host: an ``H`` code and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def timed_out(step: str, limit: float, banner_seen: bool) -> HostFailure:
    """Return the failure for a step that ran past its time limit."""
    if step == HANDSHAKE:
        if banner_seen:
            return HostFailure(
                "H106", f"key exchange did not finish within {limit:g} s"
            )
        return HostFailure("H105", f"no SSH banner within {limit:g} s")
    what = {CONNECT: "connect", AUTH: "authentication", TRANSFER: "file transfer"}
    return HostFailure(
        _TIMEOUT_CODES[step], f"{what[step]} timed out after {limit:g} s"
    )


def classify(error: BaseException, step: str, banner_seen: bool) -> HostFailure:
    """Classify an exception raised during ``step``."""
    if isinstance(error, HostFailure):
        return error
    for cause in _chain(error):
        if isinstance(cause, OSError) and cause.errno in _LOCAL_LIMITS:
            return HostFailure(
                "H109",
                f"local file descriptor limit reached during {step}: {cause.strerror}",
            )
    if step == CONNECT:
        return _connect_failure(error)
    if step == HANDSHAKE:
        return _handshake_failure(error, banner_seen)
    if isinstance(error, TimeoutError) and step in _TIMEOUT_CODES:
        return HostFailure(_TIMEOUT_CODES[step], f"{step} timed out")
    return HostFailure("H107", f"connection lost during {step}: {_describe(error)}")


def _connect_failure(error: BaseException) -> HostFailure:
    if isinstance(error, socket.gaierror):
        return HostFailure("H101", f"name not resolvable: {error.strerror}")
    if isinstance(error, UnicodeError):
        # Python's IDNA codec raises this for names DNS cannot carry,
        # such as an empty label.
        return HostFailure("H101", "not a valid host name")
    if isinstance(error, ConnectionRefusedError):
        return HostFailure("H102", "connection refused")
    if isinstance(error, TimeoutError):
        return HostFailure("H103", "connect timed out")
    if isinstance(error, OSError) and error.errno in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
    ):
        return HostFailure("H107", f"cannot connect: {error.strerror}")
    return HostFailure("H107", f"cannot connect: {_describe(error)}")


def _handshake_failure(error: BaseException, banner_seen: bool) -> HostFailure:
    causes = list(_chain(error))
    if not banner_seen:
        if any(isinstance(c, _CLOSED) for c in causes):
            return HostFailure("H104", "connection closed before the SSH banner")
        if any(isinstance(c, TimeoutError) for c in causes):
            return HostFailure("H105", "no SSH banner within the connect timeout")
    return HostFailure("H106", f"SSH handshake failed: {_describe(error)}")


def _chain(error: BaseException):
    """Yield ``error`` and the exceptions it was raised from or during."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _describe(error: BaseException) -> str:
    """Return the exception's type and text, for a human reader only."""
    text = str(error).strip()
    name = type(error).__name__
    return f"{name}: {text}" if text else name
