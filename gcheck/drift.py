"""Compare every host's copy of the config with a baseline, option by option.

Values are compared as Autotest reads them: after the shadow overlay and
interpolation, and typed by the schema.  So ``True`` and ``true`` for a
boolean, or ``a,b`` and ``a, b`` for a list, are the same setting, and
their difference is only cosmetic.  A blank value and a missing option are also the
same to Autotest's ``get_value`` (both give the default), so that too is
cosmetic.  Secret options are compared, but their values never leave this
module: the result says only that they differ.

Copies with equal content (the same ``Copy.digest``) are compared once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gcheck.codes import drift as codes
from gcheck.config import Config
from gcheck.findings import Finding, Severity, catalogue
from gcheck.reader import printable, quoted
from gcheck.values import Secrets, known_hosts

if TYPE_CHECKING:
    from gcheck.schema import Schema

BASELINES = ("local", "majority")
BASELINE_NAMES = {"local": "the local reference", "majority": "the majority baseline"}

# Relations of a copy's option to the baseline's.
SAME, COSMETIC, DRIFTED, MISSING, EXTRA, SECRET = (
    "same",
    "cosmetic",
    "drifted",
    "missing",
    "extra",
    "secret",
)
_CODES = {
    COSMETIC: codes.COSMETIC,
    DRIFTED: codes.DRIFTED_VALUE,
    MISSING: codes.MISSING_OPTION,
    EXTRA: codes.EXTRA_OPTION,
    SECRET: codes.SECRET_DIFFERS,
}

# Effective values of one copy: section -> option -> text.
Values = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Copy:
    """One copy of the config: a host's, or the local reference."""

    host: str
    # Copies with the same digest have the same bytes and compare once.
    digest: str
    # None when the host has no global_config.ini.
    config: Config | None
    # The raw shadow_config.ini, None when the host has none.
    shadow: bytes | None = None

    @property
    def readable(self) -> bool:
        """Return whether Autotest could start from this copy."""
        return self.config is not None and self.config.starts


@dataclass(frozen=True)
class ValueGroup:
    """Hosts whose copies hold one value of an option that differs."""

    kind: str
    code: str
    # The copy's value as shown; None when the option is absent or secret.
    value: str | None
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class OptionDrift:
    """One option that differs on some hosts, grouped by value."""

    section: str
    option: str
    secret: bool
    # The baseline's value as shown; None when absent there or secret.
    baseline: str | None
    groups: tuple[ValueGroup, ...]


@dataclass(frozen=True)
class HostGroup:
    """Hosts that share one difference that is not an option's value."""

    kind: str
    code: str
    hosts: tuple[str, ...]
    # The section concerned, for a missing section.
    section: str | None = None


@dataclass(frozen=True)
class Drift:
    """The comparison of every copy with the baseline."""

    baseline: str
    hosts: tuple[str, ...]
    identical: tuple[str, ...]
    options: tuple[OptionDrift, ...]
    sections: tuple[HostGroup, ...]
    shadow: tuple[HostGroup, ...]
    unreadable: tuple[str, ...]
    findings: tuple[Finding, ...]
    by_host: dict[str, tuple[Finding, ...]] = field(default_factory=dict)

    def host_findings(self, host: str) -> tuple[Finding, ...]:
        """Return the drift findings of one host."""
        return self.by_host.get(host, ())


@dataclass(frozen=True)
class Difference:
    """One difference of a copy from the baseline, before hosts are known."""

    kind: str
    code: str
    severity: Severity
    message: str
    section: str | None = None
    option: str | None = None
    value: str | None = None


def compare(
    reference: Copy,
    copies: Sequence[Copy],
    schema: Schema,
    baseline: str = "local",
) -> Drift:
    """Compare each copy with ``reference`` or with the majority of copies.

    With ``baseline="majority"`` each option's baseline value is the most
    common one among the readable copies, compared as typed values.  A tie
    goes to the local reference's value when it is among the most common,
    otherwise to the value of the earliest copy in ``copies`` holding one.
    """
    if baseline not in BASELINES:
        raise ValueError(f"unknown baseline {baseline!r}; expected one of {BASELINES}")
    readable = [copy for copy in copies if copy.readable]
    typing = Typing(
        schema,
        _all_hosts([reference, *readable]),
        _secret_options([reference, *readable], schema),
    )
    views = _views([reference, *readable])
    if baseline == "majority":
        base_values = _majority(views, reference, readable, typing)
        base_shadow = _majority_shadow(reference, readable)
    else:
        base_values = views[reference.digest]
        base_shadow = reference.shadow
    differ = _Differ(typing, base_values, base_shadow, BASELINE_NAMES[baseline])
    return _collect(baseline, copies, views, differ)


class Typing:
    """The schema's view of each option, cached per option and value."""

    def __init__(
        self,
        schema: Schema,
        hosts: Sequence[str],
        secret: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.schema = schema
        self.hosts = tuple(hosts)
        # Options whose value is secret in at least one copy.
        self.secret_options = secret
        self._specs: dict[tuple[str, str], object] = {}
        self._typed: dict[tuple[str, str, str], object] = {}

    def spec(self, section: str, option: str):
        """Return the schema's key for the option, or None if it has none."""
        key = (section, option)
        if key not in self._specs:
            self._specs[key] = self.schema.key(section, option, self.hosts)
        return self._specs[key]

    def secret(self, section: str, option: str) -> bool:
        """Return whether the option's value must never be shown.

        That is so when the schema marks it secret, or when the option
        refers to a secret one in any copy, because one side's value then
        contains a secret.
        """
        if (section, option) in self.secret_options:
            return True
        return bool(self.schema.is_secret(section, option))

    def typed(self, section: str, option: str, text: str) -> object:
        """Return the value Autotest derives from ``text``, hashable."""
        key = (section, option, text)
        if key not in self._typed:
            self._typed[key] = self._convert(section, option, text)
        return self._typed[key]

    def _convert(self, section: str, option: str, text: str) -> object:
        if not text.strip(_ASCII_WHITESPACE):
            # get_value treats a blank value as a missing one.
            return _ABSENT
        spec = self.spec(section, option)
        if spec is None:
            return ("text", text)
        try:
            value = spec.normalize(text)
        except ValueError:
            # Autotest fails to convert it; only the same text is the same.
            return ("invalid", text)
        if isinstance(value, list):
            value = tuple(value)
        return ("typed", value)

    def relation(self, section: str, option: str, base, value) -> str:
        """Return how ``value`` relates to ``base`` (texts, or None if absent)."""
        if base == value:
            return SAME
        base_typed = _ABSENT if base is None else self.typed(section, option, base)
        typed = _ABSENT if value is None else self.typed(section, option, value)
        if base_typed == typed:
            kind = COSMETIC
        elif base_typed is _ABSENT:
            kind = EXTRA
        elif typed is _ABSENT:
            kind = MISSING
        else:
            kind = DRIFTED
        if kind != COSMETIC and self.secret(section, option):
            return SECRET
        return kind


_ABSENT = ("absent",)
# Python 2's str.strip(), which Autotest uses, strips ASCII whitespace only.
_ASCII_WHITESPACE = " \t\n\r\x0b\x0c"


def _all_hosts(copies: Sequence[Copy]) -> list[str]:
    """Return every host any copy names, so per-host keys resolve."""
    hosts: dict[str, None] = {}
    seen: set[str] = set()
    for copy in copies:
        # Copies with the same bytes name the same hosts: read them once.
        if copy.digest in seen:
            continue
        seen.add(copy.digest)
        try:
            hosts.update(dict.fromkeys(known_hosts(copy.config)))
        except ValueError:
            # A drone list whose interpolation crashes names no hosts.
            continue
    return list(hosts)


def _secret_options(
    copies: Sequence[Copy], schema: Schema
) -> frozenset[tuple[str, str]]:
    """Return the options whose value is secret in any distinct copy."""
    found: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for copy in copies:
        if copy.config is None or copy.digest in seen:
            continue
        seen.add(copy.digest)
        secrets = Secrets(copy.config, schema)
        for section in copy.config.section_names():
            for option in copy.config.options(section):
                if secrets.is_secret(section, option):
                    found.add((section, option))
    return frozenset(found)


def _views(copies: Sequence[Copy]) -> dict[str, Values]:
    """Return the effective values of each distinct readable copy."""
    views: dict[str, Values] = {}
    for copy in copies:
        if copy.digest not in views and copy.config is not None:
            views[copy.digest] = effective_values(copy.config)
    return views


def effective_values(config: Config) -> Values:
    """Return what ``get()`` returns for every option of every section.

    A value whose interpolation fails is kept as written, so that copies
    with the same broken text still compare equal.
    """
    values: Values = {}
    for section in config.section_names():
        options = {}
        for option, setting in config.options(section).items():
            lookup = config.get(section, option)
            options[option] = setting.raw if lookup.error else lookup.value or ""
        values[section] = options
    return values


def _majority(
    views: dict[str, Values], reference: Copy, copies: Sequence[Copy], typing: Typing
) -> Values:
    """Return the most common value of each option across ``copies``."""
    reference_values = views[reference.digest]
    host_views = [views[copy.digest] for copy in copies]
    if not host_views:
        return reference_values
    result: Values = {}
    for section in _majority_sections(reference_values, host_views):
        present = [view for view in host_views if section in view]
        ordered = _ordered_options(reference_values, present, section)
        options = {}
        for option in ordered:
            states = [view[section].get(option) for view in present]
            own = reference_values.get(section, {}).get(option)
            value = _most_common(section, option, states, own, typing)
            if value is not None:
                options[option] = value
        result[section] = options
    return result


def _majority_sections(reference: Values, views: Sequence[Values]) -> list[str]:
    """Return the sections most copies have, ties going to the reference."""
    names = list(dict.fromkeys([*reference, *(s for view in views for s in view)]))
    chosen = []
    for section in names:
        having = sum(section in view for view in views)
        lacking = len(views) - having
        if having > lacking or (having == lacking and section in reference):
            chosen.append(section)
    return chosen


def _ordered_options(reference: Values, views: Sequence[Values], section: str):
    """Return every option name of ``section``, the reference's order first."""
    names = dict.fromkeys(reference.get(section, {}))
    for view in views:
        names.update(dict.fromkeys(view[section]))
    return list(names)


def _most_common(section, option, states, own, typing: Typing) -> str | None:
    """Return the most common state (a text, or None when absent)."""

    def group(state):
        return _ABSENT if state is None else typing.typed(section, option, state)

    counts = Counter(group(state) for state in states)
    top = max(counts.values())
    tied = [key for key, number in counts.items() if number == top]
    own_group = group(own)
    winner = own_group if own_group in tied else tied[0]
    # Within the winning typed value, the text written most often (for
    # the absent group: unset or blank).
    texts = Counter(state for state in states if group(state) == winner)
    top_text = max(texts.values())
    if own in texts and texts[own] == top_text:
        return own
    return next(text for text, number in texts.items() if number == top_text)


def _majority_shadow(reference: Copy, copies: Sequence[Copy]) -> bytes | None:
    """Return the most common shadow file, ties going to the reference's."""
    if not copies:
        return reference.shadow
    counts = Counter(copy.shadow for copy in copies)
    top = max(counts.values())
    if counts.get(reference.shadow) == top:
        return reference.shadow
    return next(shadow for shadow, number in counts.items() if number == top)


class _Differ:
    """Lists the differences of one copy's values from the baseline."""

    def __init__(self, typing: Typing, base: Values, shadow, name: str) -> None:
        self.typing = typing
        self.base = base
        self.base_shadow = shadow
        self.name = name

    def differences(self, copy: Copy, values: Values) -> list[Difference]:
        """Return every difference of ``copy`` from the baseline."""
        found = self._shadow(copy)
        for section in self.base:
            if section not in values:
                found.append(self._missing_section(section))
        for section in values:
            found.extend(self._section(section, values[section]))
        return found

    def _shadow(self, copy: Copy) -> list[Difference]:
        base, own = self.base_shadow, copy.shadow
        if base == own:
            return []
        if base is None or own is None:
            if own is None:
                message = f"shadow_config.ini is missing here; {self.name} has one"
            else:
                message = f"shadow_config.ini exists here; {self.name} has none"
            kind = MISSING if own is None else EXTRA
            return [_difference(kind, codes.SHADOW_PRESENCE, message)]
        message = (
            f"shadow_config.ini differs from the one in {self.name} (contents hidden)"
        )
        return [_difference(DRIFTED, codes.SHADOW_DIFFERS, message)]

    def _missing_section(self, section: str) -> Difference:
        message = f"section [{section}] is missing; {self.name} has it"
        return _difference(MISSING, codes.MISSING_SECTION, message, section=section)

    def _section(self, section: str, options: dict[str, str]) -> list[Difference]:
        base = self.base.get(section, {})
        found = []
        for option in [*base, *(name for name in options if name not in base)]:
            kind = self.typing.relation(
                section, option, base.get(option), options.get(option)
            )
            if kind != SAME:
                found.append(self._option(kind, section, option, base, options))
        return found

    def _option(self, kind, section, option, base, options) -> Difference:
        base_text, text = base.get(option), options.get(option)
        secret = self.typing.secret(section, option)
        message = _option_message(
            kind, section, option, base_text, text, self.name, secret
        )
        severity = None
        if kind in (MISSING, EXTRA) and self.typing.spec(section, option) is None:
            # Autotest never reads an option the schema does not know.
            severity = Severity.WARNING
            message += " (an option Autotest does not read)"
        shown = None if secret or text is None else printable(text)
        return _difference(
            kind, _CODES[kind], message, section, option, shown, severity=severity
        )


def _difference(
    kind: str,
    code: str,
    message: str,
    section: str | None = None,
    option: str | None = None,
    value: str | None = None,
    *,
    severity: Severity | None = None,
) -> Difference:
    if severity is None:
        severity = catalogue()[code].severity
    return Difference(kind, code, severity, message, section, option, value)


def _show(text: str | None) -> str:
    return quoted(text or "")


def _option_message(kind, section, option, base, text, name, secret) -> str:
    where = f"[{section}] {option}"
    if kind == SECRET:
        return f"{where} differs from the value in {name} (values hidden)"
    if kind == MISSING:
        state = "is not set" if text is None else "is blank"
        return f"{where} {state} here; {name} sets it to {_show(base)}"
    if kind == EXTRA:
        state = "does not set it" if base is None else "leaves it blank"
        return f"{where} is set here to {_show(text)}; {name} {state}"
    if kind == DRIFTED:
        return f"{where} is {_show(text)} here and {_show(base)} in {name}"
    if not (base or "").strip(_ASCII_WHITESPACE) and not (text or "").strip(
        _ASCII_WHITESPACE
    ):
        return f"{where} is blank on one side and unset on the other; both give the default"
    if secret:
        return f"{where} is written differently here and in {name}; Autotest reads both the same (values hidden)"
    return f"{where} is written {_show(text)} here and {_show(base)} in {name}; Autotest reads both the same"


def _collect(
    baseline: str, copies: Sequence[Copy], views: dict[str, Values], differ: _Differ
) -> Drift:
    """Turn each copy's differences into per-host findings and groups."""
    cache: dict[str, list[Difference]] = {}
    grouping = _Grouping(differ)
    by_host: dict[str, tuple[Finding, ...]] = {}
    for copy in copies:
        if not copy.readable:
            differences = [_unreadable(copy)]
        else:
            if copy.digest not in cache:
                cache[copy.digest] = differ.differences(copy, views[copy.digest])
            differences = cache[copy.digest]
        by_host[copy.host] = tuple(_finding(d, copy.host) for d in differences)
        grouping.add(copy.host, differences)
    findings = tuple(f for host_findings in by_host.values() for f in host_findings)
    return Drift(
        baseline=baseline,
        hosts=tuple(copy.host for copy in copies),
        identical=tuple(host for host, found in by_host.items() if not found),
        options=grouping.options(),
        sections=grouping.host_groups(codes.MISSING_SECTION),
        shadow=grouping.host_groups(codes.SHADOW_PRESENCE, codes.SHADOW_DIFFERS),
        unreadable=tuple(grouping.hosts_of(codes.UNREADABLE_COPY)),
        findings=findings,
        by_host=by_host,
    )


def _unreadable(copy: Copy) -> Difference:
    if copy.config is None:
        message = "global_config.ini is missing on this host"
    else:
        message = f"Autotest cannot read this copy: {unreadable_reason(copy.config)}"
    return _difference(DRIFTED, codes.UNREADABLE_COPY, message)


def unreadable_reason(config: Config) -> str:
    """Return why Autotest's settings module rejects ``config``, briefly.

    The rejected line's text is left out because it may hold a password.
    """
    for ini in (config.global_file, config.shadow_file):
        if ini is not None and ini.problems:
            first = ini.problems[0]
            name = (
                "shadow_config.ini"
                if ini is config.shadow_file
                else "global_config.ini"
            )
            more = len(ini.problems) - 1
            extra = f" and {more} more" if more else ""
            return f"{name} line {first.line} is rejected{extra}"
    if config.merge_failures:
        failure = config.merge_failures[0]
        option = failure.assignment.option
        return f"shadow_config.ini option {option!r} fails to interpolate while merged"
    return "the shadow file names a section ConfigParser cannot add"


def _finding(difference: Difference, host: str) -> Finding:
    return Finding(
        code=difference.code,
        severity=difference.severity,
        message=difference.message,
        hint=catalogue()[difference.code].hint,
        host=host,
        section=difference.section,
        option=difference.option,
    )


class _Grouping:
    """Groups hosts by option, then by the value they hold."""

    def __init__(self, differ: _Differ) -> None:
        self.differ = differ
        self._options: dict[tuple[str, str], dict[tuple, list[str]]] = {}
        self._others: dict[tuple, list[str]] = {}

    def add(self, host: str, differences: Sequence[Difference]) -> None:
        """Record the differences of one host."""
        for difference in differences:
            if difference.option is not None:
                values = self._options.setdefault(
                    (difference.section, difference.option), {}
                )
                key = (difference.kind, difference.code, difference.value)
            else:
                values = self._others
                key = (difference.code, difference.kind, difference.section)
            values.setdefault(key, []).append(host)

    def options(self) -> tuple[OptionDrift, ...]:
        """Return the options that differ, in the baseline's order."""
        drifts = []
        for (section, option), values in sorted(
            self._options.items(), key=lambda item: self._position(*item[0])
        ):
            secret = self.differ.typing.secret(section, option)
            base = self.differ.base.get(section, {}).get(option)
            shown = None if secret or base is None else printable(base)
            groups = tuple(
                ValueGroup(kind, code, value, tuple(hosts))
                for (kind, code, value), hosts in values.items()
            )
            drifts.append(OptionDrift(section, option, secret, shown, groups))
        return tuple(drifts)

    def host_groups(self, *selected: str) -> tuple[HostGroup, ...]:
        """Return the groups of hosts with differences of the given codes."""
        return tuple(
            HostGroup(kind, code, tuple(hosts), section)
            for (code, kind, section), hosts in self._others.items()
            if code in selected
        )

    def hosts_of(self, code: str) -> list[str]:
        """Return the hosts with a difference of ``code``, in order."""
        return [host for group in self.host_groups(code) for host in group.hosts]

    def _position(self, section: str, option: str) -> tuple:
        sections = list(self.differ.base)
        section_index = (
            sections.index(section) if section in sections else len(sections)
        )
        options = list(self.differ.base.get(section, {}))
        option_index = options.index(option) if option in options else len(options)
        return (section_index, section, option_index, option)
