"""Profile ``gcheck check`` and the bare fetch on a fleet of real sshd hosts.

py-spy samples every thread while it holds the GIL, which shows where the
client's CPU goes, because the fetch runs in worker threads.  pyinstrument
shows the main thread's wall time, phase by phase.  Each profile is written
under bench/results/ and its busiest functions are printed.

    python bench/profile_gcheck.py --hosts 200
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import fleet
import workspace

from tools import SCRIPTS, TOOLS, compile_gcheck

BENCH = Path(__file__).resolve().parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=200, help="hosts in the fleet")
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=40, help="functions to print")
    parser.add_argument(
        "--results", type=Path, default=BENCH / "results", help="output folder"
    )
    return parser


def _frame(text: str) -> str:
    # py-spy names a frame "function (file:line)"; drop the line so that
    # every line of a function counts as that function.
    return re.sub(r":\d+\)$", ")", text)


def summarise_raw(path: Path, top: int) -> str:
    """Return the functions seen in most samples of a py-spy raw profile.

    "inclusive" counts samples with the function anywhere on the stack,
    "self" those with it on top.
    """
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(frame) for frame in stack.split(";")]
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    lines = [f"{total} samples with the GIL held", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top // 2)]
    return "\n".join(lines) + "\n"


def _py_spy(command: list[str], ws, output: Path, rate: int) -> Path | None:
    py_spy = shutil.which("py-spy") or str(SCRIPTS / "py-spy")
    if not Path(py_spy).exists():
        print("py-spy is not installed (pip install py-spy); skipping it")
        return None
    raw = output.with_suffix(".raw")
    subprocess.run(
        [py_spy, "record", "--gil", "--rate", str(rate), "--format", "raw",
         "--output", str(raw), "--", *command],
        env=ws.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=True, timeout=600,
    )  # fmt: skip
    return raw


def _pyinstrument(command: list[str], ws, output: Path) -> Path | None:
    if command[0] != sys.executable:
        return None
    text = output.with_suffix(".pyinstrument.txt")
    module_or_script = command[1:]
    if module_or_script[0] == "-m":
        module_or_script = module_or_script[1:]
        prefix = ["-m"]
    else:
        prefix = []
    subprocess.run(
        [sys.executable, "-m", "pyinstrument", "--outfile", str(text), *prefix,
         *module_or_script],
        env=ws.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False, timeout=600,
    )  # fmt: skip
    return text if text.exists() else None


def main(argv: list[str] | None = None) -> int:
    """Start a fleet, profile both gcheck paths on it, print the summaries."""
    args = _parser().parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    root = args.results / f"profile-{stamp}"
    compile_gcheck([TOOLS["gcheck"]])
    names = fleet.host_names(args.hosts)
    global_bytes, shadow_bytes = workspace.reference_files(names)
    kinds = fleet.spread(names, 0, 0)
    with fleet.started(root / "fleet", kinds, global_bytes, shadow_bytes, 1.0) as run:
        ws = workspace.prepare(root / "work", names, run.ssh_config, run.login, 5.0)
        for name in ("fetch", "gcheck"):
            command = TOOLS[name].command(ws)
            output = root / name
            raw = _py_spy(command, ws, output, args.rate)
            if raw is not None:
                text = summarise_raw(raw, args.top)
                output.with_suffix(".txt").write_text(text, encoding="utf-8")
                print(f"== {TOOLS[name].label}, {args.hosts} hosts (py-spy)\n{text}")
            report = _pyinstrument(command, ws, output)
            if report is not None:
                print(f"pyinstrument report: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
