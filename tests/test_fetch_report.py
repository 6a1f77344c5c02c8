"""Fetch timings in the text report of ``gcheck check``, against a real sshd."""

from __future__ import annotations

import re

from test_fetch_hostkeys import run_check, write_reference


def test_tiny_slow_auth_limit_shows_digits(start_fleet, tmp_path):
    fleet = start_fleet({"drone01": "ok"})
    argv = [
        "check",
        "--config",
        str(write_reference(tmp_path)),
        "-F",
        str(fleet.ssh_config),
        "--scheduler-user",
        fleet.login,
        "--slow-auth",
        "0.001",
    ]
    _, out = run_check(argv)
    [header] = [line for line in out.splitlines() if "Slow authentication" in line]
    assert "over 0.001 s" in header
    assert re.search(r"fleet median of 0\.\d{4} s$", header)
    assert "median of 0.00 s" not in header
