"""Values Autotest rejects or misreads: numbers, ranges, choices, names, flags."""

from __future__ import annotations

import pytest

from gcheck import config, reader, schema
from gcheck.findings import Severity
from gcheck.validate import validate

CODES = {"V201", "V202", "V203", "V204", "V205", "V208", "V209", "V210", "V212"}


def _findings(text: str, codes=CODES, shadow: str | None = None):
    global_file = reader.parse(text.encode(), "global.ini")
    shadow_file = (
        None if shadow is None else reader.parse(shadow.encode(), "shadow.ini")
    )
    found = validate(config.build(global_file, shadow_file), schema.load())
    return [f for f in found if f.code in codes]


# (ini text, expected (line, code))
CASES = [
    # Numbers, read with Python 2.7's int() and float().
    ("[SCHEDULER]\nmax_processes_per_drone: 20\n", []),
    ("[SCHEDULER]\nmax_processes_per_drone:  +20 \n", []),
    ("[SCHEDULER]\nmax_processes_per_drone: - 20\n", [(2, "V202")]),
    ("[SCHEDULER]\nmax_processes_per_drone: 1_000\n", [(2, "V201")]),
    ("[SCHEDULER]\nmax_processes_per_drone: 20.0\n", [(2, "V201")]),
    ("[SCHEDULER]\nmax_processes_per_drone: 2e3\n", [(2, "V201")]),
    ("[SCHEDULER]\nmax_processes_per_drone: twenty\n", [(2, "V201")]),
    ("[SCHEDULER]\nmax_processes_per_drone:\n", []),
    ("[HOSTS]\nhours_to_wait_for_recovery: 2.5\n", []),
    ("[HOSTS]\nhours_to_wait_for_recovery: 2,5\n", [(2, "V201")]),
    ("[HOSTS]\nhours_to_wait_for_recovery: 1_0.5\n", [(2, "V201")]),
    ("[HOSTS]\nhours_to_wait_for_recovery: -1\n", [(2, "V202")]),
    # Ranges.
    ("[SCHEDULER]\npidfile_timeout_mins: 0\n", [(2, "V202")]),
    ("[SCHEDULER]\ntick_pause_sec: 0\n", []),
    ("[EMAIL]\nsmtp_port: 70000\n", [(2, "V202")]),
    ("[EMAIL]\nsmtp_port: 0\n", [(2, "V202")]),
    ("[EMAIL]\nsmtp_port: 587\n", []),
    ("[SERVER]\nsmtp_port: smtp\n", [(2, "V201")]),
    ("[SERVER]\nlogs_disk_usage_treshold: 101\n", [(2, "V202")]),
    # Fixed sets of values.
    ("[AUTOSERV]\nssh_engine: paramiko\n", []),
    ("[AUTOSERV]\nssh_engine: openssh\n", [(2, "V203")]),
    ("[AUTOSERV]\nssh_engine: Paramiko\n", [(2, "V203")]),
    ("[AUTOTEST_WEB]\ndb_type: postgresql\n", [(2, "V203")]),
    ("[HOSTS]\ndefault_protection: No protection\n", []),
    ("[HOSTS]\ndefault_protection: do_not_verify\n", []),
    ("[HOSTS]\ndefault_protection: NONE\n", [(2, "V203")]),
    # Booleans: only "false" is False.
    ("[SCHEDULER]\nenable_scheduler: False\n", []),
    ("[SCHEDULER]\nenable_scheduler: yes\n", []),
    ("[SCHEDULER]\nenable_scheduler: no\n", [(2, "V204")]),
    ("[SCHEDULER]\nenable_scheduler: 0\n", [(2, "V204")]),
    ("[SCHEDULER]\nenable_scheduler: off\n", [(2, "V204")]),
    ("[SCHEDULER]\nenable_scheduler: disabled\n", [(2, "V204")]),
    ('[SCHEDULER]\nenable_scheduler: "False"\n', [(2, "V204")]),
    ("[SCHEDULER]\nenable_scheduler: flase\n", [(2, "V204")]),
    ("[CLIENT]\nlog_installed_packages = no\n", [(2, "V204")]),
    # Any <host>_disabled value disables the host.
    ("[SCHEDULER]\ndrones: d1\nd1_disabled: False\n", [(3, "V205")]),
    ("[SCHEDULER]\ndrones: d1\nd1_disabled: 1\n", [(3, "V205")]),
    ("[SCHEDULER]\ndrones: d1\nd1_disabled:\n", []),
    # Login names.
    ("[SCHEDULER]\ndrones: d1\nd1_username: autotest\n", []),
    ("[SCHEDULER]\ndrones: dumpster\ndumpster_username: offloader**\n", [(3, "V208")]),
    ("[SCHEDULER]\ndrones: d1\nd1_username: -x\n", [(3, "V208")]),
    ("[SCHEDULER]\ndrones: d1\nd1_username: a b\n", [(3, "V208")]),
    # Host names.
    ("[SCHEDULER]\ndrones: d1, d2.example.com, 10.0.0.3\n", []),
    ("[SCHEDULER]\ndrones: d1, d2,\n", [(2, "V210")]),
    ("[SCHEDULER]\ndrones: d1,, d2\n", [(2, "V210")]),
    ("[SCHEDULER]\ndrones: d1, drone 2\n", [(2, "V209")]),
    ("[SCHEDULER]\ndrones: d1,\n  d2\n", []),
    ("[SCHEDULER]\ndrones: d1, d2\n  d3\n", [(2, "V209")]),
    ("[SCHEDULER]\ndrones: **d1**\n", [(2, "V209")]),
    ("[SCHEDULER]\nresults_host: r1, r2\n", [(2, "V209")]),
    ("[SCHEDULER]\ndrones: bad name, x**,\n", [(2, "V209"), (2, "V209"), (2, "V210")]),
    # A [DEFAULT] value is checked against the sections that read it.
    ("[DEFAULT]\nssh_engine: openssh\n[AUTOSERV]\n", [(2, "V203")]),
    ("[DEFAULT]\nssh_engine: paramiko\n[AUTOSERV]\n", []),
    # The shipped default password.
    ("[AUTOTEST_WEB]\npassword: please_set_this_password\n", [(2, "V212")]),
    ("[AUTOTEST_WEB]\npassword: s3cret\n", []),
    ("[TKO]\npassword: please_set_this_password\n", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_values(text, expected):
    assert [(f.line, f.code) for f in _findings(text)] == expected


def test_not_convertible_message():
    (finding,) = _findings("[SCHEDULER]\nmax_processes_per_drone: 1_000\n")
    assert finding.message == (
        "max_processes_per_drone is '1_000', which is not an integer: Python 2.7's "
        "int() rejects it and the program reading it stops"
    )
    assert finding.severity is Severity.ERROR
    assert (finding.line, finding.col) == (2, 26)


def test_out_of_range_message_gives_range():
    (finding,) = _findings("[EMAIL]\nsmtp_port: 70000\n")
    assert finding.message == (
        "smtp_port is 70000, outside the sensible range: use a value from 1 to 65535"
    )


def test_not_allowed_message_lists_choices():
    (finding,) = _findings("[AUTOSERV]\nssh_engine: openssh\n")
    assert finding.message.endswith("use one of raw_ssh, paramiko")


def test_false_looking_boolean_message():
    (finding,) = _findings("[SCHEDULER]\nenable_scheduler: no\n")
    assert finding.message == (
        "enable_scheduler is 'no', which Autotest reads as True: only 'false' "
        "(any case) is False"
    )
    assert finding.severity is Severity.WARNING


def test_disabled_false_is_warning():
    (finding,) = _findings("[SCHEDULER]\ndrones: d1\nd1_disabled: False\n")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "d1_disabled is 'False', which disables host d1: any non-blank value "
        "does, 'False' included"
    )


def test_disabled_true_is_info():
    (finding,) = _findings("[SCHEDULER]\ndrones: d1\nd1_disabled: yes\n")
    assert finding.severity is Severity.INFO
    assert finding.message == "d1_disabled is 'yes', which disables host d1"


def test_invalid_login_message():
    (finding,) = _findings(
        "[SCHEDULER]\ndrones: dumpster\ndumpster_username: offloader**\n"
    )
    assert finding.message == (
        "dumpster_username is 'offloader**', a login no system accepts "
        "(contains '*'), so the scheduler cannot log in to dumpster"
    )


def test_continuation_newline_in_host_name():
    (finding,) = _findings("[SCHEDULER]\ndrones: d1, d2\n  d3\n")
    assert finding.message == "drones names host 'd2\\x0ad3', which contains a newline"


def test_results_host_is_not_split():
    (finding,) = _findings("[SCHEDULER]\nresults_host: r1,r2\n")
    assert finding.message == (
        "results_host names host 'r1,r2', which contains a comma; results_host "
        "holds one host and is not split on commas"
    )


def test_default_password_message_hides_password():
    (finding,) = _findings("[AUTOTEST_WEB]\npassword: please_set_this_password\n")
    assert "please_set_this_password" not in finding.message
    assert finding.severity is Severity.WARNING


def test_secret_value_never_in_message():
    text = "[EMAIL]\nsmtp_password: %(x)s hunter2 %d\n"
    found = _findings(text, codes={"V206", "V207"})
    assert found, "expected an interpolation finding"
    for finding in found:
        assert "hunter2" not in finding.message


def test_shadow_value_checked_at_shadow_line():
    shadow = "[SCHEDULER]\nmax_processes_per_drone: lots\n"
    text = "[SCHEDULER]\nmax_processes_per_drone: 20\n"
    (finding,) = _findings(text, shadow=shadow)
    assert (finding.path, finding.line, finding.code) == ("shadow.ini", 2, "V201")


def test_shipped_file_values(data_dir):
    text = (data_dir / "global_config.ini").read_text()
    found = [(f.line, f.code, f.severity.label) for f in _findings(text)]
    assert found == [(19, "V212", "warning"), (30, "V204", "warning")]


def test_secret_key_value_hidden_in_every_message(tmp_path):
    spec = tmp_path / "secret.spec"
    spec.write_text(
        "[A]\nlogin = login(secret=yes)\nflag = bool(secret=yes)\n"
        "count = int(secret=yes)\nmode = choice('x', secret=yes)\n"
    )
    text = "[A]\nlogin: hunter2**\nflag: no\ncount: hunter2\nmode: hunter2\n"
    cfg = config.build(reader.parse(text.encode(), "g.ini"))
    found = validate(cfg, schema.load(str(spec)))
    assert sorted(f.code for f in found) == ["V201", "V203", "V204", "V208"]
    for finding in found:
        assert "hunter2" not in finding.message, finding.code
        assert "(secret value not shown)" in finding.message, finding.code


def test_host_name_byte_not_utf8():
    global_file = reader.parse(b"[SCHEDULER]\ndrones: caf\xe9\n", "global.ini")
    found = validate(config.build(global_file), schema.load())
    (finding,) = [f for f in found if f.code == "V209"]
    assert finding.message.endswith("contains the byte \\xe9 (not UTF-8)")
