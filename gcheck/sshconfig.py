"""ssh_config as the scheduler's OpenSSH client reads it, parsed by Paramiko.

Paramiko's ``SSHConfig`` (5.1) ignores ``Include`` and treats the value
``none`` of ``ProxyJump`` as a host name.  This module inlines included
files before Paramiko parses the text, and reads ``none`` as "no jump".

NOTE: lookups still differ from ``ssh -G`` (OpenSSH 9.2) where Paramiko
differs: host names are matched without lower-casing, ``Match user`` is
ignored, and ``Match host`` is tested before ``HostName`` applies.
"""

from __future__ import annotations

import copy
import functools
import glob
import os
import re
import shlex
from dataclasses import dataclass
from typing import ClassVar

from gcheck.errors import InputError

USER_CONFIG = "~/.ssh/config"
SYSTEM_CONFIG = "/etc/ssh/ssh_config"
# OpenSSH's defaults when UserKnownHostsFile / GlobalKnownHostsFile are unset.
USER_KNOWN_HOSTS = ("~/.ssh/known_hosts", "~/.ssh/known_hosts2")
GLOBAL_KNOWN_HOSTS = ("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")
# OpenSSH stops following Include past this depth (READCONF_MAX_DEPTH).
MAX_INCLUDE_DEPTH = 16

# Options whose paths the inventory finishes with the login (%r).
LOGIN_TOKEN_KEYS = ("identityfile", "userknownhostsfile")
PATH_TOKENS = ("~", "%C", "%d", "%h", "%L", "%l", "%n", "%p", "%r", "%u")

_KEYWORD_RE = re.compile(r"\s*(\w+)(?:\s*=\s*|\s+)(.*)$")


@dataclass(frozen=True)
class HostSettings:
    """The ssh_config settings of one host name, with OpenSSH's defaults applied."""

    hostname: str
    port: int
    user: str | None
    identity_files: tuple[str, ...]
    identities_only: bool
    proxy_jump: str | None
    proxy_command: str | None
    known_hosts_files: tuple[str, ...]
    hash_known_hosts: bool


@functools.cache
def _fast_config_class() -> type:
    # Built on first use, so that importing this module loads no Paramiko.
    import paramiko

    class FastSSHConfig(paramiko.SSHConfig):
        """Paramiko's ``SSHConfig``, with lookups that do not scan every block.

        Paramiko 5.1 tests every block's patterns for every lookup, and looks
        up the local user name once per block even when the
        block has no ``Match`` line.  An ssh_config with one ``Host`` block
        per drone then costs hosts x blocks pattern tests and password
        database look-ups (3 s of CPU for 500 hosts).  Here a lookup reads
        only the blocks that can apply: those whose ``Host`` line names the
        host literally, and every block with a wildcard, negation or
        ``Match``, in file order, so Paramiko's first-value-wins rule still
        holds.
        """

        # OpenSSH expands these tokens in both options, but Paramiko 5.1 expands
        # none in UserKnownHostsFile and not %L, %n or %p in IdentityFile.
        # NOTE: %i, %j, %k and %% stay as written, because Paramiko has no
        # value for them.
        TOKENS_BY_CONFIG_KEY: ClassVar[dict[str, list[str]]] = {
            **paramiko.SSHConfig.TOKENS_BY_CONFIG_KEY,
            **{key: list(PATH_TOKENS) for key in LOGIN_TOKEN_KEYS},
        }

        def lookup(self, hostname):
            if self._canonicalizes():
                return super().lookup(hostname)
            view = copy.copy(self)
            view._config = self._blocks_for(hostname)
            return paramiko.SSHConfig.lookup(view, hostname)

        def _tokenize(self, config, target_hostname, key, value):
            # ProxyCommand's %r is the scheduler's login, which the
            # inventory sets, so expand_proxy_command() expands it there.
            if key == "proxycommand":
                return value
            # In file paths %r is that login too, so it is kept for the
            # inventory to fill in, instead of ssh_config's User as Paramiko does.
            if key in LOGIN_TOKEN_KEYS and isinstance(value, str) and "%r" in value:
                tokenize = super()._tokenize
                parts = value.split("%r")
                return "%r".join(
                    tokenize(config, target_hostname, key, part) for part in parts
                )
            # Every token starts with "%" or is "~", and Paramiko computes
            # them all (the local user's lookup too) before reading the value.
            if isinstance(value, str) and "%" not in value and "~" not in value:
                return value
            return super()._tokenize(config, target_hostname, key, value)

        def _pattern_matches(self, patterns, target):
            # fnmatch compiles a regular expression for each new pattern, and
            # a file with a Host block per drone has hundreds of them.  A
            # pattern without wildcards or negation matches only itself.
            if hasattr(patterns, "split"):
                patterns = patterns.split(",")
            if not any(char in pattern for pattern in patterns for char in "*?[!"):
                return target in patterns
            return super()._pattern_matches(patterns, target)

        def _does_match(self, match_list, *args, **kwargs):
            if not match_list:
                return []
            return super()._does_match(match_list, *args, **kwargs)

        def _canonicalizes(self) -> bool:
            # A canonical name is looked up again under a name this index
            # was not asked for, so such files take Paramiko's full scan.
            found = self.__dict__.get("_canonical")
            if found is None:
                found = self._canonical = any(
                    "canonicalizehostname" in b["config"] for b in self._config
                )
            return found

        def _blocks_for(self, hostname: str) -> list:
            index = self.__dict__.get("_literal_index")
            if index is None:
                index = self._literal_index = _index_blocks(self._config)
            literal, generic = index
            chosen = sorted(set(literal.get(hostname, ())) | generic)
            return [self._config[number] for number in chosen]

    return FastSSHConfig


def _index_blocks(blocks: list) -> tuple[dict[str, list[int]], set[int]]:
    """Split block numbers into literal host names and the rest."""
    literal: dict[str, list[int]] = {}
    generic: set[int] = set()
    for number, block in enumerate(blocks):
        patterns = block.get("host", [])
        if (
            block.get("matches")
            or not patterns
            or any(char in pattern for pattern in patterns for char in "*?[!")
        ):
            generic.add(number)
            continue
        for pattern in patterns:
            literal.setdefault(pattern, []).append(number)
    return literal, generic


class SshConfig:
    """The parsed ssh_config files, looked up the way OpenSSH does."""

    def __init__(self, text: str = "", source: str = "ssh_config") -> None:
        from paramiko.ssh_exception import ConfigParseError

        try:
            self._config = _fast_config_class().from_text(text)
        except ConfigParseError as error:
            raise InputError(
                source, f"invalid ssh_config: {_printable(str(error))}"
            ) from error

    @classmethod
    def load(cls, path: str | None = None) -> SshConfig:
        """Read ``path`` (as ``ssh -F`` does) or the user's and system files.

        A missing explicit ``path`` raises :class:`InputError`, while
        missing default files are skipped, as OpenSSH skips them.
        """
        if path is not None:
            # Not isfile(): "-F /dev/null" is a common way to use no config.
            if os.path.isdir(path):
                raise InputError(path, "is a directory, not an ssh_config file")
            if not os.path.exists(path):
                raise InputError(path, "ssh_config file not found")
            return cls(_expand(path, user_file=True, depth=0), path)
        parts = []
        for candidate, user_file in ((USER_CONFIG, True), (SYSTEM_CONFIG, False)):
            candidate = os.path.expanduser(candidate)
            if os.path.isfile(candidate):
                parts.append(_expand(candidate, user_file, depth=0))
        # OpenSSH takes the first value it finds, so the user's file wins.
        return cls("\n".join(parts), f"{USER_CONFIG} or {SYSTEM_CONFIG}")

    def lookup(self, name: str) -> dict:
        """Return Paramiko's lookup for ``name`` with ``none`` values dropped."""
        options = dict(self._config.lookup(name))
        for key in ("proxyjump", "proxycommand"):
            value = options.get(key)
            if value is None or str(value).strip().lower() == "none":
                options.pop(key, None)
        return options

    def settings(self, name: str) -> HostSettings:
        """Return the settings gcheck uses for ``name``."""
        options = self.lookup(name)
        return HostSettings(
            hostname=options.get("hostname", name),
            port=_port(options.get("port", "22"), name),
            user=options.get("user"),
            identity_files=tuple(
                os.path.expanduser(p) for p in options.get("identityfile", [])
            ),
            identities_only=_yes(options.get("identitiesonly")),
            proxy_jump=options.get("proxyjump"),
            proxy_command=options.get("proxycommand"),
            known_hosts_files=_known_hosts_files(options),
            hash_known_hosts=_yes(options.get("hashknownhosts")),
        )


def expand_proxy_command(
    command: str, *, name: str, hostname: str, port: int, login: str
) -> str:
    """Expand the tokens of ``command`` as OpenSSH expands ProxyCommand.

    ssh_config(5) of OpenSSH 9.2 lists ``%%``, ``%h`` (HostName), ``%n``
    (the name as given), ``%p`` and ``%r`` (the login, as ``ssh -l``
    sets it).  The text is read once from left to right, so a ``%`` that
    a replacement brings in is never expanded.  Any other token raises
    :class:`InputError`, as OpenSSH stops on it too.
    """
    replacements = {"%": "%", "h": hostname, "n": name, "p": str(port), "r": login}

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token not in replacements:
            raise InputError(
                "ssh_config",
                f"ProxyCommand {command!r} for host {name!r} contains the unknown "
                f"token %{token}.  ProxyCommand accepts %%, %h, %n, %p and %r",
            )
        return replacements[token]

    return re.sub(r"%(.?)", replace, command, flags=re.DOTALL)


def _expand(path: str, user_file: bool, depth: int) -> str:
    """Return the text of ``path`` with every ``Include`` inlined.

    OpenSSH reads an included file in the context of the enclosing Host or
    Match block, and that block goes on after the file.  Inlining gives the
    same result once the enclosing block line is repeated after any
    included text that opened blocks of its own.
    """
    if depth > MAX_INCLUDE_DEPTH:
        raise InputError(
            path, f"ssh_config Include nests deeper than {MAX_INCLUDE_DEPTH}"
        )
    try:
        # Bytes that are not UTF-8 are kept as surrogates, so that an error
        # message can show them as \xNN.
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:
            lines = stream.read().splitlines()
    except OSError as error:
        raise InputError(path, f"cannot read ssh_config: {error.strerror}") from error
    output: list[str] = []
    block = "Host *"
    for line in lines:
        match = _KEYWORD_RE.match(line)
        keyword = match.group(1).lower() if match else ""
        if keyword in ("host", "match"):
            block = line
        if keyword != "include":
            output.append(line)
            continue
        included = _included(match.group(2), user_file, depth)
        output.append(included)
        if re.search(r"(?im)^\s*(host|match)\b", included):
            output.append(block)
    return "\n".join(output)


def _included(arguments: str, user_file: bool, depth: int) -> str:
    base = os.path.expanduser("~/.ssh") if user_file else "/etc/ssh"
    texts = []
    for pattern in shlex.split(arguments):
        pattern = os.path.expanduser(pattern)
        if not os.path.isabs(pattern):
            pattern = os.path.join(base, pattern)
        # A pattern that matches nothing is not an error for OpenSSH.
        for path in sorted(glob.glob(pattern)):
            texts.append(_expand(path, user_file, depth + 1))
    return "\n".join(texts)


def _printable(text: str, limit: int = 200) -> str:
    """Return ``text`` with control characters and undecodable bytes escaped.

    A binary file passed as ssh_config otherwise sends raw bytes, terminal
    escape sequences included, to the terminal.  Text past ``limit``
    characters is cut off.
    """
    shown = []
    for char in text[:limit]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            shown.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            shown.append(char)
        elif code < 0x100:
            shown.append(f"\\x{code:02x}")
        else:
            shown.append(f"\\u{code:04x}")
    if len(text) > limit:
        shown.append("...")
    return "".join(shown)


def _known_hosts_files(options: dict) -> tuple[str, ...]:
    """Return the user's known_hosts files, then the global ones.

    New keys are recorded in the first file, as OpenSSH records them in
    the first UserKnownHostsFile.
    """
    user = options.get("userknownhostsfile")
    found = user.split() if user else list(USER_KNOWN_HOSTS)
    global_files = options.get("globalknownhostsfile")
    found += global_files.split() if global_files else list(GLOBAL_KNOWN_HOSTS)
    paths = [os.path.expanduser(p) for p in found if p.lower() != "none"]
    return tuple(dict.fromkeys(paths))


def _port(text: str, name: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise InputError("ssh_config", f"invalid Port {text!r} for host {name!r}")
    return port


def _yes(value: str | None) -> bool:
    return str(value).strip().lower() == "yes"
