"""Autotest's interpretation of a value: its settings module's ``get_value``.

These functions reproduce what the scheduler does with the effective
configuration, so that gcheck's verdicts match what Autotest will do.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gcheck.config import Config
from gcheck.interpolation import (
    MAX_INTERPOLATION_DEPTH,
    encode_names,
    format_mapping,
)
from gcheck.reader import decode, encode, optionxform

if TYPE_CHECKING:
    from gcheck.schema import Schema

SCHEDULER = "SCHEDULER"
LOCALHOST = "localhost"
PER_HOST_SUFFIXES = ("username", "disabled", "max_processes", "users")


class NoValue(Exception):
    """``get_value`` found nothing and the caller gave no default."""

    def __init__(self, section: str, key: str) -> None:
        super().__init__(f"Value '{key}' not found in section '{section}'")
        self.section = section
        self.key = key


_NO_DEFAULT = object()


@dataclass(frozen=True)
class Value:
    """The result of ``get_value``, and whether the default was used."""

    text: str | None
    defaulted: bool
    # Why the default was used: "missing", "blank" or an interpolation
    # error ("missing-reference", "depth"); empty when it was not.
    reason: str = ""


def get_text(
    config: Config,
    section: str,
    key: str,
    default: str | None | object = _NO_DEFAULT,
    allow_blank: bool = False,
) -> Value:
    """Return the string ``get_value`` starts from, before type conversion.

    A missing option, a blank value, or an interpolation error that
    ConfigParser raises (a missing reference, nesting past ten levels) all
    give the default.  Any other formatting error crashes Autotest; it is
    raised here as ``ValueError``.
    """
    lookup = config.get(section, key)
    if lookup.error == "crash":
        raise ValueError(lookup.detail)
    if lookup.error is not None:
        reason = {"missing": "missing-reference", "depth": "depth"}.get(
            lookup.error, "missing"
        )
        return _default(section, key, default, reason)
    text = lookup.value or ""
    if not text.strip() and not allow_blank:
        return _default(section, key, default, "blank")
    return Value(text, defaulted=False)


def _default(section: str, key: str, default: object, reason: str) -> Value:
    if default is _NO_DEFAULT:
        raise NoValue(section, key)
    return Value(None if default is None else str(default), True, reason)


# Python 2's str.strip() removes ASCII whitespace only; Python 3's would
# also remove characters such as U+00A0 that Python 2 keeps.
ASCII_WHITESPACE = " \t\n\r\x0b\x0c"

# Python 2.7's int() on a str: optional sign, then optional whitespace (it
# accepts "- 5"), then ASCII digits only; no "_", no "0x", no "L" suffix.
_INT_RE = re.compile(r"[+-]?[ \t\n\r\x0b\x0c]*[0-9]+")
# Python 2.7's float() on a str: no "_" separators, no space after the sign.
_FLOAT_RE = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)",
    re.IGNORECASE,
)


def strip(text: str) -> str:
    """Strip ASCII whitespace, as Python 2's ``str.strip()`` does."""
    return text.strip(ASCII_WHITESPACE)


def to_bool(text: str) -> bool:
    """Convert as Autotest does: only ``false`` (any case) is False."""
    return strip(text).lower() != "false"


def to_list(text: str) -> list[str]:
    """Split on ``,`` and strip each item, keeping empty items."""
    return [strip(item) for item in text.split(",")]


def to_int(text: str) -> int:
    """Convert as Python 2.7's ``int()`` does, raising ``ValueError``.

    Python 3's ``int()`` is more lenient (``1_000``, non-ASCII digits) and
    stricter (``- 5``), so it cannot be used directly.
    """
    stripped = strip(text)
    if not _INT_RE.fullmatch(stripped):
        raise ValueError(f"invalid literal for int() with base 10: {stripped!r}")
    sign = -1 if stripped.startswith("-") else 1
    return sign * int(stripped.lstrip("+-").lstrip(ASCII_WHITESPACE))


def to_float(text: str) -> float:
    """Convert as Python 2.7's ``float()`` does, raising ``ValueError``."""
    stripped = strip(text)
    if not _FLOAT_RE.fullmatch(stripped):
        raise ValueError(f"could not convert string to float: {stripped!r}")
    return float(stripped)


def to_words(text: str) -> list[str]:
    """Split on whitespace, as Autotest splits a ``<host>_users`` value."""
    return text.split()


def is_set(text: str) -> bool:
    """Return whether a flag such as ``<host>_disabled`` is set.

    Autotest tests the text itself (``not bool(value)``), so every
    non-blank value sets the flag, ``False`` and ``0`` included.
    """
    return bool(strip(text))


# Spellings that a reader takes for "off" but that Autotest's bool rule
# reads as True, because only "false" is False.
_FALSE_LOOKING = frozenset(
    {"no", "n", "0", "off", "disabled", "disable", "none", "null", "nil", "f"}
)


def looks_false(text: str) -> bool:
    """Return whether ``text`` reads as "off" to a person but not to Autotest.

    True for common negative words, for ``false`` in quotes or with
    punctuation, and for misspellings of ``false`` such as ``flase``.
    """
    word = strip(text).lower()
    if word == "false":
        return False
    bare = word.strip("\"'.,;:!")
    if bare in _FALSE_LOOKING or bare == "false":
        return True
    return difflib.SequenceMatcher(None, bare, "false").ratio() >= 0.75


# POSIX portable user names: letters, digits, ".", "_" and "-", not starting
# with "-"; Samba machine accounts add a trailing "$".
_LOGIN_RE = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*\$?")


def login_problem(name: str) -> str | None:
    """Return why no POSIX system accepts ``name`` as a user, or ``None``."""
    if _LOGIN_RE.fullmatch(name):
        return None
    if name.startswith("-"):
        return "starts with '-'"
    bad = sorted({c for c in name if not re.fullmatch(r"[A-Za-z0-9._$-]", c)})
    return "contains " + ", ".join(_describe_char(c) for c in bad)


_LABEL_RE = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


def host_problem(name: str) -> str | None:
    """Return why ``name`` is not a host name or IP address, or ``None``.

    Labels may contain ``_`` besides letters, digits and ``-``: DNS and
    /etc/hosts accept it although RFC 1123 host names do not.
    """
    if name == "":
        return "is empty"
    if _is_ip_address(name):
        return None
    bad = sorted({c for c in name if not re.fullmatch(r"[A-Za-z0-9._-]", c)})
    if bad:
        return "contains " + ", ".join(_describe_char(c) for c in bad)
    labels = name[:-1].split(".") if name.endswith(".") else name.split(".")
    if len(name) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return "is not a valid DNS name (a label is empty, too long or starts or ends with '-')"
    return None


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True


_CHAR_NAMES = {" ": "a space", "\n": "a newline", "\t": "a tab", ",": "a comma"}


def _describe_char(char: str) -> str:
    if char in _CHAR_NAMES:
        return _CHAR_NAMES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        # decode() keeps a byte that is not UTF-8 as this lone surrogate.
        return f"the byte \\x{code - 0xDC00:02x} (not UTF-8)"
    if char.isprintable():
        return repr(char)
    return f"the control character U+{code:04X}"


def fold_enum_name(text: str) -> str:
    """Return the attribute name Autotest's ``Enum.get_value`` looks up.

    Autotest's enum class upper-cases a name and turns spaces into ``_``,
    so ``No protection`` and ``NO_PROTECTION`` name the same value.
    """
    return strip(text).upper().replace(" ", "_")


def drones(config: Config) -> list[str]:
    """Return the scheduler's drone list, duplicates and blanks included."""
    value = get_text(config, SCHEDULER, "drones", default=LOCALHOST)
    return to_list(value.text or "")


def results_host(config: Config) -> str:
    """Return the results host name; it is not split on commas."""
    value = get_text(config, SCHEDULER, "results_host", default=LOCALHOST)
    return (value.text or "").strip()


def known_hosts(config: Config) -> list[str]:
    """Return every host the scheduler talks to, each once, in order."""
    hosts = list(dict.fromkeys([*drones(config), results_host(config)]))
    return hosts


def split_per_host_key(option: str, hosts: list[str]) -> tuple[str, str] | None:
    """Return ``(host, suffix)`` when ``option`` is a per-host key.

    Host names may contain ``_``, so ``option`` is matched against the
    known host names first (case-insensitively, as options are
    lower-cased); the longest matching host wins.
    """
    for host in sorted(hosts, key=len, reverse=True):
        for suffix in PER_HOST_SUFFIXES:
            if option == f"{host.lower()}_{suffix}":
                return host, suffix
    return None


class _RecordedNames(Mapping[bytes, bytes]):
    """The names of one expansion, recording every name the expansion reads.

    A missing name expands to nothing instead of raising, so that the
    references after it are still recorded, and is not recorded itself
    because it inserts no text.  A conversion without a key
    (``%r`` before any ``%(name)s``) formats the whole mapping, which
    reads every name.
    """

    def __init__(self, names: Mapping[bytes, bytes]) -> None:
        self._names = names
        self.used: set[bytes] = set()

    def __getitem__(self, key: bytes) -> bytes:
        if key not in self._names:
            return b""
        self.used.add(key)
        return self._names[key]

    def __iter__(self) -> Iterator[bytes]:
        self.used.update(self._names)
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


_REFERENCE_RE = re.compile(rb"%\(([^)]*)\)s")


def referenced_names(raw: str, names: Mapping[str, str]) -> set[str]:
    """Return the names whose text the expansion of ``raw`` inserts.

    The expansion runs as ConfigParser's ``get()`` runs it, pass by pass up
    to its ten levels, so references inside referenced values count too.
    """
    if "%(" not in raw:
        return set()
    return _referenced(raw, encode_names(names))


def _referenced(raw: str, encoded: Mapping[bytes, bytes]) -> set[str]:
    mapping = _RecordedNames(encoded)
    value = encode(raw)
    for _ in range(MAX_INTERPOLATION_DEPTH):
        if b"%(" not in value:
            break
        # ConfigParser lower-cases the names in references before formatting.
        value = _REFERENCE_RE.sub(lambda m: b"%(" + m[1].lower() + b")s", value)
        try:
            value = format_mapping(value, mapping)
        except (ValueError, TypeError, MemoryError):
            # Autotest stops here too, so nothing after this is inserted.
            break
    return {decode(name) for name in mapping.used}


class Secrets:
    """The options of one config whose values must never be shown.

    An option is secret when the schema marks it (``Schema.is_secret``: a
    key marked secret, or a name such as ``db_pw``), or when the expansion
    of its ``%(name)s`` references inserts the value of a secret option.
    A shadow option counts its references in the shadow file too, because
    the merge expands them before ``get()`` expands the result again.
    """

    def __init__(self, config: Config, schema: Schema) -> None:
        self.config = config
        self.schema = schema
        self._known: dict[tuple[str, str], bool] = {}
        self._sections: dict[str, tuple[set[str], dict[bytes, bytes]]] = {}

    def is_secret(self, section: str, option: str) -> bool:
        """Return whether the value of ``option`` in ``section`` is secret."""
        key = (section, optionxform(option))
        if key not in self._known:
            self._known[key] = self._find(*key)
        return self._known[key]

    def _find(self, section: str, option: str) -> bool:
        inherited, encoded = self._section(section)
        if self._secret_name(section, option, inherited):
            return True
        setting = self.config.setting(section, option)
        if setting is None:
            return False
        used = _referenced(setting.raw, encoded) if "%(" in setting.raw else set()
        if any(self._secret_name(section, name, inherited) for name in used):
            return True
        return any(self._secret_in_shadow(section, name) for name in used | {option})

    def _section(self, section: str) -> tuple[set[str], dict[bytes, bytes]]:
        """Return the names ``section`` inherits and all its names, encoded.

        Both are read once per section: building them for every option
        made a section of 8,000 options take 20 s to validate.
        """
        if section not in self._sections:
            own = self.config.sections.get(section, {})
            inherited = set(self.config.defaults) - set(own)
            self._sections[section] = (inherited, self.config.encoded_names(section))
        return self._sections[section]

    def _secret_name(self, section: str, name: str, inherited: set[str]) -> bool:
        """Return whether ``name`` is secret where the schema alone decides.

        A name inherited from ``[DEFAULT]`` is secret when the schema marks
        it secret in any section, because every section reads it.
        """
        if self.schema.is_secret(section, name):
            return True
        if name not in inherited:
            return False
        return any(
            self.schema.is_secret(s, name) for s in self.schema.sections_with(name)
        )

    def _secret_in_shadow(self, section: str, name: str) -> bool:
        """Return whether the shadow merge put a secret into ``name``."""
        setting = self.config.setting(section, name)
        shadow = self.config.shadow_file
        if setting is None or setting.source != "shadow" or shadow is None:
            return False
        if "%(" not in setting.origin.value:
            return False
        own = set(shadow.sections.get(section, {}))
        inherited = set(shadow.defaults) - own
        used = referenced_names(setting.origin.value, shadow.names(section))
        return any(self._secret_name(section, n, inherited) for n in used)
