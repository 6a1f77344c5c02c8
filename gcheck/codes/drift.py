"""Finding codes for drift: how a host's copy differs from the baseline.

The baseline is the local reference file, or with ``--baseline majority``
the most common value of each option across the fetched copies.  Values
are compared as Autotest reads them (after the shadow overlay, typed by the
schema), so only differences that change what Autotest does are errors.
"""

from gcheck.findings import CodeInfo, Severity

DRIFTED_VALUE = "D401"
COSMETIC = "D402"
MISSING_OPTION = "D403"
EXTRA_OPTION = "D404"
MISSING_SECTION = "D405"
SHADOW_PRESENCE = "D406"
SHADOW_DIFFERS = "D407"
SECRET_DIFFERS = "D408"
UNREADABLE_COPY = "D409"

CODES: list[CodeInfo] = [
    CodeInfo(
        code=DRIFTED_VALUE,
        title="Value differs from the baseline",
        severity=Severity.ERROR,
        explanation=(
            "The host's copy sets the option to a value that Autotest reads "
            "differently from the baseline's value, so the scheduler or the "
            "processes it starts on that host behave differently."
        ),
        example=(
            "baseline:  max_processes_per_drone: 1000\n"
            "drone07:   max_processes_per_drone: 100"
        ),
        hint="Copy the baseline's value to the host, or change the baseline.",
    ),
    CodeInfo(
        code=COSMETIC,
        title="Value written differently, read the same",
        severity=Severity.INFO,
        explanation=(
            "The copy writes the option differently (letter case of a "
            "boolean, spaces in a list, a blank value against a missing "
            "option), but Autotest derives the same value from both."
        ),
        example=(
            "baseline:  drop_caches: False\n"
            "drone03:   drop_caches: false   (both are False to Autotest)"
        ),
        hint="No action is needed; align the text to keep later diffs quiet.",
    ),
    CodeInfo(
        code=MISSING_OPTION,
        title="Option missing on the host",
        severity=Severity.ERROR,
        explanation=(
            "The baseline sets the option and the host's copy does not, so "
            "Autotest on that host uses the default from its code instead. "
            "Reported as a warning when the schema does not know the option, "
            "because Autotest then never reads it."
        ),
        example="baseline:  tick_pause_sec: 5\ndrone02:   (no tick_pause_sec)",
        hint="Add the option to the host's copy.",
    ),
    CodeInfo(
        code=EXTRA_OPTION,
        title="Option set only on the host",
        severity=Severity.ERROR,
        explanation=(
            "The host's copy sets an option that the baseline does not, so "
            "Autotest on that host reads this value where the others use "
            "the default.  Reported as a warning when the schema does not "
            "know the option, because Autotest then never reads it."
        ),
        example="baseline:  (no die_on_orphans)\ndrone05:   die_on_orphans: True",
        hint="Remove the option from the host's copy, or add it to the baseline.",
    ),
    CodeInfo(
        code=MISSING_SECTION,
        title="Section missing on the host",
        severity=Severity.ERROR,
        explanation=(
            "The host's copy has no such section, so every option of it "
            "takes Autotest's default on that host."
        ),
        example="baseline:  [EMAIL] ...\ndrone09:   (no [EMAIL] section)",
        hint="Copy the section from the baseline to the host.",
    ),
    CodeInfo(
        code=SHADOW_PRESENCE,
        title="Shadow file missing or extra",
        severity=Severity.WARNING,
        explanation=(
            "Autotest reads shadow_config.ini next to global_config.ini when "
            "it exists and lays its options over the global file.  The host "
            "has one where the baseline has none, or lacks one where the "
            "baseline has one.  The options this changes are reported "
            "separately, each with its own code."
        ),
        example="baseline:  shadow_config.ini present\ndrone04:   no shadow_config.ini",
        hint="Copy the baseline's shadow_config.ini to the host, or remove it.",
    ),
    CodeInfo(
        code=SHADOW_DIFFERS,
        title="Shadow file differs",
        severity=Severity.INFO,
        explanation=(
            "The host's shadow_config.ini differs from the baseline's byte "
            "for byte.  Its contents are never shown because shadow files "
            "usually hold passwords; any option whose effective value "
            "changes is reported separately."
        ),
        example="drone06: shadow_config.ini differs (contents hidden)",
        hint="Compare the files on the hosts themselves if the difference matters.",
    ),
    CodeInfo(
        code=SECRET_DIFFERS,
        title="Secret option differs",
        severity=Severity.ERROR,
        explanation=(
            "A secret option (a password) has a different value on the host, "
            "or is set on one side only.  Neither value is shown in any "
            "output format."
        ),
        example="drone11: [AUTOTEST_WEB] password differs (value hidden)",
        hint="Set the same secret on the host as in the baseline.",
    ),
    CodeInfo(
        code=UNREADABLE_COPY,
        title="Copy that Autotest cannot read",
        severity=Severity.ERROR,
        explanation=(
            "The host's global_config.ini is missing, or the copy (or its "
            "shadow file) has a line Autotest's settings module rejects, so "
            "Autotest refuses to start on that host.  Its options are not "
            "compared; the reading findings of the copy say which lines fail."
        ),
        example="drone08: global_config.ini:12: indented line outside an option",
        hint="Fix the copy on the host, or copy the baseline file there.",
    ),
]
