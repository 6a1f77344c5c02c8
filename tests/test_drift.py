"""Drift: typed comparison of copies with the local or majority baseline."""

from __future__ import annotations

import hashlib

import pytest

from gcheck.config import build
from gcheck.drift import Copy, compare
from gcheck.reader import parse
from gcheck.schema import load

SCHEMA = load()
SECRET = "hunter2-never-shown"


def make_copy(host: str, text: str | None, shadow: str | None = None) -> Copy:
    data = None if text is None else text.encode()
    shadow_data = None if shadow is None else shadow.encode()
    key = hashlib.sha256(repr((data, shadow_data)).encode()).hexdigest()
    if data is None:
        return Copy(host, key, None, shadow_data)
    shadow_file = None
    if shadow_data is not None:
        shadow_file = parse(shadow_data, "shadow_config.ini", "shadow")
    config = build(parse(data, "global_config.ini"), shadow_file)
    return Copy(host, key, config, shadow_data)


def one_option(section: str, option: str, value: str | None) -> str:
    line = "" if value is None else f"{option}: {value}\n"
    return f"[{section}]\n{line}"


@pytest.mark.parametrize(
    ("section", "option", "base", "value", "kind"),
    [
        ("CLIENT", "drop_caches", "True", "true", "cosmetic"),
        ("CLIENT", "drop_caches", "False", "false", "cosmetic"),
        ("CLIENT", "drop_caches", "False", "no", "drifted"),
        # Autotest reads every value but "false" as True.
        ("CLIENT", "drop_caches", "True", "no", "cosmetic"),
        ("AUTOSERV", "client_autodir_paths", "/a,/b", "/a, /b", "cosmetic"),
        ("AUTOSERV", "client_autodir_paths", "/a,/b", "/b,/a", "drifted"),
        ("SCHEDULER", "drones", "d1,d2", "d1 , d2", "cosmetic"),
        ("SCHEDULER", "max_processes_per_drone", "1000", "100", "drifted"),
        ("SCHEDULER", "max_processes_per_drone", "1000", "01000", "cosmetic"),
        ("SCHEDULER", "max_processes_per_drone", "ten", "ten", "same"),
        ("SCHEDULER", "max_processes_per_drone", "ten", "10", "drifted"),
        ("SERVER", "crash_collection_hours_to_wait", "4.0", "4", "cosmetic"),
        ("AUTOTEST_WEB", "host", "db1", "DB1", "drifted"),
        ("AUTOTEST_WEB", "no_such_option", "x", "y", "drifted"),
        ("SCHEDULER", "tick_pause_sec", "", None, "cosmetic"),
        ("SCHEDULER", "tick_pause_sec", None, "", "cosmetic"),
        ("SCHEDULER", "tick_pause_sec", "5", None, "missing"),
        ("SCHEDULER", "tick_pause_sec", None, "5", "extra"),
        # A blank value gives the default, as a missing option does.
        ("SCHEDULER", "tick_pause_sec", "5", "", "missing"),
        ("SCHEDULER", "tick_pause_sec", "", "5", "extra"),
        ("AUTOTEST_WEB", "password", "a", "b", "secret"),
        ("AUTOTEST_WEB", "password", "a", None, "secret"),
    ],
)
def test_typed_comparison_table(section, option, base, value, kind):
    reference = make_copy("local", one_option(section, option, base))
    copy = make_copy("d1", one_option(section, option, value))
    drift = compare(reference, [copy], SCHEMA)
    kinds = [g.kind for o in drift.options for g in o.groups]
    assert kinds == ([] if kind == "same" else [kind])
    assert drift.identical == (("d1",) if kind == "same" else ())


def test_finding_codes_and_severities():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\ndrop: 1\n")
    copy = make_copy("d1", "[SCHEDULER]\ntick_pause_sec: 6\nextra_thing: 1\n")
    found = {
        (f.code, f.severity.label, f.option)
        for f in compare(reference, [copy], SCHEMA).findings
    }
    assert found == {
        ("D401", "error", "tick_pause_sec"),
        # Options the schema does not know are never read by Autotest.
        ("D403", "warning", "drop"),
        ("D404", "warning", "extra_thing"),
    }


def test_missing_schema_option_is_error():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copy = make_copy("d1", "[SCHEDULER]\n")
    (finding,) = compare(reference, [copy], SCHEMA).findings
    assert finding.code == "D403"
    assert finding.severity.label == "error"
    assert finding.message == (
        "[SCHEDULER] tick_pause_sec is not set here; the local reference sets it to '5'"
    )
    assert finding.host == "d1"


def test_blank_value_messages():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\ndrones:\n")
    copy = make_copy("d1", "[SCHEDULER]\ntick_pause_sec:\ndrones: d1\n")
    messages = [f.message for f in compare(reference, [copy], SCHEMA).findings]
    assert messages == [
        "[SCHEDULER] tick_pause_sec is blank here; the local reference sets it to '5'",
        "[SCHEDULER] drones is set here to 'd1'; the local reference leaves it blank",
    ]


def test_drifted_value_message():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copy = make_copy("d1", "[SCHEDULER]\ntick_pause_sec: 6\n")
    (finding,) = compare(reference, [copy], SCHEMA).findings
    assert finding.message == (
        "[SCHEDULER] tick_pause_sec is '6' here and '5' in the local reference"
    )
    assert finding.section == "SCHEDULER"
    assert finding.option == "tick_pause_sec"


def test_groups_by_option_then_value():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copies = [
        make_copy("d1", "[SCHEDULER]\ntick_pause_sec: 6\n"),
        make_copy("d2", "[SCHEDULER]\ntick_pause_sec: 5\n"),
        make_copy("d3", "[SCHEDULER]\ntick_pause_sec: 7\n"),
        make_copy("d4", "[SCHEDULER]\ntick_pause_sec: 6\n"),
    ]
    drift = compare(reference, copies, SCHEMA)
    (option,) = drift.options
    assert (option.section, option.option, option.baseline) == (
        "SCHEDULER",
        "tick_pause_sec",
        "5",
    )
    assert [(g.value, g.hosts) for g in option.groups] == [
        ("6", ("d1", "d4")),
        ("7", ("d3",)),
    ]
    assert drift.identical == ("d2",)
    assert drift.hosts == ("d1", "d2", "d3", "d4")


def test_majority_baseline_wins_over_reference():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    values = {"d1": "6", "d2": "6", "d3": "5", "d4": "06"}
    copies = [
        make_copy(h, f"[SCHEDULER]\ntick_pause_sec: {v}\n") for h, v in values.items()
    ]
    drift = compare(reference, copies, SCHEMA, baseline="majority")
    (option,) = drift.options
    # 6 and 06 are the same int: three copies against one.
    assert option.baseline == "6"
    assert [(g.kind, g.value, g.hosts) for g in option.groups] == [
        ("drifted", "5", ("d3",)),
        ("cosmetic", "06", ("d4",)),
    ]
    assert "in the majority baseline" in drift.host_findings("d3")[0].message


def test_majority_tie_goes_to_reference():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copies = [
        make_copy("d1", "[SCHEDULER]\ntick_pause_sec: 6\n"),
        make_copy("d2", "[SCHEDULER]\ntick_pause_sec: 5\n"),
    ]
    drift = compare(reference, copies, SCHEMA, baseline="majority")
    assert drift.options[0].baseline == "5"
    assert drift.identical == ("d2",)


def test_majority_tie_without_reference_goes_to_first_host():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copies = [
        make_copy("d1", "[SCHEDULER]\ntick_pause_sec: 7\n"),
        make_copy("d2", "[SCHEDULER]\ntick_pause_sec: 6\n"),
    ]
    drift = compare(reference, copies, SCHEMA, baseline="majority")
    assert drift.options[0].baseline == "7"
    assert drift.identical == ("d1",)


def test_majority_absent_option_is_baseline():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copies = [make_copy(h, "[SCHEDULER]\n") for h in ("d1", "d2")]
    drift = compare(reference, copies, SCHEMA, baseline="majority")
    assert drift.options == ()
    assert drift.identical == ("d1", "d2")


def test_missing_section():
    reference = make_copy(
        "local", "[SCHEDULER]\ntick_pause_sec: 5\n[EMAIL]\nsmtp_server: m\n"
    )
    copy = make_copy("d1", "[SCHEDULER]\ntick_pause_sec: 5\n")
    drift = compare(reference, [copy], SCHEMA)
    assert [(g.code, g.section, g.hosts) for g in drift.sections] == [
        ("D405", "EMAIL", ("d1",))
    ]
    assert drift.options == ()


def test_shadow_missing_extra_and_different():
    text = "[AUTOTEST_WEB]\nuser: autotest\n"
    reference = make_copy("local", text, "[AUTOTEST_WEB]\npassword: a\n")
    copies = [
        make_copy("d1", text),
        make_copy("d2", text, "[AUTOTEST_WEB]\npassword: a\n# note\n"),
        make_copy("d3", text, "[AUTOTEST_WEB]\npassword: a\n"),
    ]
    drift = compare(reference, copies, SCHEMA)
    assert [(g.code, g.kind, g.hosts) for g in drift.shadow] == [
        ("D406", "missing", ("d1",)),
        ("D407", "drifted", ("d2",)),
    ]
    assert drift.identical == ("d3",)
    # d1 lacks the password the shadow file sets.
    assert [f.code for f in drift.host_findings("d1")] == ["D406", "D408"]


def test_shadow_extra_on_host():
    text = "[AUTOTEST_WEB]\nuser: autotest\n"
    reference = make_copy("local", text)
    copy = make_copy("d1", text, "[AUTOTEST_WEB]\nuser: autotest\n")
    drift = compare(reference, [copy], SCHEMA)
    assert [(g.code, g.kind) for g in drift.shadow] == [("D406", "extra")]


def test_unreadable_and_missing_copies():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copies = [
        make_copy("d1", " [SCHEDULER]\ntick_pause_sec: 5\n"),
        make_copy("d2", None),
        make_copy("d3", "[SCHEDULER]\ntick_pause_sec: 5\n", " bad\n"),
    ]
    drift = compare(reference, copies, SCHEMA)
    assert drift.unreadable == ("d1", "d2", "d3")
    messages = [drift.host_findings(h)[0].message for h in ("d1", "d2", "d3")]
    assert messages == [
        "Autotest cannot read this copy: global_config.ini line 1 is rejected",
        "global_config.ini is missing on this host",
        "Autotest cannot read this copy: shadow_config.ini line 1 is rejected",
    ]
    assert all(f.code == "D409" for f in drift.findings)


def test_secret_value_never_in_result():
    reference = make_copy("local", "[AUTOTEST_WEB]\npassword: base-secret\n")
    copies = [
        make_copy("d1", f"[AUTOTEST_WEB]\npassword: {SECRET}\n"),
        make_copy("d2", f"[AUTOTEST_WEB]\npassword: {SECRET}\nsmtp_password: x\n"),
    ]
    drift = compare(reference, copies, SCHEMA)
    text = repr(drift)
    assert SECRET not in text
    assert "base-secret" not in text
    (option,) = [o for o in drift.options if o.option == "password"]
    assert option.secret is True
    assert option.baseline is None
    assert [(g.kind, g.value) for g in option.groups] == [("secret", None)]


def test_secret_in_unreadable_line_not_shown():
    reference = make_copy("local", "[AUTOTEST_WEB]\npassword: a\n")
    copy = make_copy("d1", f"[AUTOTEST_WEB]\n  password: {SECRET}\n")
    drift = compare(reference, [copy], SCHEMA)
    assert SECRET not in repr(drift)


def test_equal_copies_share_findings():
    reference = make_copy("local", "[SCHEDULER]\ntick_pause_sec: 5\n")
    copies = [make_copy(h, "[SCHEDULER]\ntick_pause_sec: 9\n") for h in ("d1", "d2")]
    drift = compare(reference, copies, SCHEMA)
    first, second = drift.host_findings("d1"), drift.host_findings("d2")
    assert [f.message for f in first] == [f.message for f in second]
    assert [f.host for f in second] == ["d2"]


def test_unknown_baseline_rejected():
    reference = make_copy("local", "[S]\n")
    with pytest.raises(ValueError, match="unknown baseline 'median'"):
        compare(reference, [], SCHEMA, baseline="median")


def test_majority_keeps_blank_values():
    reference = make_copy("local", "[SCHEDULER]\n")
    copies = [
        make_copy("d1", "[SCHEDULER]\ntick_pause_sec:\n"),
        make_copy("d2", "[SCHEDULER]\ntick_pause_sec:\n"),
        make_copy("d3", "[SCHEDULER]\n"),
    ]
    drift = compare(reference, copies, SCHEMA, baseline="majority")
    assert drift.identical == ("d1", "d2")
    (option,) = drift.options
    assert option.baseline == ""
    assert [(g.kind, g.value, g.hosts) for g in option.groups] == [
        ("cosmetic", None, ("d3",))
    ]
