"""The overlay's bookkeeping: where each effective value came from, and why
Autotest would stop."""

from __future__ import annotations

from gcheck import config, reader
from gcheck.interpolation import Lookup


def build(data: bytes, shadow: bytes | None = None) -> config.Config:
    global_file = reader.parse(data, "global_config.ini")
    shadow_file = None
    if shadow is not None:
        shadow_file = reader.parse(shadow, "shadow_config.ini", role="shadow")
    return config.build(global_file, shadow_file)


def test_setting_from_global_line():
    merged = build(b"[s]\n\na = 1\n  two\n")
    setting = merged.setting("s", "A")
    assert setting.raw == "1\ntwo"
    assert setting.source == "global"
    assert setting.origin.path == "global_config.ini"
    assert setting.origin.line == 3
    assert setting.origin.end_line == 4
    assert setting.origin.col == 5
    assert setting.inherited is False


def test_setting_from_shadow_line():
    merged = build(b"[s]\na = 1\n", b"[s]\n# x\na = 2\n")
    setting = merged.setting("s", "a")
    assert setting.raw == "2"
    assert setting.source == "shadow"
    assert setting.origin.path == "shadow_config.ini"
    assert setting.origin.line == 3


def test_shadow_default_marked_inherited():
    merged = build(b"[s]\n", b"[DEFAULT]\nd = 0\n[s]\n")
    setting = merged.setting("s", "d")
    assert setting.inherited is True
    assert setting.source == "shadow"
    assert setting.section == "s"
    assert merged.defaults == {}


def test_global_default_reaches_section():
    merged = build(b"[DEFAULT]\nd = 0\n[s]\n")
    setting = merged.setting("s", "d")
    assert setting.section == "DEFAULT"
    assert merged.setting("missing", "d") is None
    assert merged.setting("DEFAULT", "d") is setting


def test_shadow_value_stored_interpolated():
    merged = build(b"[s]\n", b"[s]\nroot = /x\nbin = %(root)s/bin\n")
    setting = merged.setting("s", "bin")
    assert setting.raw == "/x/bin"
    assert setting.origin.value == "%(root)s/bin"


def test_get_error_kinds():
    merged = build(b"[s]\na = %(nope)s\nb = %(b)s\nc = 5% of %(a)s\n")
    assert merged.get("s", "a") == Lookup(None, "missing", "nope")
    assert merged.get("s", "b") == Lookup(None, "depth")
    assert merged.get("s", "c").error == "crash"
    assert merged.get("s", "zzz") == Lookup(None, "no-option")
    assert merged.get("t", "a") == Lookup(None, "no-section")


def test_get_default_section_has_no_name():
    merged = build(b"[DEFAULT]\nn = %(__name__)s\n[s]\n")
    assert merged.get("s", "n").value == "s"
    assert merged.get("DEFAULT", "n") == Lookup(None, "missing", "__name__")


def test_options_order_and_name_hidden():
    merged = build(b"[DEFAULT]\nz = 0\na = 0\n[s]\n__name__ = x\nb = 1\na = 1\n")
    assert list(merged.options("s")) == ["b", "a", "z"]
    assert merged.options("s")["a"].raw == "1"


def test_merge_failure_names_section():
    merged = build(b"[s]\n[t]\n", b"[DEFAULT]\nd = %(x)s\n[s]\nx = 1\n[t]\n")
    assert len(merged.merge_failures) == 1
    failure = merged.merge_failures[0]
    assert failure.section == "t"
    assert failure.assignment.section == "DEFAULT"
    assert failure.assignment.line == 2
    assert failure.lookup == Lookup(None, "missing", "x")
    assert merged.setting("s", "d").raw == "1"
    assert merged.starts is False


def test_merge_failures_all_kept():
    merged = build(b"[s]\n", b"[s]\na = %(g)s\nb = %(h)s\n")
    assert [f.assignment.option for f in merged.merge_failures] == ["a", "b"]
    assert merged.setting("s", "a") is None


def test_rejected_shadow_section():
    merged = build(b"[s]\n", b"[s]\na = 1\n[Default]\nb = 2\n")
    assert [(h.name, h.line) for h in merged.rejected_sections] == [("Default", 3)]
    assert "Default" not in merged.sections
    assert merged.starts is False


def test_starts_false_on_parse_errors():
    assert build(b"[s]\n x\n").starts is False
    assert build(b"[s]\n", b"junk\n").starts is False
    assert build(b"[s]\n", b"[s]\na = 1\n").starts is True


def test_shadow_with_parse_error_not_merged():
    merged = build(b"[s]\na = 1\n", b"[s]\na = 2\nbad\n")
    assert merged.setting("s", "a").raw == "1"
    assert merged.shadow_file.fatal is True


def test_option_lookup_ascii_lowercase_only():
    merged = build(b"[s]\n\xc3\x84B = 1\n")
    assert merged.get("s", "\xc4B").value == "1"
    assert merged.get("s", "\xe4b").error == "no-option"
