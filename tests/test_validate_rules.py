"""Rules that join several of Autotest's keys."""

from __future__ import annotations

import pytest

from gcheck import config, reader, schema
from gcheck.validate import validate

CODES = {"V301", "V302", "V303", "V304", "V305", "V306", "V307"}


def _findings(text: str, other_schema: schema.Schema | None = None):
    cfg = config.build(reader.parse(text.encode(), "g.ini"))
    found = validate(cfg, other_schema or schema.load())
    return [f for f in found if f.code in CODES]


def _lines_and_codes(text: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.code) for f in _findings(text)]


# (ini text, expected (line, code))
CASES = [
    # Drone sets need a default drone set.
    ("[SCHEDULER]\ndrone_sets_enabled: True\ndefault_drone_set_name: main\n", []),
    ("[SCHEDULER]\ndrone_sets_enabled: True\ndefault_drone_set_name:\n", [(2, "V301")]),
    ("[SCHEDULER]\ndrone_sets_enabled: yes\n", [(2, "V301")]),
    ("[SCHEDULER]\ndrone_sets_enabled: False\n", []),
    # A remote results host outside the drones.
    ("[SCHEDULER]\nresults_host: r1\n", [(2, "V302")]),
    (
        "[SCHEDULER]\nresults_host: r1\nresults_host_installation_directory: /opt/a\n",
        [],
    ),
    ("[SCHEDULER]\ndrones: r1\nresults_host: r1\n", []),
    ("[SCHEDULER]\nresults_host: localhost\n", []),
    # SMTP passwords need a user.
    ("[EMAIL]\nsmtp_password: pw\n", [(2, "V303")]),
    ("[SERVER]\nsmtp_user:\nsmtp_password: pw\n", [(3, "V303")]),
    ("[EMAIL]\nsmtp_user: mailer\nsmtp_password: pw\n", []),
    # Every drone disabled.
    (
        "[SCHEDULER]\ndrones: d1, d2\nd1_disabled: 1\nd2_disabled: False\n",
        [(2, "V304")],
    ),
    ("[SCHEDULER]\ndrones: d1, d2\nd1_disabled: 1\n", []),
    ("[SCHEDULER]\nlocalhost_disabled: x\n", [(2, "V304")]),
    ("[SCHEDULER]\ndrones: localhost\nlocalhost_disabled: x\n", [(2, "V304")]),
    # The scheduler switched off.
    ("[SCHEDULER]\nenable_scheduler: False\n", [(2, "V305")]),
    ("[SCHEDULER]\nenable_scheduler: no\n", []),
    # The paramiko engine.
    ("[AUTOSERV]\nssh_engine: paramiko\n", [(2, "V306")]),
    ("[AUTOSERV]\nssh_engine: paramiko\nuse_sshagent_with_paramiko: True\n", []),
    ("[AUTOSERV]\nssh_engine: raw_ssh\n", []),
    # The read-only database password.
    ("[AUTOTEST_WEB]\nuser: a\nreadonly_password: pw\n", [(3, "V307")]),
    (
        "[AUTOTEST_WEB]\nuser: a\nreadonly_user: a\nreadonly_password: pw\n",
        [(4, "V307")],
    ),
    ("[AUTOTEST_WEB]\nuser: a\nreadonly_user: b\nreadonly_password: pw\n", []),
    ("[AUTOTEST_WEB]\nuser: a\nreadonly_user: b\nreadonly_password:\n", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_rules(text, expected):
    assert _lines_and_codes(text) == expected


def test_localhost_disabled_without_drones_key():
    # drones defaults to localhost, so disabling it disables every drone.
    (finding,) = _findings("[SCHEDULER]\nlocalhost_disabled: x\n")
    assert (finding.line, finding.option) == (2, "localhost_disabled")


def test_all_drones_disabled_message():
    (finding,) = _findings(
        "[SCHEDULER]\ndrones: d1, d2\nd1_disabled: 1\nd2_disabled: 1\n"
    )
    assert finding.message == (
        "every drone (d1, d2) has a non-blank <host>_disabled key: the scheduler "
        "has no drone to run jobs on"
    )


def test_results_directory_message():
    text = "[SCHEDULER]\nresults_host: r1\ndrone_installation_directory: /opt/at\n"
    (finding,) = _findings(text)
    assert finding.message == (
        "results_host_installation_directory is blank, so the scheduler expects "
        "Autotest on results host r1 under drone_installation_directory /opt/at"
    )
    assert finding.severity.label == "info"


def test_rules_skip_schemas_without_their_keys(tmp_path):
    path = tmp_path / "other.spec"
    path.write_text("[SCHEDULER]\nenable_scheduler = bool()\n")
    other = schema.load(str(path))
    assert _findings("[AUTOSERV]\nssh_engine: paramiko\n", other) == []
    assert [
        f.code for f in _findings("[SCHEDULER]\nenable_scheduler: False\n", other)
    ] == ["V305"]


def test_shipped_file_breaks_no_rule(data_dir):
    assert _findings((data_dir / "global_config.ini").read_text()) == []
