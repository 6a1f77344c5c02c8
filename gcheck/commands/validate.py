"""``gcheck validate``: check config files against a schema, for CI and by hand.

Exit status: 0 when no finding reaches ``--fail-on``, 1 when one does, 2
when gcheck could not do its work (a missing file, an invalid schema).
Only the reader, the schema engine and the chosen output format load; the
SSH libraries never do.
"""

from __future__ import annotations

import sys

from gcheck.commands import options
from gcheck.findings import Finding
from gcheck.report import FORMATS


def add_parser(subparsers) -> None:
    """Add ``validate`` and its options to the command line."""
    parser = subparsers.add_parser(
        "validate",
        help="check config files against a schema without contacting any host",
        description=(
            "Read each FILE exactly as Autotest reads it, lay the shadow file "
            "over it, and report every problem the schema's checks find."
        ),
    )
    add = parser.add_argument
    add("files", nargs="+", metavar="FILE", help="global_config.ini files to check")
    options.add_shadow(parser, "each FILE")
    options.add_schema(parser, "to check against")
    options.add_format(parser, FORMATS)
    options.add_fail_on(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    """Validate every file and write one report; return the exit status."""
    from gcheck.errors import GcheckError
    from gcheck.findings import exit_code
    from gcheck.load import load
    from gcheck.report import render_validation
    from gcheck.schema import load as load_schema
    from gcheck.validate import validate

    schema = load_schema(args.schema)
    findings = []
    files: list[str] = []
    failed = []
    for path in args.files:
        # One unusable file must not hide the findings of the others.
        try:
            config = load(path, shadow=args.shadow)
        except GcheckError as error:
            failed.append(error)
            continue
        findings.extend(validate(config, schema))
        files.append(path)
        if config.shadow_file is not None:
            files.append(config.shadow_file.path)
    # With one --shadow for several files, a finding in the shadow file
    # comes from every run; it is reported once.
    unique = sorted(dict.fromkeys(findings), key=Finding.sort_key)
    if len(failed) == 1 and not files:
        raise failed[0]
    if files:
        render_validation(unique, list(dict.fromkeys(files)), args.format, sys.stdout)
    for error in failed:
        print(f"gcheck: error: {error.message}", file=sys.stderr)
    if failed:
        return GcheckError.exit_code
    return exit_code(unique, args.fail_on)
