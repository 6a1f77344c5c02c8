"""Read an INI file the way Python 2.7's ``ConfigParser.ConfigParser`` does.

The parser works on bytes with bytes regular expressions, because Python 2
strings were bytes: ``\\s``, ``strip()``, ``isspace()`` and ``lower()`` then
mean ASCII whitespace and ASCII letters only, exactly as in Python 2.  Text
is decoded as UTF-8 with ``surrogateescape`` only when it leaves this module,
so every value encodes back to the bytes Autotest would see.

Unlike ConfigParser, the reader keeps what it throws away: the line of every
header and option, every duplicate, and every parse error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_SECTION = "DEFAULT"
# ConfigParser stores a section's name under this option; options() hides it.
NAME_OPTION = "__name__"

# Python 2.7 ConfigParser.SECTCRE and OPTCRE, as bytes patterns.
_SECTION_RE = re.compile(rb"\[(?P<header>[^]]+)\]")
_OPTION_RE = re.compile(
    rb"(?P<option>[^:=\s][^:=]*)\s*(?P<delimiter>[:=])\s*(?P<value>.*)$"
)
_BOM = b"\xef\xbb\xbf"


def decode(data: bytes) -> str:
    """Turn file bytes into text that encodes back to the same bytes."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    """Reverse :func:`decode`."""
    return text.encode("utf-8", "surrogateescape")


def optionxform(name: str) -> str:
    """Lower-case an option name as Python 2 did: ASCII letters only."""
    return decode(encode(name).lower())


def printable(text: str) -> str:
    """Return ``text`` safe to show in any output format, escaped once.

    A byte that is not UTF-8 becomes ``\\xNN`` (its value), and so does a
    control character.  Other characters that are not printable become
    ``\\uNNNN`` or ``\\UNNNNNNNN``.  A backslash in the text stays as it is,
    so the file's own text ``\\xe9`` and the byte 0xE9 look the same.
    """
    if text.isprintable():
        return text
    return "".join(_printable_char(char) for char in text)


def _printable_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        # decode() keeps an undecodable byte as this lone surrogate.
        return f"\\x{code - 0xDC00:02x}"
    if char.isprintable():
        return char
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quoted(text: str) -> str:
    """Return ``text`` between single quotes for a message, as :func:`printable`."""
    return f"'{printable(text)}'"


@dataclass(frozen=True)
class Header:
    """One ``[section]`` line; a name may have several."""

    name: str
    path: str
    line: int


@dataclass(frozen=True)
class Assignment:
    """One option line as written, with its continuation lines joined."""

    section: str
    option: str
    name: str
    value: str
    path: str
    line: int
    end_line: int
    col: int
    delimiter: str
    # Lines of the non-empty continuation lines, one per "\n" in ``value``.
    continuation_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class ParseProblem:
    """A line ConfigParser rejects.

    ``kind`` is ``missing-header`` (the read stops there, as
    MissingSectionHeaderError does), ``bom`` (the same, caused by a UTF-8
    byte-order mark) or ``bad-line`` (collected, raised as ParsingError at
    the end).
    """

    kind: str
    path: str
    line: int
    text: str
    indented: bool = False


@dataclass
class IniFile:
    """The contents of one file, in file order."""

    path: str
    role: str
    headers: list[Header] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    # Winning assignment of each option per section, as ConfigParser keeps
    # them; ``[DEFAULT]`` is kept apart in ``defaults``.
    sections: dict[str, dict[str, Assignment]] = field(default_factory=dict)
    defaults: dict[str, Assignment] = field(default_factory=dict)
    # Options read from rejected indented lines as if they were not
    # indented, so that their values can still be checked and shown in
    # findings.  ConfigParser never reads these.
    recovered: list[Assignment] = field(default_factory=list)
    # Why the file could not be opened, when the caller read it as empty
    # instead, as ConfigParser.read() skips a file it cannot open.
    read_error: str = ""

    @property
    def fatal(self) -> bool:
        """Return whether ConfigParser would raise on this file."""
        return bool(self.problems)

    def section_names(self) -> list[str]:
        """Return the sections ConfigParser's ``sections()`` lists."""
        return list(self.sections)

    def options(self, section: str) -> dict[str, Assignment]:
        """Return what ``options()`` lists for a section, in its order.

        The section's own options come first, then inherited ``[DEFAULT]``
        ones; ``__name__`` is left out, as ConfigParser leaves it out.
        """
        merged = dict(self.sections.get(section, {}))
        for option, assignment in self.defaults.items():
            merged.setdefault(option, assignment)
        merged.pop(NAME_OPTION, None)
        return merged

    def names(self, section: str) -> dict[str, str]:
        """Return the names ``%(name)s`` can refer to in ``section``.

        These are the raw values of the section and ``[DEFAULT]``, plus
        ``__name__``: the section's name unless the file sets that option.
        """
        names = {option: a.value for option, a in self.defaults.items()}
        names[NAME_OPTION] = section
        for option, assignment in self.sections.get(section, {}).items():
            names[option] = assignment.value
        return names


@dataclass
class _Pending:
    """The option line whose value continuation lines extend."""

    section: str
    option: str
    name: str
    parts: list[bytes]
    line: int
    end_line: int
    col: int
    delimiter: str
    continuation_lines: list[int] = field(default_factory=list)


def parse(data: bytes, path: str, role: str = "global") -> IniFile:
    """Parse ``data`` as ConfigParser would, keeping every detail.

    No input makes it raise (a property test feeds it arbitrary bytes),
    because every rejected line becomes a :class:`ParseProblem`.
    """
    result = IniFile(path=path, role=role)
    section: str | None = None
    pending: _Pending | None = None

    # Python 2 read files line by line, splitting on b"\n" only, so a
    # carriage return stays in the line.
    for number, line in enumerate(_lines(data), start=1):
        stripped = line.strip()
        if not stripped or line[:1] in (b"#", b";"):
            continue
        if line[:1] in (b"r", b"R") and line.split(None, 1)[0].lower() == b"rem":
            continue

        if line[:1].isspace() and section is not None and pending is not None:
            if stripped:
                pending.parts.append(stripped)
                pending.end_line = number
                pending.continuation_lines.append(number)
            continue

        header = _SECTION_RE.match(line)
        if header:
            _finish(result, pending)
            pending = None
            section = decode(header.group("header"))
            result.headers.append(Header(section, path, number))
            if section == DEFAULT_SECTION:
                continue
            result.sections.setdefault(section, {})
            continue

        if section is None:
            kind = "bom" if number == 1 and line.startswith(_BOM) else "missing-header"
            result.problems.append(ParseProblem(kind, path, number, decode(line)))
            return result

        option = _OPTION_RE.match(line)
        if option is None:
            indented = line[:1].isspace()
            result.problems.append(
                ParseProblem("bad-line", path, number, decode(line), indented)
            )
            if indented:
                _recover(result, section, line, number)
            continue

        _finish(result, pending)
        pending = _start(section, option, number)

    _finish(result, pending)
    return result


def _recover(result: IniFile, section: str, line: bytes, number: int) -> None:
    """Keep the option an indented rejected line would set unindented."""
    body = line.lstrip()
    match = _OPTION_RE.match(body)
    if match is None:
        return
    pending = _start(section, match, number)
    indent = len(line) - len(body)
    result.recovered.append(
        Assignment(
            section=section,
            option=pending.option,
            name=pending.name,
            value=decode(pending.parts[0]),
            path=result.path,
            line=number,
            end_line=number,
            col=pending.col + indent,
            delimiter=pending.delimiter,
        )
    )


def _lines(data: bytes) -> list[bytes]:
    """Split on b"\\n" only, as Python 2's file iteration did."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _start(section: str, match: re.Match[bytes], number: int) -> _Pending:
    """Begin an option from an option line, as ConfigParser stores it."""
    name = match.group("option").rstrip()
    delimiter = match.group("delimiter")
    value = match.group("value")

    # Only the first ";" counts, and only after whitespace.  When ";" is
    # the first character, Python 2 looks at value[-1] (index -1), which
    # is whitespace when the line ends in "\r": the value is then cut.
    position = value.find(b";")
    if position != -1 and bytes((value[position - 1],)).isspace():
        value = value[:position]
    value = value.strip()
    if value == b'""':
        value = b""

    return _Pending(
        section=section,
        option=decode(name.lower()),
        name=decode(name),
        parts=[value],
        line=number,
        end_line=number,
        col=match.start("value") + 1,
        delimiter=decode(delimiter),
    )


def _finish(result: IniFile, pending: _Pending | None) -> None:
    """Store a finished option, replacing any earlier one of that name."""
    if pending is None:
        return
    assignment = Assignment(
        section=pending.section,
        option=pending.option,
        name=pending.name,
        value=decode(b"\n".join(pending.parts)),
        path=result.path,
        line=pending.line,
        end_line=pending.end_line,
        col=pending.col,
        delimiter=pending.delimiter,
        continuation_lines=tuple(pending.continuation_lines),
    )
    result.assignments.append(assignment)
    if pending.section == DEFAULT_SECTION:
        result.defaults[pending.option] = assignment
    else:
        result.sections[pending.section][pending.option] = assignment
