"""A small run of bench/compare.py, and checks of its summary arithmetic.

The full comparison takes minutes and is run by hand.  This runs the
same script on a fleet of three hosts with one repetition, so a change
that breaks the benchmark shows in CI.  Peers that are not installed
(clush, ansible) are skipped by the script, which records why.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sshfleet

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import fleet
import summary

needs_fleet = pytest.mark.skipif(
    bool(sshfleet.missing_setup()), reason="; ".join(sshfleet.missing_setup())
)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                if text.encode() in cmdline.read():
                    found.append(int(name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory) -> dict:
    """Run the comparison on 3 clean hosts and on 4 with two misbehaving."""
    root = tmp_path_factory.mktemp("bench")
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    env.update(HOME=str(home), NO_COLOR="1")
    command = [
        sys.executable, str(BENCH / "compare.py"), "--sizes", "3", "--repeat", "1",
        "--degraded-size", "4", "--connect-timeout", "1",
        "--slow-auth-seconds", "0.3", "--idle-seconds", "0.05",
        "--results", str(root / "results"), "--plot", str(root / "wall.png"),
        "--table", str(root / "table.rst"),
    ]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    (result_file,) = (root / "results").glob("compare-*.json")
    return {
        "done": done,
        "root": root,
        "result": json.loads(result_file.read_text()),
    }


@needs_fleet
def test_smoke_exits_zero(smoke_run):
    done = smoke_run["done"]
    assert done.returncode == 0, done.stderr[-2000:]


@needs_fleet
def test_smoke_gcheck_paths_fetch_every_host(smoke_run):
    runs = smoke_run["result"]["runs"]
    for scenario, hosts, expected in (("clean", 3, 3), ("degraded", 4, 3)):
        for tool in ("gcheck", "fetch"):
            (run,) = [
                r
                for r in runs
                if (r["scenario"], r["hosts"], r["tool"]) == (scenario, hosts, tool)
            ]
            assert run["expected_ok"] == expected
            assert run["hosts_ok"] == expected, (scenario, tool)
            assert run["timed_out"] is False
            assert run["leftover_processes"] == 0
            assert run["wall_seconds"] > 0
            assert run["client_cpu_seconds"] > 0
            assert run["max_rss_kib"] > 1024


@needs_fleet
def test_smoke_gcheck_exit_codes(smoke_run):
    exits = {
        (r["scenario"], r["tool"]): r["exit_code"]
        for r in smoke_run["result"]["runs"]
        if r["tool"] in ("gcheck", "fetch")
    }
    # A clean fleet is ready to restart; an unreachable host is a failure.
    assert exits[("clean", "gcheck")] == 0
    assert exits[("clean", "fetch")] == 0
    assert exits[("degraded", "gcheck")] == 1
    assert exits[("degraded", "fetch")] == 1


@needs_fleet
def test_smoke_records_skipped_peers(smoke_run):
    result = smoke_run["result"]
    ran = {r["tool"] for r in result["runs"] if r["scenario"] == "clean"}
    for peer in ("clush", "clush-x25519", "ssh-loop", "ansible"):
        if peer in result["skipped"]:
            assert "not installed" in result["skipped"][peer]
            assert peer not in ran
        else:
            assert peer in ran
    for run in result["runs"]:
        if run["tool"] in ("clush", "clush-x25519", "ssh-loop", "ansible"):
            assert run["hosts_ok"] == run["expected_ok"], run["tool"]


@needs_fleet
def test_smoke_writes_table(smoke_run):
    table = (smoke_run["root"] / "table.rst").read_text()
    assert ".. list-table::" in table
    assert "gcheck check" in table
    assert "degraded" in table


@needs_fleet
def test_smoke_plots_when_matplotlib_present(smoke_run):
    plot = smoke_run["root"] / "wall.png"
    if importlib.util.find_spec("matplotlib") is None:
        # matplotlib is a bench extra: without it the run logs a warning and goes on.
        assert not plot.exists()
        assert "matplotlib is not installed" in smoke_run["done"].stderr
    else:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_fleet
def test_smoke_leaves_no_server_running(smoke_run):
    assert _processes_mentioning(str(smoke_run["root"])) == []


def test_spread_places_bad_hosts_evenly():
    names = fleet.host_names(100)
    kinds = fleet.spread(names, never_answer=5, slow_auth=2)
    silent = [n for n, k in kinds.items() if k == "silent"]
    slow = [n for n, k in kinds.items() if k == "slow-auth"]
    assert silent == ["drone008", "drone022", "drone036", "drone051", "drone065"]
    assert slow == ["drone079", "drone093"]
    assert list(kinds.values()).count("ok") == 93


def _run(tool: str, repetition: int, wall: float, hosts: int = 200) -> dict:
    return {
        "scenario": "clean",
        "hosts": hosts,
        "tool": tool,
        "repetition": repetition,
        "hosts_ok": hosts,
        "expected_ok": hosts,
        "wall_seconds": wall,
        "client_cpu_seconds": 2.0,
        "machine_cpu_seconds": 5.0,
        "max_rss_kib": 50 * 1024,
        "tree_rss_peak_kib": 60 * 1024,
    }


def test_summary_ratio_pairs_repetitions():
    runs = [
        _run("gcheck", 0, 2.0),
        _run("clush", 0, 10.0),
        _run("gcheck", 1, 4.0),
        _run("clush", 1, 8.0),
        _run("gcheck", 2, 3.0),
        _run("clush", 2, 9.0),
    ]
    rows = summary.summarise(runs)
    clush = summary.find(rows, "clean", 200, "clush")
    gcheck = summary.find(rows, "clean", 200, "gcheck")
    # Ratios 5, 2 and 3 from the same repetitions; their median is 3.
    assert clush.ratio_to_gcheck == 3.0
    assert gcheck.ratio_to_gcheck is None
    assert gcheck.wall_median == 3.0
    assert (gcheck.wall_min, gcheck.wall_max) == (2.0, 4.0)
    assert gcheck.client_cpu_ms_per_host == 10.0


def test_targets_invert_peer_ratio():
    runs = [_run("gcheck", 0, 2.0), _run("clush", 0, 10.0), _run("fetch", 0, 1.8)]
    goals = {g.goal: g for g in summary.targets(summary.summarise(runs), 5.0)}
    versus_clush = goals["200 hosts: gcheck check / clush -b"]
    assert versus_clush.measured == pytest.approx(0.2)
    assert versus_clush.met is True
    floor = goals["200 hosts: gcheck check / its fetch alone"]
    assert floor.measured == pytest.approx(2.0 / 1.8)
    assert floor.met is True
    assert goals["50 hosts: gcheck check / ansible slurp"].met is None
    assert goals["degraded 200 hosts: wall time"].measured is None


def test_validate_speed_script_runs_once():
    script = Path(__file__).resolve().parent.parent / "bench" / "validate_speed.py"
    result = subprocess.run(
        [sys.executable, str(script), "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "SSH libraries imported by validate: none" in result.stdout
    assert "gcheck validate" in result.stdout
