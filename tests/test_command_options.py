"""Options shared by several commands."""

from __future__ import annotations

import dataclasses

import pytest

from gcheck.cli import build_parser, main
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
