"""Measure how gcheck's fetch scales: wall time and client memory, 50 vs 200 hosts.

Starts fleets of real sshd hosts with the tests' harness (tests/sshfleet.py,
so it needs root and the setup listed there) and fetches every host once
per measurement.  Each fetch runs in a fresh Python process, so that its
peak RSS (``ru_maxrss``) belongs to that fetch alone.  Printed:

- wall time and peak RSS for 50 and 200 hosts, and the ratio of the two
  peaks (a bounded pool keeps memory flat as hosts grow);
- wall time for 200 hosts at several pool sizes (the basis of
  ``gcheck.fetch.DEFAULT_WORKERS``);
- a sequential ``ssh HOST cat FILE`` loop over the first hosts with
  OpenSSH's client, against gcheck on the same hosts.

Run as ``python bench/fetch_scale.py``; it is not a test.  The numbers
depend on the machine: client and servers share its CPUs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import sshfleet  # found through the path added above

SIZES = (50, 200)
WORKER_COUNTS = (4, 8, 16, 32, 64)
SEQUENTIAL_HOSTS = 20
REMOTE_FILE = "/usr/local/autotest/global_config.ini"


def main() -> int:
    """Run the child measurement, or the whole benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    if args.child is not None:
        return _child(args.child)
    problems = sshfleet.missing_setup()
    if problems:
        print("cannot start a fleet: " + "; ".join(problems), file=sys.stderr)
        return 2
    run_all(args.workers)
    return 0


def run_all(workers: int | None) -> None:
    """Start the fleets, take every measurement and print the tables."""
    rows = []
    for size in SIZES:
        with started_fleet(size) as fleet:
            rows.append((size, measure(fleet, workers)))
            if size == max(SIZES):
                sweep = [(count, measure(fleet, count)) for count in WORKER_COUNTS]
                sequential = compare_sequential(fleet, workers)
    print_scale(rows)
    print_sweep(sweep)
    print_sequential(*sequential)


@contextlib.contextmanager
def started_fleet(size: int) -> Iterator[sshfleet.Fleet]:
    """Yield a started fleet of ``size`` working hosts; stop it on exit."""
    fleet = sshfleet.Fleet()
    fleet.add_many("drone", size)
    started = time.monotonic()
    fleet.start(timeout=120)
    try:
        elapsed = time.monotonic() - started
        print(f"started {size} sshd hosts in {elapsed:.1f} s")
        yield fleet
    finally:
        fleet.stop()


def measure(fleet: sshfleet.Fleet, workers: int | None, names=None) -> dict:
    """Fetch ``names`` (default: every host) in a child process; return its report."""
    request = {
        "ssh_config": str(fleet.ssh_config),
        "login": fleet.login,
        "names": list(names or fleet.hosts),
        "workers": workers,
    }
    request_file = fleet.folder / "bench-request.json"
    request_file.write_text(json.dumps(request))
    finished = subprocess.run(
        [sys.executable, __file__, "--child", str(request_file)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(finished.stdout)


def compare_sequential(fleet: sshfleet.Fleet, workers: int | None):
    """Time OpenSSH's ``ssh HOST cat`` host after host, and gcheck on the same hosts."""
    names = list(fleet.hosts)[:SEQUENTIAL_HOSTS]
    started = time.monotonic()
    for name in names:
        subprocess.run(
            ["ssh", "-F", str(fleet.ssh_config), "-l", fleet.login, name,
             "cat", REMOTE_FILE],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
    ssh_wall = time.monotonic() - started
    return names, ssh_wall, measure(fleet, workers, names)


def _child(request_file: Path) -> int:
    """Fetch the requested hosts and print wall time and memory as JSON."""
    request = json.loads(request_file.read_text())
    from gcheck import inventory, reader
    from gcheck.config import build
    from gcheck.fetch import FetchOptions, fetch_all

    text = (
        "[SCHEDULER]\n"
        f"drones: {','.join(request['names'])}\n"
        "drone_installation_directory: /usr/local/autotest\n"
        f"results_host: {request['names'][0]}\n"
    )
    config = build(reader.parse(text.encode(), str(request_file)))
    hosts = inventory.build(
        config, scheduler_user=request["login"], ssh_config=request["ssh_config"]
    )
    options = FetchOptions(deadline=600)
    if request["workers"]:
        options = FetchOptions(workers=request["workers"], deadline=600)
    rss_before = _peak_rss_kib()
    started = time.monotonic()
    results = fetch_all(hosts, options)
    wall = time.monotonic() - started
    report = {
        "wall": wall,
        "ok": sum(1 for r in results if r.ok),
        "hosts": len(results),
        "workers": options.workers,
        "rss_before_kib": rss_before,
        "rss_peak_kib": _peak_rss_kib(),
    }
    print(json.dumps(report))
    return 0


def _peak_rss_kib() -> int:
    # On Linux ru_maxrss is in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def print_scale(rows) -> None:
    print()
    print("Fetch of every host, default pool size")
    header = f"{'hosts':>6} {'ok':>5} {'workers':>8} {'wall s':>8} {'hosts/s':>8}"
    print(header + f" {'RSS before MiB':>15} {'RSS peak MiB':>13}")
    for size, report in rows:
        rate = report["hosts"] / report["wall"]
        print(
            f"{size:>6} {report['ok']:>5} {report['workers']:>8} "
            f"{report['wall']:>8.2f} {rate:>8.1f} "
            f"{report['rss_before_kib'] / 1024:>15.1f} "
            f"{report['rss_peak_kib'] / 1024:>13.1f}"
        )
    (small, first), (large, last) = rows[0], rows[-1]
    memory = last["rss_peak_kib"] / first["rss_peak_kib"]
    time_ratio = last["wall"] / first["wall"]
    print(f"peak RSS ratio {large} vs {small} hosts: {memory:.2f}")
    print(f"wall time ratio {large} vs {small} hosts: {time_ratio:.2f}")


def print_sweep(sweep) -> None:
    print()
    print(f"Fetch of {max(SIZES)} hosts by pool size")
    print(f"{'workers':>8} {'ok':>5} {'wall s':>8} {'hosts/s':>8} {'RSS peak MiB':>13}")
    for count, report in sweep:
        rate = report["hosts"] / report["wall"]
        print(
            f"{count:>8} {report['ok']:>5} {report['wall']:>8.2f} {rate:>8.1f} "
            f"{report['rss_peak_kib'] / 1024:>13.1f}"
        )


def print_sequential(names, ssh_wall: float, report: dict) -> None:
    print()
    print(f"First {len(names)} hosts: sequential 'ssh HOST cat' vs gcheck")
    print(
        f"ssh loop: {ssh_wall:.2f} s ({ssh_wall / len(names) * 1000:.0f} ms per host)"
    )
    print(f"gcheck:   {report['wall']:.2f} s with {report['workers']} workers")
    print(f"wall time ratio ssh loop / gcheck: {ssh_wall / report['wall']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
