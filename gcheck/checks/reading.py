"""Findings about reading the files: what ConfigParser rejects or reads
differently from how the file looks, and how the shadow merge fails."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator

from gcheck.checks import Subject
from gcheck.checks.common import HIDDEN, files, shown
from gcheck.codes import reading as codes
from gcheck.config import MergeFailure
from gcheck.findings import Finding, make
from gcheck.reader import (
    DEFAULT_SECTION,
    Assignment,
    IniFile,
    ParseProblem,
    optionxform,
    printable,
)

# A line as ConfigParser's option pattern splits it: the name ends at the
# first ":" or "=".
_OPTION_LINE_RE = re.compile(
    r"(?P<name>[^:=\s][^:=]*?)\s*(?P<delimiter>[:=])(?P<value>.*)"
)
# A continuation that someone most likely meant as an option: an
# identifier-like key, and not a URL such as "http://host".
_KEY_LIKE_RE = re.compile(r"[A-Za-z_][\w.-]*\s*(?:=|:(?!//))")
_HEADER_LIKE_RE = re.compile(r"\[[^]]+\]")


def _masked_line(subject: Subject, section: str | None, text: str) -> str:
    """Quote a line for a message, its value hidden when the key is secret."""
    body = text.rstrip("\r\n")
    match = _OPTION_LINE_RE.match(body.lstrip())
    if match and subject.is_secret(section or "", optionxform(match["name"])):
        head = len(body) - len(body.lstrip()) + match.end("delimiter")
        return shown(body[:head]) + f" {HIDDEN}"
    return shown(body)


def parse_problems(subject: Subject) -> Iterator[Finding]:
    """Report every line ConfigParser rejects, in each file."""
    for file in files(subject.config):
        for problem in file.problems:
            yield _problem(subject, file, problem)


def _problem(subject: Subject, file: IniFile, problem: ParseProblem) -> Finding:
    where = {"path": problem.path, "line": problem.line, "col": 1}
    if problem.kind == "bom":
        return make(
            codes.BYTE_ORDER_MARK,
            "the file starts with a UTF-8 byte-order mark, so ConfigParser does "
            "not see the first line as a [section] line and raises "
            "MissingSectionHeaderError: Autotest stops at start-up",
            **where,
        )
    if problem.kind == "missing-header":
        text = _masked_line(subject, None, problem.text)
        return make(
            codes.MISSING_HEADER,
            f"line {text} comes before any [section] line: ConfigParser raises "
            "MissingSectionHeaderError and Autotest stops at start-up",
            **where,
        )
    section = _section_at(file, problem.line)
    return _bad_line(
        problem, _masked_line(subject, section, problem.text), section, where
    )


def _bad_line(
    problem: ParseProblem, text: str, section: str | None, where: dict
) -> Finding:
    effect = "ConfigParser raises ParsingError and Autotest stops at start-up"
    if not problem.indented:
        return make(
            codes.BAD_LINE,
            f"line {text} is neither an option ('key: value'), a [section] line "
            f"nor a continuation: {effect}",
            hint="put ':' or '=' between the key and its value, or start the "
            "line with '#' to make it a comment",
            section=section,
            **where,
        )
    return make(
        codes.BAD_LINE,
        f"indented line {text} has no option line above it in [{section}] to "
        f"continue: {effect}",
        hint=(
            "remove the indentation: only a line that follows an option line may "
            "be indented (a block pasted from a guide with every line indented "
            "by one space fails this way)"
        ),
        section=section,
        **where,
    )


def _section_at(file: IniFile, line: int) -> str | None:
    """Return the section a line belongs to: the last header above it."""
    section = None
    for header in file.headers:
        if header.line > line:
            break
        section = header.name
    return section


def shadow_merge(subject: Subject) -> Iterator[Finding]:
    """Report shadow options and sections that stop the merge."""
    config = subject.config
    for header in config.rejected_sections:
        yield make(
            codes.SHADOW_SECTION,
            f"shadow section [{printable(header.name)}] cannot be merged: "
            "ConfigParser's add_section() rejects any name equal to 'default' "
            "in any case, so Autotest stops at start-up",
            path=header.path,
            line=header.line,
            col=1,
            section=header.name,
        )
    grouped: dict[Assignment, list[MergeFailure]] = defaultdict(list)
    for failure in config.merge_failures:
        grouped[failure.assignment].append(failure)
    for assignment, failures in grouped.items():
        yield _merge_failure(subject, assignment, failures)


def _merge_failure(
    subject: Subject, assignment: Assignment, failures: list[MergeFailure]
) -> Finding:
    sections = [failure.section for failure in failures]
    name = printable(assignment.name)
    if assignment.section == DEFAULT_SECTION:
        listed = ", ".join(f"[{printable(s)}]" for s in sections)
        described = f"shadow [DEFAULT] option {name}, copied into {listed},"
    else:
        described = f"shadow option {name} in [{printable(assignment.section)}]"
    lookup = failures[0].lookup
    secret = any(subject.is_secret(s, assignment.option) for s in sections)
    cause = _merge_cause(subject, failures[0], secret)
    return make(
        codes.SHADOW_MERGE,
        f"{described} {cause}: Autotest expands shadow values against the shadow file "
        "alone while merging, so it stops at start-up",
        path=assignment.path,
        line=assignment.line,
        col=assignment.col,
        section=assignment.section,
        option=assignment.option,
        hint=None if lookup.error != "missing" else _missing_hint(lookup.detail),
    )


def _merge_cause(subject: Subject, failure: MergeFailure, secret: bool) -> str:
    lookup = failure.lookup
    if lookup.error == "depth":
        return "nests %(name)s references more than ten levels deep"
    if lookup.error != "missing":
        detail = "" if secret else f" ({lookup.detail})"
        return f"mixes %(name)s with a '%' that Python's formatting rejects{detail}"
    name = printable(lookup.detail)
    shadow = os.path.basename(failure.assignment.path)
    cause = f"refers to %({name})s, which {shadow} does not define"
    global_file = subject.config.global_file
    if lookup.detail in global_file.names(failure.section):
        cause += f" ({name} is set only in {os.path.basename(global_file.path)})"
    return cause


def _missing_hint(name: str) -> str:
    return (
        f"set {printable(name)} in shadow_config.ini too (in the same section or "
        "its [DEFAULT]), or write the value out in full"
    )


def unreadable_shadow(subject: Subject) -> Iterator[Finding]:
    """Report a shadow file that exists but was skipped as unreadable."""
    shadow = subject.config.shadow_file
    if shadow is None or not shadow.read_error:
        return
    yield make(
        codes.SHADOW_UNREADABLE,
        f"{printable(shadow.path)} exists but cannot be read ({shadow.read_error}): "
        "Autotest skips it silently and runs without its settings",
        path=shadow.path,
        line=1,
        col=1,
    )


def duplicate_options(subject: Subject) -> Iterator[Finding]:
    """Report each value that a later line of the same option replaces."""
    for file in files(subject.config):
        grouped: dict[tuple[str, str], list[Assignment]] = defaultdict(list)
        for assignment in file.assignments:
            grouped[(assignment.section, assignment.option)].append(assignment)
        for (section, option), assignments in grouped.items():
            secret = subject.is_secret(section, option)
            for earlier in assignments[:-1]:
                yield _duplicate_option(earlier, assignments, secret)


def _duplicate_option(
    earlier: Assignment, assignments: list[Assignment], secret: bool
) -> Finding:
    later = [a.line for a in assignments if a.line > earlier.line]
    last = assignments[-1]
    lines = ", ".join(str(line) for line in later)
    value = HIDDEN if secret else shown(last.value)
    plural = "s" if len(later) > 1 else ""
    return make(
        codes.DUPLICATE_OPTION,
        f"option {printable(earlier.name)} in [{printable(earlier.section)}] is set "
        f"again at line{plural} {lines}: ConfigParser keeps the last value, "
        f"{value} (line {last.line}), and ignores this one",
        path=earlier.path,
        line=earlier.line,
        col=1,
        section=earlier.section,
        option=earlier.option,
    )


def duplicate_sections(subject: Subject) -> Iterator[Finding]:
    """Report each repeated ``[section]`` line, which continues the first."""
    for file in files(subject.config):
        first: dict[str, int] = {}
        for header in file.headers:
            if header.name not in first:
                first[header.name] = header.line
                continue
            yield make(
                codes.DUPLICATE_SECTION,
                f"section [{printable(header.name)}] appears again (first at line "
                f"{first[header.name]}): ConfigParser merges both blocks into one "
                "section",
                path=header.path,
                line=header.line,
                col=1,
                section=header.name,
            )


def spaced_sections(subject: Subject) -> Iterator[Finding]:
    """Report section names with spaces just inside the brackets."""
    for file in files(subject.config):
        for header in file.headers:
            name = header.name
            if name == name.strip():
                continue
            yield make(
                codes.SPACED_SECTION,
                f"section name [{printable(name)}] has {_spaces(name)} inside the "
                f"brackets: ConfigParser keeps them, so this is a section other "
                f"than [{printable(name.strip())}] and Autotest reads none of its "
                "options",
                path=header.path,
                line=header.line,
                col=1,
                section=name,
            )


def _spaces(name: str) -> str:
    leading = name != name.lstrip()
    trailing = name != name.rstrip()
    if leading and trailing:
        return "leading and trailing spaces"
    return "leading spaces" if leading else "trailing spaces"


def option_like_continuations(subject: Subject) -> Iterator[Finding]:
    """Report indented lines that look like options or headers but continue a value."""
    for file in files(subject.config):
        for assignment in file.assignments:
            parts = assignment.value.split("\n")[1:]
            for text, line in zip(parts, assignment.continuation_lines, strict=True):
                finding = _continuation(subject, assignment, text, line)
                if finding is not None:
                    yield finding


def _continuation(
    subject: Subject, assignment: Assignment, text: str, line: int
) -> Finding | None:
    if _HEADER_LIKE_RE.match(text):
        looks = "a [section] line"
        effect = f"does not start section {printable(text)}"
    elif _KEY_LIKE_RE.match(text):
        key = _OPTION_LINE_RE.match(text).group("name")
        looks = "an option"
        effect = f"does not set {printable(key)}"
    else:
        return None
    section = assignment.section
    if subject.is_secret(section, assignment.option):
        quoted = "an indented line"
    else:
        quoted = f"indented line {_masked_line(subject, section, text)}"
    return make(
        codes.OPTION_LIKE_CONTINUATION,
        f"{quoted} looks like {looks} but continues the value of "
        f"{printable(assignment.name)} (line {assignment.line}): ConfigParser "
        f"appends it to that value and {effect}",
        path=assignment.path,
        line=line,
        col=1,
        section=section,
        option=assignment.option,
    )


CHECKS = [
    parse_problems,
    shadow_merge,
    unreadable_shadow,
    duplicate_options,
    duplicate_sections,
    spaced_sections,
    option_like_continuations,
]
