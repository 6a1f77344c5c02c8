"""``gcheck show``: the effective configuration, as Autotest reads it.

Every section and option after the shadow overlay, with the value
ConfigParser's ``get()`` returns, the file and line it came from, and
whether Autotest uses it, falls back to the default, or crashes on it.
The JSON output is described in :data:`JSON_FORMAT`, which
``gcheck show --help`` prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import IO

from gcheck.commands import options

MASK = "********"

JSON_FORMAT = """\
JSON output (--format json) is one object:

  {"format_version": 1,
   "files": {"global": PATH, "shadow": PATH or null},
   "starts": true or false,
   "errors": [{"code", "message", "path", "line", "col"}, ...],
   "sections": [{"name": SECTION, "options": [OPTION, ...]}, ...]}

Each OPTION has these keys:
  option     the option name, lower-cased as ConfigParser stores it
  value      what ConfigParser's get() returns, null when it fails
  raw        the text before %(name)s expansion
  status     "set"; "default" when the value is blank or its expansion
             fails, so Autotest uses the default; "crash" when Autotest's
             reading code raises on it
  reason     "", "blank", "missing-reference", "depth" or "crash"
  detail     the undefined name, or the crash's error message
  default    the schema's default as text, or null
  required   true when Autotest has no default and stops without a value
  secret     true when value and raw are masked as "********"
  source     "global" or "shadow": the file that set the value
  inherited  true when the value comes from [DEFAULT]
  path, line where the value was set

"starts" is false when Autotest would not start; "errors" then says why
and the exit status is 1.  Bytes that are not UTF-8 and control
characters appear as \\xNN, in both formats.
"""


def add_parser(subparsers) -> None:
    """Add ``show`` and its options to the command line."""
    parser = subparsers.add_parser(
        "show",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=JSON_FORMAT,
        help="print the effective configuration as Autotest reads it",
        description=(
            "Read FILE exactly as Autotest reads it, lay the shadow file over\n"
            "it, and print every section and option with its effective value,\n"
            "the file and line it came from, and whether Autotest uses it,\n"
            "falls back to the default or crashes on it.  Secret values are\n"
            "masked.  Exit status 1 when Autotest would not start."
        ),
    )
    add = parser.add_argument
    add("file", metavar="FILE", help="the global_config.ini to show")
    options.add_shadow(parser, "FILE")
    options.add_schema(parser, "that marks secrets and defaults")
    options.add_format(parser, ("text", "json"))
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class Row:
    """One effective option, ready to print."""

    option: str
    value: str | None
    raw: str
    status: str
    reason: str
    detail: str
    default: str | None
    required: bool
    secret: bool
    source: str
    inherited: bool
    path: str
    line: int


def run(args) -> int:
    """Print the effective configuration; return 1 when Autotest would not start."""
    from gcheck.load import load
    from gcheck.schema import load as load_schema

    schema = load_schema(args.schema)
    config = load(args.file, shadow=args.shadow)
    sections = collect(config, schema)
    errors = start_errors(config, schema)
    if args.format == "json":
        write_json(config, sections, errors, sys.stdout)
    else:
        write_text(config, sections, sys.stdout)
    if errors:
        _report_errors(args.file, errors)
        return 1
    return 0


def collect(config, schema) -> list[tuple[str, list[Row]]]:
    """Return every section's rows, in ConfigParser's order."""
    from gcheck.validate import placeholder_fillers
    from gcheck.values import Secrets

    fillers = placeholder_fillers(config, schema)
    secrets = Secrets(config, schema)
    return [
        (
            section,
            [
                _row(config, schema, secrets, fillers, section, option)
                for option in options
            ],
        )
        for section in config.section_names()
        for options in [config.options(section)]
    ]


def _row(config, schema, secrets, fillers, section: str, option: str) -> Row:
    from gcheck.reader import DEFAULT_SECTION, printable

    setting = config.setting(section, option)
    lookup = config.get(section, option)
    secret = secrets.is_secret(section, option)
    status, reason = _status(lookup)
    detail = printable(lookup.detail)
    if secret and status == "crash":
        # Python's error message can quote part of the value.
        detail = ""
    spec = schema.key(section, option, fillers)
    default = None if spec is None or secret else spec.default_text
    value = None if lookup.value is None else printable(lookup.value)
    return Row(
        option=printable(option),
        value=MASK if secret and value is not None else value,
        raw=MASK if secret else printable(setting.raw),
        status=status,
        reason=reason,
        detail=detail,
        default=default,
        required=bool(spec and spec.required),
        secret=secret,
        source=setting.source,
        inherited=setting.inherited or setting.origin.section == DEFAULT_SECTION,
        path=setting.origin.path,
        line=setting.origin.line,
    )


def _status(lookup) -> tuple[str, str]:
    """Return what Autotest's ``get_value`` does with this lookup, and why."""
    if lookup.error == "crash":
        return "crash", "crash"
    if lookup.error == "missing":
        return "default", "missing-reference"
    if lookup.error is not None:
        return "default", lookup.error
    if not (lookup.value or "").strip():
        return "default", "blank"
    return "set", ""


def start_errors(config, schema) -> list:
    """Return the reading findings that stop Autotest at start-up."""
    from gcheck.checks import Subject, reading
    from gcheck.findings import Finding, Severity

    subject = Subject(config, schema, ())
    found = [f for check in reading.CHECKS for f in check(subject)]
    errors = [f for f in found if f.severity is Severity.ERROR]
    return sorted(errors, key=Finding.sort_key)


def _report_errors(path: str, errors: list) -> None:
    print(f"gcheck: Autotest would not start with {path}:", file=sys.stderr)
    for finding in errors:
        print(
            f"  {finding.location()}: {finding.code} {finding.message}", file=sys.stderr
        )


def write_json(config, sections, errors, stream: IO[str]) -> None:
    """Write the effective configuration as one JSON object."""
    shadow = config.shadow_file.path if config.shadow_file is not None else None
    document = {
        "format_version": 1,
        "files": {"global": config.global_file.path, "shadow": shadow},
        "starts": not errors,
        "errors": [
            {
                "code": f.code,
                "message": f.message,
                "path": f.path,
                "line": f.line,
                "col": f.col,
            }
            for f in errors
        ],
        "sections": [
            {"name": name, "options": [asdict(row) for row in rows]}
            for name, rows in sections
        ],
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")


def write_text(config, sections, stream: IO[str]) -> None:
    """Write one table per section through rich."""
    from rich.table import Table
    from rich.text import Text

    from gcheck.report import table_console

    console = table_console(stream, width=_width(stream))
    console.print(Text(_title(config), style="bold"))
    for name, rows in sections:
        table = Table(title=Text(f"[{name}]", style="bold"), title_justify="left")
        table.add_column("option", overflow="fold")
        table.add_column("value", overflow="fold")
        table.add_column("from", no_wrap=True)
        table.add_column("note")
        for row in rows:
            table.add_row(*_cells(row))
        console.print(table)
    if not sections:
        console.print(Text("(no sections)", style="dim"))


def _width(stream: IO[str]) -> int | None:
    """Return the console width: the terminal's, else wide enough for a file.

    rich assumes 80 columns when output is not a terminal, which folds
    paths.  A table takes only the width its cells need, so 200 is a cap.
    """
    isatty = getattr(stream, "isatty", None)
    if (isatty and isatty()) or os.environ.get("COLUMNS"):
        return None
    return 200


def _title(config) -> str:
    title = f"Effective configuration of {config.global_file.path}"
    if config.shadow_file is not None:
        title += f" with {config.shadow_file.path}"
    return title


def _cells(row: Row):
    from rich.text import Text

    style = {"set": "", "default": "yellow", "crash": "bold red"}[row.status]
    value = Text("-" if row.value is None else row.value, style=style)
    origin = Text(
        f"{row.path}:{row.line}", style="dim" if row.source == "global" else ""
    )
    return Text(row.option), value, origin, Text(_note(row), style=style)


def _note(row: Row) -> str:
    notes = []
    if row.source == "shadow":
        notes.append("shadow")
    if row.inherited:
        notes.append("from [DEFAULT]")
    if row.status == "crash":
        detail = f" ({row.detail})" if row.detail else ""
        notes.append(f"crashes Autotest when read{detail}")
    elif row.status == "default":
        notes.append(f"{_why(row)}: {_default(row)}")
    return "; ".join(notes)


def _why(row: Row) -> str:
    if row.reason == "missing-reference":
        return f"refers to undefined %({row.detail})s"
    if row.reason == "depth":
        return "%(name)s nested more than ten levels"
    return row.reason


def _default(row: Row) -> str:
    if row.required:
        return "no default, Autotest stops"
    if row.default is None:
        return "Autotest uses its caller's default"
    return f"Autotest uses the default {row.default!r}"
