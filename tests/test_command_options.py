"""Options shared by several commands."""

from __future__ import annotations

import dataclasses
import gc
import os
import subprocess
import sys

import pytest

from gcheck.cli import build_parser, main, run
from gcheck.commands.check import HELP_DEFAULTS
from gcheck.fetch import FetchOptions


def test_check_help_defaults_match_fetch_options():
    defaults = {f.name: f.default for f in dataclasses.fields(FetchOptions)}
    for name, shown in HELP_DEFAULTS.items():
        assert defaults[name] == shown, name


@pytest.mark.parametrize("command", ["check", "hosts"])
def test_only_is_parsed_into_inventory_arguments(command):
    from gcheck.commands.options import inventory_arguments

    args = build_parser().parse_args(
        [command, "--only", "drone1, drone2", "--hosts", "extra1"]
    )
    chosen = inventory_arguments(args)
    assert chosen["only"] == ["drone1", "drone2"]
    assert chosen["add"] == ("extra1",)


def test_hosts_only_rejects_unknown_host(data_dir, capsys):
    config = str(data_dir / "global_config.ini")
    code = main(["hosts", "--config", config, "--only", "drone9"])
    err = capsys.readouterr().err
    assert code == 2
    assert "host 'drone9' is not a drone" in err


def test_hosts_only_keeps_named_host(data_dir, capsys):
    config = str(data_dir / "global_config.ini")
    code = main(
        ["hosts", "--config", config, "--only", "localhost", "--format", "json"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert '"name": "localhost"' in out


def test_positive_number_option_rejects_zero(capsys):
    code = main(["check", "--workers", "0"])
    assert code == 2
    assert "must be more than 0: '0'" in capsys.readouterr().err


@pytest.mark.parametrize("only", ["", ",", " , "])
def test_only_naming_no_host_is_an_error(data_dir, capsys, only):
    config = str(data_dir / "global_config.ini")
    code = main(["check", "--config", config, "--only", only])
    err = capsys.readouterr().err
    assert code == 2
    assert "names no host" in err


def test_empty_scheduler_user_is_rejected(capsys):
    code = main(["hosts", "--scheduler-user", ""])
    assert code == 2
    assert "must be a user name, not empty" in capsys.readouterr().err


def test_debug_after_command_turns_debugging_on():
    args = build_parser().parse_args(["validate", "x.ini", "--debug"])
    assert args.debug is True


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("0", False), ("", False)]
)
def test_debug_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv("GCHECK_DEBUG", value)
    args = build_parser().parse_args(["validate", "x.ini"])
    assert args.debug is expected


def test_closed_stdout_exits_with_sigpipe_status(monkeypatch, capsys):
    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", buffering=1) as closed_pipe, capsys.disabled():
        monkeypatch.setattr(sys, "stdout", closed_pipe)
        code = main(["explain", "--list"])
        monkeypatch.undo()
    assert code == 141


def test_run_exits_with_command_status(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["gcheck", "explain", "NO-SUCH-CODE"])
    try:
        with pytest.raises(SystemExit) as stop:
            run()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert stop.value.code == 2
    assert frozen > 0


def test_module_run_writes_output_and_status():
    done = subprocess.run(
        [sys.executable, "-m", "gcheck", "explain", "H304"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("H304")


def test_full_output_exits_2_with_message(data_dir, capsys, monkeypatch):
    argv = [
        "hosts",
        "--format",
        "json",
        "--config",
        str(data_dir / "global_config.ini"),
    ]
    with open("/dev/full", "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        code = main([*argv, "-F", "/dev/null"])
        monkeypatch.undo()
    assert code == 2
    assert capsys.readouterr().err == (
        "gcheck: error: cannot write the output: No space left on device\n"
    )
