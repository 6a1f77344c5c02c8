"""Fetch every host's files with gcheck's fetch layer alone, and nothing else.

This is the floor under ``gcheck check``: it loads the config and builds
the host list as the check does, then calls ``fetch_all`` with the same
options, but skips validation, drift and the report.  It prints one JSON
object: how many hosts were fetched, how many failed with which finding
code, and the seconds.

    python bench/fetch_floor.py --config global_config.ini -F ssh_config
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import sys
import time


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="global_config.ini to read")
    parser.add_argument("-F", "--ssh-config", help="OpenSSH client config")
    parser.add_argument("--scheduler-user", help="login for hosts without one")
    parser.add_argument("--workers", type=int, help="hosts fetched at once")
    parser.add_argument(
        "--connect-timeout",
        type=float,
        help="time limit for the TCP connect and, separately, the SSH handshake, "
        "in seconds",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Fetch from every host the config names; return 0, or 1 if any failed."""
    args = _parser().parse_args(argv)
    started = time.monotonic()
    from gcheck import inventory, load
    from gcheck.fetch import FetchOptions, fetch_all

    config = load.load(args.config)
    hosts = inventory.build(
        config, scheduler_user=args.scheduler_user, ssh_config=args.ssh_config
    )
    limits = {"workers": args.workers, "connect_timeout": args.connect_timeout}
    options = FetchOptions(**{k: v for k, v in limits.items() if v is not None})
    enabled = [host for host in hosts if not host.disabled]
    results = fetch_all(enabled, options)
    ok = sum(result.ok for result in results)
    failures = collections.Counter(
        result.failure.code for result in results if result.failure is not None
    )
    report = {
        "ok": ok,
        "failed": len(results) - ok,
        "failure_codes": dict(failures),
        "seconds": round(time.monotonic() - started, 3),
    }
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0 if ok == len(results) else 1


if __name__ == "__main__":
    status = main()
    # As gcheck's own entry point does, skip the collection passes of the
    # interpreter's shutdown, so that the floor ends the same way.
    gc.freeze()
    sys.exit(status)
