"""Time ``gcheck validate`` as a whole process, as a pre-commit hook runs it.

Each repetition runs, in rotating order: ``gcheck validate FILE``, a bare
interpreter start (``python -c pass``, the floor any Python tool pays), and
Python 2.7's ConfigParser reading the same file when ``python2.7`` is
installed (what Autotest itself pays to read it).  It prints the median and
spread of each, gcheck's ratio to each baseline from the same repetitions,
the 0.3 s target, and whether ``python -X importtime`` shows an SSH library
on the validate path.

    python bench/validate_speed.py [--repeat 21] [FILE]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tools import TOOLS, compile_gcheck

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "tests" / "data" / "autotest" / "global_config.ini"
PYTHON2 = "/root/.pyenv/versions/2.7.18/bin/python2.7"
TARGET_SECONDS = 0.3
SSH_MODULES = ("paramiko", "fabric", "invoke")


def commands(path: str) -> dict[str, list[str]]:
    """Return the command of each contender, keyed by its label."""
    runs = {
        "gcheck validate": [sys.executable, "-m", "gcheck", "validate", path],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    python2 = PYTHON2 if Path(PYTHON2).exists() else shutil.which("python2.7")
    if python2:
        read = "import ConfigParser, sys; ConfigParser.ConfigParser().read(sys.argv[1])"
        runs["python2.7 ConfigParser"] = [python2, "-c", read, path]
    return runs


def time_once(argv: list[str]) -> float:
    """Return the wall time of one run of ``argv``, in seconds."""
    started = time.perf_counter()
    subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def measure(runs: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Run every contender ``repeat`` times, rotating the order each time."""
    labels = list(runs)
    times: dict[str, list[float]] = {label: [] for label in labels}
    for number in range(repeat):
        shift = number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            times[label].append(time_once(runs[label]))
    return times


def ssh_imports(path: str) -> list[str]:
    """Return the SSH modules that ``gcheck validate`` imports, if any."""
    argv = [sys.executable, "-X", "importtime", "-m", "gcheck", "validate", path]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    found = set()
    for line in result.stderr.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        if name.split(".")[0] in SSH_MODULES:
            found.add(name.split(".")[0])
    return sorted(found)


def report(times: dict[str, list[float]], path: str) -> None:
    """Print the table, the ratios and the verdicts."""
    gcheck = times["gcheck validate"]
    print(f"file: {path}; {len(gcheck)} repetitions\n")
    print(f"{'command':26} {'median s':>9} {'min s':>7} {'max s':>7} {'gcheck /':>9}")
    for label, samples in times.items():
        ratios = [g / s for g, s in zip(gcheck, samples, strict=True)]
        print(
            f"{label:26} {statistics.median(samples):9.3f} {min(samples):7.3f} "
            f"{max(samples):7.3f} {statistics.median(ratios):8.2f}x"
        )
    median = statistics.median(gcheck)
    verdict = "met" if median < TARGET_SECONDS else "NOT met"
    print(f"\ntarget: median under {TARGET_SECONDS} s: {median:.3f} s, {verdict}")
    imported = ssh_imports(path)
    print("SSH libraries imported by validate:", ", ".join(imported) or "none")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default=str(SHIPPED))
    parser.add_argument("--repeat", type=int, default=21, help="runs of each command")
    args = parser.parse_args()
    compile_gcheck([TOOLS["gcheck"]])
    report(measure(commands(args.file), args.repeat), args.file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
