"""Finding codes of reading the files as Autotest does (``R``).

``R1xx``: Autotest does not start (ConfigParser raises while reading, or
the shadow merge fails).  ``R2xx``: Autotest starts, but reads something
other than what the file appears to set.
"""

from gcheck.findings import CodeInfo, Severity

MISSING_HEADER = "R101"
BYTE_ORDER_MARK = "R102"
BAD_LINE = "R103"
SHADOW_MERGE = "R104"
SHADOW_SECTION = "R105"
SHADOW_UNREADABLE = "R106"
DUPLICATE_OPTION = "R201"
DUPLICATE_SECTION = "R202"
SPACED_SECTION = "R203"
OPTION_LIKE_CONTINUATION = "R204"

CODES: list[CodeInfo] = [
    CodeInfo(
        MISSING_HEADER,
        "Option before the first section header",
        Severity.ERROR,
        "ConfigParser needs a [section] line before anything else that is "
        "not blank or a comment.  Otherwise it raises "
        "MissingSectionHeaderError at that line, and Autotest stops at "
        "start-up.",
        "drones: localhost\n[SCHEDULER]",
        "Add the right [section] line above it, or move the line into a section.",
    ),
    CodeInfo(
        BYTE_ORDER_MARK,
        "File starts with a UTF-8 byte-order mark",
        Severity.ERROR,
        "Python 2's ConfigParser reads bytes, so a byte-order mark is part "
        "of the first line.  That line no longer starts with '[' or '#', "
        "ConfigParser raises MissingSectionHeaderError, and Autotest stops "
        "at start-up.  Some Windows editors add the mark on save.",
        "\\xef\\xbb\\xbf[AUTOTEST_WEB]",
        "Save the file as UTF-8 without a byte-order mark (BOM).",
    ),
    CodeInfo(
        BAD_LINE,
        "Line is neither an option, a header nor a continuation",
        Severity.ERROR,
        "ConfigParser collects every line it cannot parse and raises "
        "ParsingError at the end of the file, so one such line stops "
        "Autotest at start-up.  An indented line is a continuation only "
        "after an option line; right after a [section] line it is an "
        "error.  This happens when a block with every line indented is "
        "pasted from a guide.  A line without ':' or '=' is an error too.",
        "[SCHEDULER]\n drones: drone1\n results_host: results1",
        "Remove the indentation, or add the missing ':' or '='.",
    ),
    CodeInfo(
        SHADOW_MERGE,
        "Shadow value fails to expand while the files are merged",
        Severity.ERROR,
        "Autotest copies each shadow option into the configuration with "
        "the shadow parser's get(), which expands %(name)s against the "
        "shadow file alone.  A name defined only in global_config.ini, a "
        "nesting more than ten levels deep, or a stray '%' raises there, "
        "and Autotest stops at start-up.",
        "global_config.ini: [SCHEDULER] root: /usr/local/autotest\n"
        "shadow_config.ini: [SCHEDULER] logs: %(root)s/logs",
        "Define the name in shadow_config.ini too, write the value out in "
        "full, or write a literal '%' as '%%'.",
    ),
    CodeInfo(
        SHADOW_SECTION,
        "Shadow section that the merge cannot add",
        Severity.ERROR,
        "Autotest adds each shadow section that global_config.ini lacks "
        "with ConfigParser's add_section(), which raises ValueError for "
        "any name that equals 'default' in any case.  Autotest then stops "
        "at start-up.  Only [DEFAULT], in capitals, holds defaults.",
        "[default]\nhost: db1",
        "Use [DEFAULT] for defaults, or the name of the section meant.",
    ),
    CodeInfo(
        SHADOW_UNREADABLE,
        "Shadow file exists but cannot be read",
        Severity.WARNING,
        "Autotest reads shadow_config.ini when the path exists, but "
        "ConfigParser skips a file it cannot open without a word.  "
        "Autotest then runs without the site settings (often the "
        "passwords) that the shadow file holds.",
        "-rw------- root root shadow_config.ini (the scheduler runs as autotest)",
        "Make the file readable by the user that runs Autotest.",
    ),
    CodeInfo(
        DUPLICATE_OPTION,
        "Option set twice in one section",
        Severity.WARNING,
        "ConfigParser keeps only the last value of an option within a "
        "section, also across repeated [section] lines, so an earlier "
        "value has no effect.  Option names compare lower-cased.",
        "[SCHEDULER]\nmax_processes_per_drone: 50\nmax_processes_per_drone: 20",
        "Delete the value that should not apply.",
    ),
    CodeInfo(
        DUPLICATE_SECTION,
        "Section header appears twice",
        Severity.INFO,
        "A second [section] line with the same name continues the first "
        "section: ConfigParser merges both into one.  This is legal, but "
        "it hides options from a reader who looks at one of the blocks.",
        "[SCHEDULER]\ndrones: a\n[AUTOTEST_WEB]\n...\n[SCHEDULER]\nresults_host: b",
        "Move the options into one block.",
    ),
    CodeInfo(
        SPACED_SECTION,
        "Section name with spaces inside the brackets",
        Severity.WARNING,
        "ConfigParser takes the text between the brackets verbatim, so "
        "[ SCHEDULER] and [SCHEDULER ] are sections other than "
        "[SCHEDULER].  Autotest reads none of their options.",
        "[ SCHEDULER]\ndrones: drone1",
        "Remove the spaces inside the brackets.",
    ),
    CodeInfo(
        OPTION_LIKE_CONTINUATION,
        "Indented line that looks like an option continues a value",
        Severity.WARNING,
        "An indented line after an option line is a continuation: "
        "ConfigParser appends its text to the previous value, even when it "
        "looks like 'key: value' or '[section]'.  The key it seems to set "
        "is not set, and the previous value gains a line.  A block pasted "
        "with every line indented below an option disappears this way.",
        "results_host: results1\n  drones: drone1,drone2",
        "Remove the indentation if the line is meant as an option or header.",
    ),
]
