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
    Values on rejected indented lines count too, so that the per-host keys
    of a pasted block are checked against the hosts the block names.
    """
    fillers: dict[str, list[str]] = {}
    for spec in schema.placeholder_keys():
        known = fillers.setdefault(spec.placeholder or "", [])
        for text in [_text(config, spec), *_recovered_texts(spec, entries)]:
            named = spec.normalize(text or "")
            names = named if isinstance(named, list) else [named]
            known.extend(name for name in names if isinstance(name, str))
    return {name: list(dict.fromkeys(names)) for name, names in fillers.items()}


def _text(config: Config, spec: KeySpec) -> str | None:
    try:
        value = values.get_text(config, spec.section, spec.option, default=None)
    except ValueError:
        return None  # an interpolation crash: Autotest never gets a value
    return value.text


def _recovered_texts(spec: KeySpec, entries: tuple[Entry, ...]) -> list[str]:
    return [
        entry.text or ""
        for entry in entries
        if entry.recovered
        and (entry.section, entry.option) == (spec.section, spec.option)
    ]
