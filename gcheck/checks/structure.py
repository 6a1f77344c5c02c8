"""Sections and keys the schema does not know, and required keys that are missing."""

from __future__ import annotations

from collections.abc import Iterator

from gcheck import values
from gcheck.checks import Subject
from gcheck.checks.common import Entry, closest, files, shown, suggest
from gcheck.codes import validation as codes
from gcheck.findings import Finding, Severity, make
from gcheck.reader import DEFAULT_SECTION, Assignment, printable


def unknown_sections(subject: Subject) -> Iterator[Finding]:
    """Report each section the schema lacks, once per file, at its header."""
    schema = subject.schema
    for file in files(subject.config):
        seen: set[str] = set()
        for header in file.headers:
            name = header.name
            if name == DEFAULT_SECTION or name in seen or schema.has_section(name):
                continue
            if schema.has_section(name.strip()):
                continue  # the reading check reports spaces inside brackets
            seen.add(name)
            yield make(
                codes.UNKNOWN_SECTION,
                f"unknown section [{printable(name)}]: Autotest reads none of its keys"
                + suggest(name, schema.section_names()),
                path=header.path,
                line=header.line,
                col=1,
                section=name,
            )


def unknown_keys(subject: Subject) -> Iterator[Finding]:
    """Report keys no section of the schema has, or that belong elsewhere."""
    schema = subject.schema
    from_default: set[Assignment] = set()
    for entry in subject.entries:
        known_section = schema.has_section(entry.section)
        if not known_section and entry.section != DEFAULT_SECTION:
            continue  # the unknown section is reported instead
        if subject.spec(entry) is not None:
            continue
        if entry.assignment.section == DEFAULT_SECTION:
            # A [DEFAULT] option (the shadow file's is copied into each of
            # its sections) is unknown only when no section has it: once.
            if entry.assignment not in from_default and not _known_anywhere(
                subject, entry
            ):
                from_default.add(entry.assignment)
                yield _unknown(subject, entry, _all_key_names(subject))
            continue
        elsewhere = schema.sections_with(entry.option, subject.fillers)
        if elsewhere:
            yield _misplaced(entry, elsewhere)
        elif schema.template_matches(entry.section, entry.option):
            yield from _unknown_host_key(subject, entry)
        else:
            yield _unknown(subject, entry, _key_names(subject, entry.section))


def _known_anywhere(subject: Subject, entry: Entry) -> bool:
    return bool(subject.schema.sections_with(entry.option, subject.fillers))


def _unknown(subject: Subject, entry: Entry, candidates: list[str]) -> Finding:
    where = f"[{printable(entry.assignment.section)}]"
    message = (
        f"unknown key {entry.option} in {where}: Autotest ignores it"
        + suggest(entry.option, candidates)
        + entry.note()
    )
    return make(codes.UNKNOWN_KEY, message, **entry.where(at_value=False))


def _misplaced(entry: Entry, sections: list[str]) -> Finding:
    targets = " and ".join(f"[{s}]" for s in sections)
    blank = not values.strip(entry.text or entry.assignment.value)
    effect = "it is blank, so nothing changes" if blank else "it has no effect here"
    message = (
        f"{entry.option} belongs in {targets}, not [{printable(entry.section)}]: "
        f"Autotest reads it only there; {effect}" + entry.note()
    )
    severity = Severity.INFO if blank else None
    where = entry.where(at_value=False)
    if severity is None:
        return make(codes.MISPLACED_KEY, message, **where)
    return make(codes.MISPLACED_KEY, message, severity=severity, **where)


def _unknown_host_key(subject: Subject, entry: Entry) -> Iterator[Finding]:
    schema = subject.schema
    template, text = schema.template_matches(entry.section, entry.option)[0]
    name = _placeholder(template.template or "")
    hosts = list(subject.fillers.get(name, subject.hosts))
    sources = " or ".join(
        spec.option for spec in schema.placeholder_keys() if spec.placeholder == name
    )
    message = (
        f"{entry.option} is a {template.template} key, but no {name} {shown(text)} "
        f"is in {sources or 'the host list'}, so it does nothing"
        + suggest(text, [h for h in hosts if h])
        + entry.note()
    )
    hint = f"Spell the {name} as {sources or 'the host list'} spells it."
    yield make(
        codes.UNKNOWN_HOST_KEY, message, hint=hint, **entry.where(at_value=False)
    )


def _placeholder(template: str) -> str:
    start, end = template.find("<"), template.find(">")
    return template[start + 1 : end]


def _key_names(subject: Subject, section: str) -> list[str]:
    schema = subject.schema
    names = [spec.option for spec in schema.keys(section)]
    for template in schema.templates(section):
        name = _placeholder(template.template or "")
        for host in subject.fillers.get(name, subject.hosts):
            if host:
                names.append(template.option.replace(f"<{name}>", host.lower()))
    return names


def _all_key_names(subject: Subject) -> list[str]:
    names: list[str] = []
    for section in subject.schema.section_names():
        names.extend(_key_names(subject, section))
    return names


def required_keys(subject: Subject) -> Iterator[Finding]:
    """Report keys Autotest reads without a default that are missing or blank."""
    config = subject.config
    for section in subject.schema.section_names():
        required = [spec for spec in subject.schema.keys(section) if spec.required]
        if not required:
            continue
        if not config.has_section(section):
            yield _missing_section(subject, section, [s.option for s in required])
            continue
        for spec in required:
            yield from _missing_key(subject, section, spec.option)


def _missing_key(subject: Subject, section: str, option: str) -> Iterator[Finding]:
    config = subject.config
    lookup = config.get(section, option)
    if lookup.error in ("missing", "depth", "crash"):
        return  # the interpolation checks report these
    setting = config.setting(section, option)
    blank = setting is not None and not values.strip(lookup.value or "")
    if setting is not None and not blank:
        return
    state = "is blank" if blank else "is missing"
    message = (
        f"[{section}] {option} {state}: Autotest reads it with no default and "
        f"raises \"Value '{option}' not found in section '{section}'\""
        + _rejected_note(subject, section, option)
    )
    if setting is not None:
        origin = setting.origin
        where = {"path": origin.path, "line": origin.line, "col": origin.col}
    else:
        where = _section_location(subject, section)
    yield make(codes.REQUIRED_KEY, message, section=section, option=option, **where)


def _missing_section(subject: Subject, section: str, options: list[str]) -> Finding:
    listed = ", ".join(options)
    message = (
        f"section [{section}] is missing: Autotest reads {listed} from it with "
        'no default and raises "Value ... not found"'
    )
    near = closest(section, subject.config.section_names())
    if near is not None:
        message += f"; the file's [{printable(near)}] is a different section"
    hint = (
        f"Add a [{section}] section with these keys; the shipped "
        "global_config.ini has values to start from."
    )
    where = {"path": subject.config.global_file.path}
    return make(codes.REQUIRED_KEY, message, hint=hint, section=section, **where)


def _section_location(subject: Subject, section: str) -> dict:
    for file in files(subject.config):
        for header in file.headers:
            if header.name == section:
                return {"path": header.path, "line": header.line, "col": 1}
    return {"path": subject.config.global_file.path}


def _rejected_note(subject: Subject, section: str, option: str) -> str:
    for entry in subject.entries:
        if entry.recovered and entry.section == section and entry.option == option:
            line = entry.assignment.line
            return f" (line {line} sets it, but the parser rejects that indented line)"
    return ""


CHECKS = [unknown_sections, unknown_keys, required_keys]
