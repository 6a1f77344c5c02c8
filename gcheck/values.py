"""How Autotest interprets a value: its settings module's ``get_value``.

These functions reproduce what the scheduler does with the effective
configuration, so that gcheck's verdicts match what Autotest will do.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcheck.config import Config

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
    """What ``get_value`` returned, and whether the default was used."""

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


def to_bool(text: str) -> bool:
    """Convert as Autotest does: only ``false`` (any case) is False."""
    return text.strip().lower() != "false"


def to_list(text: str) -> list[str]:
    """Split on ``,`` and strip each item, keeping empty items."""
    return [item.strip() for item in text.split(",")]


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
