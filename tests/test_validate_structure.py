"""Unknown sections and keys, misplaced keys, per-host keys, required keys."""

from __future__ import annotations

import pytest

from gcheck import config, reader, schema
from gcheck.findings import Severity
from gcheck.validate import validate

CODES = {"V101", "V102", "V103", "V104", "V105", "V106"}


def _findings(text: str, shadow: str | None = None, codes=CODES):
    global_file = reader.parse(text.encode(), "global.ini")
    shadow_file = (
        None if shadow is None else reader.parse(shadow.encode(), "shadow.ini")
    )
    found = validate(config.build(global_file, shadow_file), schema.load())
    return [f for f in found if f.code in codes]


def _lines_and_codes(text: str, codes=CODES) -> list[tuple[int | None, str]]:
    return [(f.line, f.code) for f in _findings(text, codes=codes)]


# (ini text, expected (line, code) of the unknown-name checks)
NAME_CASES = [
    ("[SCHEDULER]\ndrones: localhost\n", []),
    ("[ SCHEDULER]\ndrones: d1\n", []),
    ("[ FOO]\nx: 1\n", [(1, "V101")]),
    ("[Scheduler]\ndrones: d1\n", [(1, "V101")]),
    ("[scheduler]\ndrones: d1\n[scheduler]\nx: 1\n", [(1, "V101")]),
    ("[TKO]\nhost: db\npassword: x\n", [(1, "V101")]),
    ("[SCHEDULER]\nmax_process_per_drone: 20\n", [(2, "V102")]),
    ("[SCHEDULER]\nmax_running_jobs: 20\n", [(2, "V102")]),
    ("[DEFAULT]\ntop: /usr/local\n", [(2, "V102")]),
    ("[DEFAULT]\nhostname: a\n", []),
    ("[SERVER]\ntick_pause_sec: 5\n", [(2, "V103")]),
    ("[NOTIFICATION]\nkeyval_names_exibit_summary_mail:\n", [(2, "V103")]),
    ("[SCHEDULER]\nnotify_email_statuses: Failed\n", [(2, "V103")]),
    ("[AUTOTEST_WEB]\nbase_url: http://x/afe/\n", [(2, "V103")]),
    ("[SCHEDULER]\ndrones: dumpster\ndumpster_username: u\n", []),
    ("[SCHEDULER]\ndrones: dumpster\ndumpstr_username: u\n", [(3, "V104")]),
    ("[SCHEDULER]\nresults_host: R1\nr1_disabled: x\n", []),
    ("[SCHEDULER]\nr1_max_processes: 5\n", [(2, "V104")]),
    ("[SCHEDULER]\nlocalhost_max_processes: 5\n", []),
]


@pytest.mark.parametrize(("text", "expected"), NAME_CASES)
def test_unknown_names(text, expected):
    codes = {"V101", "V102", "V103", "V104"}
    assert _lines_and_codes(text, codes) == expected


def test_unknown_shadow_default_key_reported_once():
    shadow = "[DEFAULT]\nzzz: 1\n[SCHEDULER]\n[SERVER]\n"
    found = _findings("[SCHEDULER]\n", shadow, codes={"V102"})
    assert [(f.path, f.line) for f in found] == [("shadow.ini", 2)]
    assert found[0].message == "unknown key zzz in [DEFAULT]: Autotest ignores it"


def test_unknown_section_suggests_section():
    (finding,) = _findings("[Scheduler]\n", codes={"V101"})
    assert finding.message == (
        "unknown section [Scheduler]: Autotest reads none of its keys; "
        "did you mean SCHEDULER?"
    )
    assert finding.severity is Severity.WARNING
    assert finding.section == "Scheduler"


def test_unknown_key_suggests_key():
    (finding,) = _findings("[SCHEDULER]\nmax_process_per_drone: 20\n", codes={"V102"})
    assert finding.message.endswith("did you mean max_processes_per_drone?")
    assert (finding.line, finding.col) == (2, 1)
    assert finding.option == "max_process_per_drone"


def test_unknown_default_key_suggests_key():
    (finding,) = _findings("[DEFAULT]\ntick_pause: 5\n", codes={"V102"})
    assert finding.message.endswith("did you mean tick_pause_sec?")


def test_misplaced_key_names_its_section():
    (finding,) = _findings("[SERVER]\ntick_pause_sec: 5\n", codes={"V103"})
    assert finding.message.startswith(
        "tick_pause_sec belongs in [SCHEDULER], not [SERVER]"
    )
    assert finding.severity is Severity.WARNING


def test_misplaced_blank_key_is_info():
    text = "[NOTIFICATION]\nkeyval_names_exibit_summary_mail:\n"
    (finding,) = _findings(text, codes={"V103"})
    assert finding.severity is Severity.INFO
    assert "it is blank, so nothing changes" in finding.message


def test_unknown_host_key_suggests_nearest_host():
    text = "[SCHEDULER]\ndrones: localhost, dumpster\ndumpstr_username: offloader\n"
    (finding,) = _findings(text, codes={"V104"})
    assert finding.message == (
        "dumpstr_username is a <host>_username key, but no host 'dumpstr' is in "
        "drones or results_host, so it does nothing; did you mean dumpster?"
    )
    assert finding.hint == "Spell the host as drones or results_host spells it."


def test_unknown_host_key_in_shadow():
    shadow = "[SCHEDULER]\ndrone2_username: u\n"
    found = _findings("[SCHEDULER]\ndrones: drone1\n", shadow, codes={"V104"})
    assert [(f.path, f.line) for f in found] == [("shadow.ini", 2)]


def test_shadow_hosts_make_per_host_keys_known():
    shadow = "[SCHEDULER]\ndrones: drone1, drone2\n"
    text = "[SCHEDULER]\ndrones: drone1\ndrone2_username: u\n"
    assert _findings(text, shadow, codes={"V104"}) == []


# (ini text, expected (line, code) of the required-key check)
REQUIRED_CASES = [
    ("[AUTOSERV]\nclient_autodir_paths: /a\nssh_engine: raw_ssh\n", []),
    ("[AUTOSERV]\nclient_autodir_paths: /a\n", [(1, "V106")]),
    ("[AUTOSERV]\nclient_autodir_paths: /a\nssh_engine:\n", [(3, "V106")]),
    ('[AUTOSERV]\nclient_autodir_paths: /a\nssh_engine: ""\n', [(3, "V106")]),
    ("[DEFAULT]\nssh_engine: raw_ssh\n[AUTOSERV]\nclient_autodir_paths: /a\n", []),
]


@pytest.mark.parametrize(("text", "expected"), REQUIRED_CASES)
def test_required_keys(text, expected):
    found = [f for f in _findings(text, codes={"V106"}) if f.section == "AUTOSERV"]
    assert [(f.line, f.code) for f in found] == expected


def test_missing_required_key_message():
    found = _findings("[AUTOSERV]\nclient_autodir_paths: /a\n", codes={"V106"})
    (finding,) = [f for f in found if f.section == "AUTOSERV"]
    assert finding.message == (
        "[AUTOSERV] ssh_engine is missing: Autotest reads it with no default and "
        "raises \"Value 'ssh_engine' not found in section 'AUTOSERV'\""
    )
    assert finding.severity is Severity.ERROR
    assert finding.option == "ssh_engine"


def test_missing_section_lists_required_keys_once():
    found = _findings("[AUTOTEST_WEB]\n", codes={"V106"})
    (autoserv,) = [f for f in found if f.section == "AUTOSERV"]
    assert autoserv.line is None
    assert autoserv.message.startswith(
        "section [AUTOSERV] is missing: Autotest reads client_autodir_paths, "
        "ssh_engine from it"
    )


def test_missing_section_mentions_near_miss():
    found = _findings("[ AUTOSERV]\n", codes={"V106"})
    (autoserv,) = [f for f in found if f.section == "AUTOSERV"]
    assert autoserv.message.endswith("the file's [ AUTOSERV] is a different section")


def test_shipped_file_has_every_required_key(data_dir):
    text = (data_dir / "global_config.ini").read_text()
    assert _findings(text, codes={"V106"}) == []
