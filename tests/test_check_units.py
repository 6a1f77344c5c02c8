"""Parts of ``gcheck check`` that need no network: verdict and --save."""

from __future__ import annotations

import os

import pytest

from gcheck.check import HostReport, decide, digest
from gcheck.errors import InputError
from gcheck.findings import Finding, Severity
from gcheck.inventory import Host
from gcheck.save import SaveTargets, folder_name, write_atomic


def host(name: str, disabled: bool = False) -> Host:
    return Host(
        name=name,
        roles=("drone",),
        login="autotest",
        login_source="config",
        install_dir="/usr/local/autotest",
        config_path="/usr/local/autotest/global_config.ini",
        shadow_path="/usr/local/autotest/shadow_config.ini",
        disabled=disabled,
        local=False,
        hostname=name,
        port=22,
        identity_files=(),
        proxy_jump=None,
        known_hosts_files=(),
    )


def finding(code: str, severity: Severity, name: str | None = None) -> Finding:
    return Finding(code, severity, f"{code} message", host=name)


def test_verdict_ready_counts_hosts():
    reports = [
        HostReport(host("d1"), "identical"),
        HostReport(host("d2"), "cosmetic", drift=(finding("D402", Severity.INFO),)),
        HostReport(host("d3", disabled=True), "disabled"),
    ]
    verdict = decide([], reports, "error")
    assert verdict.ready is True
    assert verdict.exit_code == 0
    assert verdict.sentence == (
        "Ready to restart: 2 hosts match the local reference (1 only cosmetically); "
        "1 host disabled."
    )


def test_verdict_not_ready_names_each_cause():
    reports = [
        HostReport(host("d1"), "drifted", drift=(finding("D401", Severity.ERROR),)),
        HostReport(host("d2"), "drifted", drift=(finding("D408", Severity.ERROR),)),
        HostReport(host("d3"), "identical", slow=finding("H304", Severity.ERROR)),
        HostReport(
            host("d4"), "identical", findings=(finding("V101", Severity.ERROR),)
        ),
    ]
    reference = [finding("V201", Severity.ERROR)]
    verdict = decide(reference, reports, "error")
    assert verdict.ready is False
    assert verdict.exit_code == 1
    assert verdict.sentence == (
        "Not ready to restart: the local reference has 1 validation error, "
        "2 hosts drift from the local reference, "
        "1 host has a copy with a validation error, 1 host authenticates slowly."
    )


def test_verdict_fail_on_warning():
    reports = [
        HostReport(host("d1"), "drifted", drift=(finding("D404", Severity.WARNING),))
    ]
    assert decide([], reports, "error").ready is True
    verdict = decide([], reports, "warning", baseline="majority")
    assert verdict.exit_code == 1
    assert verdict.sentence == (
        "Not ready to restart: 1 host drifts from the majority baseline."
    )


def test_verdict_fail_on_never_keeps_exit_zero():
    reports = [
        HostReport(host("d1"), "drifted", drift=(finding("D401", Severity.ERROR),))
    ]
    verdict = decide([], reports, "never")
    assert verdict.exit_code == 0
    assert verdict.ready is False


def test_verdict_without_hosts():
    verdict = decide([], [], "error")
    assert verdict.sentence == (
        "Ready to restart: the local reference is valid and no host was fetched."
    )


def test_digest_separates_files():
    assert digest(b"ab", b"c") != digest(b"a", b"bc")
    assert digest(b"a", None) != digest(b"a", b"")
    assert digest(None, b"a") != digest(b"a", None)


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("drone01", "drone01"),
        ("127.0.5.1", "127.0.5.1"),
        ("..", "host-"),
        ("../etc", "_etc-"),
        ("a/b", "a_b-"),
        ("", "host-"),
        ("::1", "__1-"),
    ],
)
def test_folder_name_stays_inside(name, folder):
    result = folder_name(name)
    assert result.startswith(folder)
    assert "/" not in result
    assert result not in ("", ".", "..")


def test_folder_names_distinct_after_replacement():
    assert folder_name("a b") != folder_name("a_b")
    assert folder_name("a b") != folder_name("a/b")


def test_save_writes_and_removes_stale_shadow(tmp_path):
    targets = SaveTargets(str(tmp_path / "saved"), ["d1"], [])
    targets.save("d1", {"global_config.ini": b"[A]\n", "shadow_config.ini": b"[B]\n"})
    folder = tmp_path / "saved" / "d1"
    assert (folder / "global_config.ini").read_bytes() == b"[A]\n"
    assert (folder / "shadow_config.ini").read_bytes() == b"[B]\n"
    targets.save("d1", {"global_config.ini": b"[C]\n", "shadow_config.ini": None})
    assert (folder / "global_config.ini").read_bytes() == b"[C]\n"
    assert not (folder / "shadow_config.ini").exists()
    assert sorted(os.listdir(folder)) == ["global_config.ini"]


def test_save_refuses_reference_path(tmp_path):
    reference = tmp_path / "autotest" / "global_config.ini"
    reference.parent.mkdir()
    reference.write_bytes(b"[A]\n")
    with pytest.raises(InputError, match="would overwrite"):
        SaveTargets(str(tmp_path), ["autotest"], [str(reference)])
    assert reference.read_bytes() == b"[A]\n"


def test_save_folder_not_creatable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="failed to create the save folder"):
        SaveTargets(str(blocker / "sub"), ["d1"], [])


def test_write_atomic_leaves_no_temporary(tmp_path):
    path = tmp_path / "f.ini"
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        write_atomic("f.ini", b"one", folder)
        write_atomic("f.ini", b"two", folder)
    finally:
        os.close(folder)
    assert path.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["f.ini"]


def test_save_refuses_symlinked_host_folder(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "global_config.ini").write_bytes(b"keep me")
    root = tmp_path / "save"
    root.mkdir()
    (root / "drone01").symlink_to(victim)
    targets = SaveTargets(str(root), ["drone01"], [])
    with pytest.raises(InputError, match="symbolic link"):
        targets.save("drone01", {"global_config.ini": b"fetched"})
    assert (victim / "global_config.ini").read_bytes() == b"keep me"


def test_save_replaces_symlinked_file_not_its_target(tmp_path):
    victim = tmp_path / "victim.ini"
    victim.write_bytes(b"keep me")
    root = tmp_path / "save"
    (root / "drone01").mkdir(parents=True)
    (root / "drone01" / "global_config.ini").symlink_to(victim)
    targets = SaveTargets(str(root), ["drone01"], [])
    targets.save(
        "drone01", {"global_config.ini": b"fetched", "shadow_config.ini": None}
    )
    saved = root / "drone01" / "global_config.ini"
    assert not saved.is_symlink()
    assert saved.read_bytes() == b"fetched"
    assert victim.read_bytes() == b"keep me"
    assert oct(saved.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("limit", "digits"), [(1.0, 2), (0.5, 2), (0.01, 3), (0.001, 4), (30.0, 2)]
)
def test_time_decimals_show_one_digit_past_limit(limit, digits):
    from gcheck.check import time_decimals

    assert time_decimals(limit) == digits
