"""Finding codes of validation against a schema (``V``).

``V1xx``: sections and keys; ``V2xx``: values; ``V3xx``: rules that join
several keys.  Severity: error when Autotest will not start or will
misbehave, warning when the setting is almost certainly a mistake.
"""

from gcheck.findings import CodeInfo, Severity

UNKNOWN_SECTION = "V101"
UNKNOWN_KEY = "V102"
MISPLACED_KEY = "V103"
UNKNOWN_HOST_KEY = "V104"
NO_HOST_KEYS = "V105"
REQUIRED_KEY = "V106"
NOT_CONVERTIBLE = "V201"
OUT_OF_RANGE = "V202"
NOT_ALLOWED = "V203"
FALSE_LOOKING_BOOL = "V204"
HOST_DISABLED = "V205"
INTERPOLATION_DEFAULT = "V206"
INTERPOLATION_CRASH = "V207"
INVALID_LOGIN = "V208"
INVALID_HOST = "V209"
EMPTY_HOST = "V210"
REMOTE_LOCALHOST = "V211"
DEFAULT_PASSWORD = "V212"
DRONE_SET_NAME = "V301"
RESULTS_DIRECTORY = "V302"
SMTP_PASSWORD_UNUSED = "V303"
ALL_DRONES_DISABLED = "V304"
SCHEDULER_DISABLED = "V305"
PARAMIKO_AGENT = "V306"
READONLY_PASSWORD_UNUSED = "V307"

CODES: list[CodeInfo] = [
    CodeInfo(
        UNKNOWN_SECTION,
        "Unknown section",
        Severity.WARNING,
        "The schema has no section of this name, so Autotest reads none of "
        "its keys.  Section names are case-sensitive.  Sections that older "
        "Autotest versions read, such as [TKO], show up here too.  A known "
        "name with spaces inside the brackets is reported as R203 instead.",
        "[Scheduler]\ndrones: drone1",
        "Rename the section to the one suggested, or delete it.",
    ),
    CodeInfo(
        UNKNOWN_KEY,
        "Unknown key",
        Severity.WARNING,
        "No part of Autotest reads this key in this section, so its value "
        "has no effect and the default applies.  A typo is the usual cause; "
        "keys that older Autotest versions read show up here too.",
        "[SCHEDULER]\nmax_process_per_drone: 20",
        "Fix the spelling as suggested, or delete the key.",
    ),
    CodeInfo(
        MISPLACED_KEY,
        "Key belongs to another section",
        Severity.WARNING,
        "Autotest reads this key from another section and ignores it here. "
        "The finding is info only when the value is blank, because a blank "
        "value changes nothing wherever it is.",
        "[SERVER]\ntick_pause_sec: 5",
        "Move the key to the section the message names.",
    ),
    CodeInfo(
        UNKNOWN_HOST_KEY,
        "Per-host key for a host that is not configured",
        Severity.WARNING,
        "Keys such as <host>_username and <host>_disabled apply only to a "
        "host named in [SCHEDULER] drones or results_host.  For any other "
        "host the key does nothing: the scheduler connects as its own user "
        "and never disables the host.",
        "[SCHEDULER]\ndrones: dumpster\ndumpstr_username: offloader",
        "Spell the host as drones or results_host spells it.",
    ),
    CodeInfo(
        NO_HOST_KEYS,
        "Host name cannot carry per-host keys",
        Severity.INFO,
        "An option name ends at its first ':' or '=', so no <host>_username "
        "or <host>_disabled key can be written for a host whose name "
        "contains ':' (an IPv6 address).  The scheduler connects to it as "
        "the user it runs as, and only max_processes_per_drone limits it.",
        "[SCHEDULER]\ndrones: 2001:db8::7",
        "Name the host by a DNS name or an /etc/hosts alias instead.",
    ),
    CodeInfo(
        REQUIRED_KEY,
        "Required key missing or blank",
        Severity.ERROR,
        "Autotest reads this key with no default, so a missing or blank "
        "value makes it raise \"Value 'KEY' not found in section "
        "'SECTION'\": the program that reads it stops.",
        "[SCHEDULER]\npidfile_timeout_mins:",
        "Add the key with a value; the shipped global_config.ini has one to start from.",
    ),
    CodeInfo(
        NOT_CONVERTIBLE,
        "Value is not a number",
        Severity.ERROR,
        "Autotest converts this value with Python 2.7's int() or float(), "
        "which reject it, and the program reading it stops.  int() accepts "
        "spaces around the number and a sign, but no fraction, no '_' and "
        "no exponent.",
        "[SCHEDULER]\nmax_processes_per_drone: 1_000",
        "Write a plain decimal number.",
    ),
    CodeInfo(
        OUT_OF_RANGE,
        "Value out of range",
        Severity.ERROR,
        "The number converts, but lies outside the range in which the "
        "setting makes sense: a port outside 1-65535, a negative count, "
        "or a timeout of zero or less.",
        "[EMAIL]\nsmtp_port: 70000",
        "Use a value within the range the message gives.",
    ),
    CodeInfo(
        NOT_ALLOWED,
        "Value not among the allowed values",
        Severity.ERROR,
        "Autotest accepts only a fixed set of values here and raises for "
        "any other, for example ssh_engine, db_type or default_protection.",
        "[AUTOSERV]\nssh_engine: openssh",
        "Use one of the values the message lists.",
    ),
    CodeInfo(
        FALSE_LOOKING_BOOL,
        "Boolean reads as True although it looks false",
        Severity.WARNING,
        "Autotest reads a boolean as False only when the value is 'false' "
        "in any case.  'no', '0', 'off', 'disabled', a quoted \"False\" or "
        "a misspelling such as 'flase' all read as True.",
        "[SCHEDULER]\nenable_scheduler: no",
        "Write False to turn the setting off, or True to make it plain.",
    ),
    CodeInfo(
        HOST_DISABLED,
        "Host disabled by <host>_disabled",
        Severity.INFO,
        "The scheduler disables a host when <host>_disabled has any "
        "non-blank value, so 'False' and '0' disable it too.  The finding "
        "is a warning for such values and info otherwise.",
        "[SCHEDULER]\ndrones: drone1, drone3\ndrone3_disabled: False",
        "Delete the key, or leave its value blank, to keep the host enabled.",
    ),
    CodeInfo(
        INTERPOLATION_DEFAULT,
        "Interpolation fails and the default is used",
        Severity.WARNING,
        "The value refers to %(name)s, but the name is not defined in the "
        "section or [DEFAULT], or the references nest more than ten deep. "
        "ConfigParser raises, and Autotest's get_value treats that as a "
        "missing key: the default is used without a word.  For a key with "
        "no default this is an error, because Autotest then stops.",
        "[SCHEDULER]\ndrone_installation_directory: %(top)s/autotest",
        "Define the name in the same section or in [DEFAULT], or write the value out.",
    ),
    CodeInfo(
        INTERPOLATION_CRASH,
        "Interpolation crashes",
        Severity.ERROR,
        "The value contains %(name)s and also a '%' that Python's string "
        "formatting cannot use, such as '50%' or '%d'.  The error is not "
        "one ConfigParser raises, so Autotest does not catch it and the "
        "program reading the key stops.",
        "[SERVER]\nlogs_dir: /var/log/autotest\nrpc_log_path: %(logs_dir)s/rpc-100%.log",
        "Write a literal '%' as '%%' in any value that also holds %(name)s.",
    ),
    CodeInfo(
        INVALID_LOGIN,
        "Login name no system accepts",
        Severity.ERROR,
        "The scheduler runs ssh -l with this name.  POSIX user names consist "
        "of letters, digits, '.', '_' and '-' and do not start with '-', so "
        "no server has this user and every connection to the host fails.",
        "[SCHEDULER]\ndrones: dumpster\ndumpster_username: offloader**",
        "Write the user name alone, without markup or spaces.",
    ),
    CodeInfo(
        INVALID_HOST,
        "Invalid host name",
        Severity.ERROR,
        "The scheduler connects to each name in drones and to results_host "
        "as written.  A name with spaces, a newline (from a continuation "
        "line), '*' or other characters outside host names cannot resolve. "
        "results_host is not split on commas, so a list there is one "
        "invalid name.",
        "[SCHEDULER]\ndrones: drone1, drone 2",
        "Write host names only, separated by commas, on one line.",
    ),
    CodeInfo(
        EMPTY_HOST,
        "Empty host name in a host list",
        Severity.WARNING,
        "The scheduler splits drones on ',' without dropping empty items, "
        "so a trailing or doubled comma adds a drone with an empty name, "
        "which fails to initialise.",
        "[SCHEDULER]\ndrones: drone1, drone2,",
        "Remove the extra comma.",
    ),
    CodeInfo(
        REMOTE_LOCALHOST,
        "Local machine reached over SSH",
        Severity.WARNING,
        "Only the exact name 'localhost' makes the scheduler run a drone or "
        "the results host locally.  'LOCALHOST' is a warning, because it "
        "looks local but is reached over SSH; a loopback address such as "
        "127.0.0.1 is info, for the same reason.",
        "[SCHEDULER]\nresults_host: LOCALHOST",
        "Write localhost, in lower case, for the machine the scheduler runs on.",
    ),
    CodeInfo(
        DEFAULT_PASSWORD,
        "Shipped default password in use",
        Severity.WARNING,
        "The key still holds please_set_this_password, the value Autotest's "
        "shipped global_config.ini carries.  Anyone who has read that file "
        "knows the password.",
        "[AUTOTEST_WEB]\npassword: please_set_this_password",
        "Set a password of your own, preferably in shadow_config.ini.",
    ),
    CodeInfo(
        DRONE_SET_NAME,
        "Drone sets enabled without a default drone set",
        Severity.ERROR,
        "With drone_sets_enabled true, Autotest's frontend needs "
        "default_drone_set_name to pick a drone set for jobs that name "
        "none; it is blank or missing.",
        "[SCHEDULER]\ndrone_sets_enabled: True\ndefault_drone_set_name:",
        "Set default_drone_set_name, or set drone_sets_enabled to False.",
    ),
    CodeInfo(
        RESULTS_DIRECTORY,
        "Results host uses the drones' installation directory",
        Severity.INFO,
        "results_host_installation_directory is blank, so the scheduler "
        "expects Autotest on the remote results host under "
        "drone_installation_directory.",
        "[SCHEDULER]\nresults_host: results1\nresults_host_installation_directory:",
        "Set results_host_installation_directory when the results host "
        "installs Autotest elsewhere.",
    ),
    CodeInfo(
        SMTP_PASSWORD_UNUSED,
        "SMTP password set without an SMTP user",
        Severity.WARNING,
        "Autotest logs in to the SMTP server only when smtp_user is set, so "
        "a password without a user is never used.",
        "[EMAIL]\nsmtp_user:\nsmtp_password: secret",
        "Set smtp_user, or remove the password.",
    ),
    CodeInfo(
        ALL_DRONES_DISABLED,
        "Every drone is disabled",
        Severity.ERROR,
        "Each host in drones has a non-blank <host>_disabled key, so the "
        "scheduler has no drone to run anything on.",
        "[SCHEDULER]\ndrones: drone1\ndrone1_disabled: False",
        "Remove or blank the <host>_disabled key of at least one drone.",
    ),
    CodeInfo(
        SCHEDULER_DISABLED,
        "Scheduler disabled",
        Severity.INFO,
        "enable_scheduler is False, so Autotest's scheduler exits as soon "
        "as it starts.",
        "[SCHEDULER]\nenable_scheduler: False",
        "Set enable_scheduler to True on the machine that runs the scheduler.",
    ),
    CodeInfo(
        PARAMIKO_AGENT,
        "Paramiko engine without use_sshagent_with_paramiko",
        Severity.ERROR,
        "With ssh_engine paramiko, autoserv's paramiko host reads "
        "use_sshagent_with_paramiko with no default, so a missing or blank "
        "value stops it.",
        "[AUTOSERV]\nssh_engine: paramiko",
        "Set use_sshagent_with_paramiko to True or False.",
    ),
    CodeInfo(
        READONLY_PASSWORD_UNUSED,
        "Read-only database password is never used",
        Severity.INFO,
        "The frontend uses readonly_password only when readonly_user is set "
        "and differs from user; otherwise it connects with password.",
        "[AUTOTEST_WEB]\nuser: autotest\nreadonly_password: secret",
        "Set readonly_user, or remove readonly_password.",
    ),
]
