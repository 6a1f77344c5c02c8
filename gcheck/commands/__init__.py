"""The subcommands, in the order ``gcheck --help`` lists them.

Each module defines ``add_parser(subparsers)`` and ``run(args) -> int`` and
imports its heavy dependencies inside ``run``, so building the parser
stays cheap for every command.
"""

from gcheck.commands import check, demo, explain, hosts, show, validate

COMMANDS = (check, validate, show, hosts, explain, demo)
