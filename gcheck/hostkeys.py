"""known_hosts checks as OpenSSH's ``StrictHostKeyChecking`` makes them.

Paramiko's ``HostKeys`` keeps one key per host and key type and matches
host names exactly.  This module reads every line instead, so that a host
with several keys of one type, wildcard patterns, negated patterns and
``@revoked`` markers behave as in OpenSSH.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from dataclasses import dataclass

from gcheck.errors import InputError

log = logging.getLogger(__name__)

KNOWN = "known"
CHANGED = "changed"
REVOKED = "revoked"
OTHER_TYPE = "other-type"
UNKNOWN = "unknown"

# Paramiko names every RSA key "ssh-rsa"; the signature algorithms that
# verify with it are negotiated under these names, strongest first.
_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}

_record_lock = threading.Lock()


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a server's key, and the key types on file."""

    status: str
    known_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedKey:
    """A host key that ``record`` added to a known_hosts file."""

    host: str
    key_type: str
    fingerprint: str
    known_hosts_file: str


@dataclass(frozen=True)
class _Entry:
    patterns: tuple[str, ...]
    key: object  # paramiko.PKey
    revoked: bool


def host_id(hostname: str, port: int) -> str:
    """Return the name known_hosts files use: ``host`` or ``[host]:port``."""
    hostname = hostname.lower()
    return hostname if port == 22 else f"[{hostname}]:{port}"


class KnownHosts:
    """The entries of a list of known_hosts files, read once.

    A missing file has no entries, as for OpenSSH.  A file that exists but
    cannot be read (a folder, no read permission) raises
    :class:`InputError`, because every host that lists it would otherwise
    look unknown.
    """

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        self._entries: list[_Entry] = []
        for path in paths:
            self._entries.extend(_read(path))
        # A fleet's known_hosts has a line per host, so plain names are
        # looked up in a dict.  Only hashed, wildcard and negated entries
        # are tested one by one for each host.
        self._plain: dict[str, list[int]] = {}
        self._patterned: list[int] = []
        for number, entry in enumerate(self._entries):
            if all(_is_plain(pattern) for pattern in entry.patterns):
                for pattern in entry.patterns:
                    self._plain.setdefault(pattern, []).append(number)
            else:
                self._patterned.append(number)

    def _matching(self, name: str) -> list[_Entry]:
        """Return the entries that match ``name``, in file order."""
        numbers = set(self._plain.get(name, ()))
        numbers.update(n for n in self._patterned if _matches(self._entries[n], name))
        return [self._entries[number] for number in sorted(numbers)]

    def keys_for(self, name: str) -> list[object]:
        """Return the (not revoked) keys on file for ``name``."""
        return [e.key for e in self._matching(name) if not e.revoked]

    def preferred_algorithms(self, name: str, offered: list[str]) -> list[str]:
        """Order ``offered`` host key algorithms with the known types first.

        OpenSSH does the same, so that a host known under one key type is
        not asked for a key of another type it also has.
        """
        first = []
        for key in self.keys_for(name):
            for algorithm in _ALGORITHMS.get(key.get_name(), (key.get_name(),)):
                if algorithm in offered and algorithm not in first:
                    first.append(algorithm)
        return first + [a for a in offered if a not in first]

    def check(self, name: str, key) -> Verdict:
        """Check the server's ``key`` for host ``name``."""
        matching = self._matching(name)
        same_type = [e for e in matching if e.key.get_name() == key.get_name()]
        if any(e.revoked and _same(e.key, key) for e in matching):
            return Verdict(REVOKED)
        known_types = tuple(dict.fromkeys(e.key.get_name() for e in matching))
        if any(not e.revoked and _same(e.key, key) for e in same_type):
            return Verdict(KNOWN, known_types)
        if any(not e.revoked for e in same_type):
            return Verdict(CHANGED, known_types)
        if any(not e.revoked for e in matching):
            return Verdict(OTHER_TYPE, known_types)
        return Verdict(UNKNOWN)


def record(path: str, name: str, key, hashed: bool) -> RecordedKey:
    """Append ``name``'s key to ``path``, hashed when ``hashed`` is true.

    Creates the file (mode 0600) and its folder (mode 0700) as OpenSSH
    does for ``~/.ssh``.  Appends are serialised so that lines written by
    concurrent workers never interleave.
    """
    from paramiko.hostkeys import HostKeys

    label = HostKeys.hash_host(name) if hashed else name
    line = f"{label} {key.get_name()} {key.get_base64()}\n"
    folder = os.path.dirname(path)
    with _record_lock:
        if folder:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a") as stream:
            stream.write(line)
    log.info("recorded the %s key of %s in %s", key.get_name(), name, path)
    # Paramiko's fingerprint is OpenSSH's "SHA256:" form.
    return RecordedKey(name, key.get_name(), key.fingerprint, path)


def _read(path: str) -> list[_Entry]:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = stream.read().splitlines()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise InputError(
            path,
            f"cannot read known_hosts file: {error.strerror}",
            hint="make it a readable file, or point UserKnownHostsFile "
            "in ssh_config at one",
        ) from error
    entries = []
    for number, line in enumerate(lines, 1):
        entry = _parse(line, path, number)
        if entry is not None:
            entries.append(entry)
    return entries


def _parse(line: str, path: str, number: int) -> _Entry | None:
    from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

    fields = line.split()
    if not fields or fields[0].startswith("#"):
        return None
    marker = fields.pop(0) if fields[0].startswith("@") else None
    # NOTE: @cert-authority lines are skipped: gcheck does not check host
    # certificates, so a host known only through a CA shows as unknown.
    if marker not in (None, "@revoked"):
        return None
    try:
        parsed = HostKeyEntry.from_line(" ".join(fields[:3]), number)
    except (InvalidHostKey, ValueError) as error:
        log.debug("skipping %s:%d: %s", path, number, error)
        return None
    if parsed is None:
        return None
    # Names match case-insensitively, but a hashed name is base64 text.
    patterns = tuple(p if p.startswith("|1|") else p.lower() for p in parsed.hostnames)
    return _Entry(patterns, parsed.key, revoked=marker == "@revoked")


def _matches(entry: _Entry, name: str) -> bool:
    """Match ``name`` as OpenSSH does: hashed names, wildcards, negation."""
    from paramiko.hostkeys import HostKeys

    matched = False
    for pattern in entry.patterns:
        negated = pattern.startswith("!")
        pattern = pattern[1:] if negated else pattern
        if pattern.startswith("|1|"):
            hit = HostKeys.hash_host(name, pattern) == pattern
        else:
            hit = _wildcard(pattern).fullmatch(name) is not None
        if hit and negated:
            return False
        matched = matched or hit
    return matched


def _is_plain(pattern: str) -> bool:
    return not pattern.startswith(("|1|", "!")) and not any(c in pattern for c in "*?")


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """Compile an OpenSSH pattern: only ``*`` and ``?`` are special."""
    escaped = re.escape(pattern)
    return re.compile(escaped.replace(r"\*", ".*").replace(r"\?", "."))


def _same(known, offered) -> bool:
    return (
        known.get_name() == offered.get_name() and known.asbytes() == offered.asbytes()
    )
