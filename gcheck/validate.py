"""Validate a configuration against a schema with every registered check."""

from __future__ import annotations

from gcheck import values
from gcheck.checks import Subject, registered
from gcheck.checks.common import Entry, collect_entries
from gcheck.config import Config
from gcheck.findings import Finding
from gcheck.schema import KeySpec, Schema


def validate(config: Config, schema: Schema) -> list[Finding]:
    """Run every registered check on ``config`` and return the findings in order."""
    entries = collect_entries(config)
    fillers = placeholder_fillers(config, schema, entries)
    hosts = tuple(dict.fromkeys(host for names in fillers.values() for host in names))
    subject = Subject(config, schema, hosts, entries, fillers)
    findings = [finding for check in registered() for finding in check(subject)]
    return sorted(findings, key=Finding.sort_key)


def placeholder_fillers(
    config: Config, schema: Schema, entries: tuple[Entry, ...] = ()
) -> dict[str, list[str]]:
    """Return the values of each placeholder, such as the hosts for ``<host>``.

    For the Autotest schema, ``<host>`` gets the names in ``drones`` then
    ``results_host``, as :func:`gcheck.values.known_hosts` lists them.
    When a key is missing, a value from a rejected indented line stands in
    for it, so that the per-host keys of a pasted block can be checked.
    """
    fillers: dict[str, list[str]] = {}
    for spec in schema.placeholder_keys():
        named = spec.normalize(_text(config, spec, entries) or "")
        names = named if isinstance(named, list) else [named]
        known = fillers.setdefault(spec.placeholder or "", [])
        known.extend(name for name in names if isinstance(name, str))
    return {name: list(dict.fromkeys(names)) for name, names in fillers.items()}


def _text(config: Config, spec: KeySpec, entries: tuple[Entry, ...]) -> str | None:
    try:
        value = values.get_text(config, spec.section, spec.option, default=None)
    except ValueError:
        return None
    if not value.defaulted:
        return value.text
    for entry in entries:
        recovered = entry.recovered and entry.section == spec.section
        if recovered and entry.option == spec.option:
            return entry.text
    return None
