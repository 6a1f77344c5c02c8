"""Compare ``gcheck check`` with clush, an ssh loop and Ansible on real sshd.

For each fleet size this starts a fleet of OpenSSH servers on loopback
addresses, runs every tool against it in turn (the order rotates between
repetitions so that no tool always runs first), and measures each run.
A second scenario runs on a fleet where some hosts never send an SSH
banner and some authenticate slowly.  Results go to a JSON file under bench/results/, and
the summary to an RST table and a PNG plot.

    python bench/compare.py --sizes 50,200,500 --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import environment
import fleet
import measure
import render
import summary
import workspace

from tools import FANOUT, TOOLS, Tool, compile_gcheck, variants

logger = logging.getLogger("bench.compare")

BENCH = Path(__file__).resolve().parent
# Tools run on the degraded fleet too: gcheck and clush are enough to show
# how each handles hosts that never send a banner.
DEGRADED_TOOLS = ("gcheck", "fetch", "clush", "clush-x25519")


@dataclass(frozen=True)
class Scenario:
    """A fleet to measure on: its size and how many of its hosts misbehave."""

    name: str
    hosts: int
    never_answer: int = 0
    slow_auth: int = 0

    @property
    def expected_ok(self) -> int:
        return self.hosts - self.never_answer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--sizes", default="50,200,500", help="fleet sizes, comma-separated")
    add("--repeat", type=int, default=3, help="repetitions of each tool per size")
    add("--tools", default=",".join(TOOLS), help="tools to run, comma-separated")
    add("--degraded-size", type=int, default=200,
        help="hosts in the degraded scenario; 0 skips it")  # fmt: skip
    add("--connect-timeout", type=float, default=5.0,
        help="connect timeout given to every tool, in seconds")  # fmt: skip
    add("--slow-auth-seconds", type=float, default=3.0,
        help="authentication delay of the slow hosts, in seconds")  # fmt: skip
    add("--idle-seconds", type=float, default=0.5,
        help="seconds of machine load sampled before each run")  # fmt: skip
    add("--run-timeout", type=float, default=600.0,
        help="seconds after which one tool run is killed")  # fmt: skip
    add("--results", type=Path, default=BENCH / "results",
        help="folder for the JSON results and work files")  # fmt: skip
    add("--plot", type=Path, help="PNG file for the wall-time plot")
    add("--table", type=Path, help="RST file for the results and goals tables")
    add("--variant", action="append", default=[], metavar="LABEL=DIR",
        help="also time gcheck from the source tree DIR (repeatable)")  # fmt: skip
    add("--from-json", type=Path, metavar="FILE",
        help="write the table and plot of an earlier run's JSON; run nothing")  # fmt: skip
    add("-v", "--verbose", action="store_true", help="log each run")
    return parser


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    sizes = [int(size) for size in args.sizes.split(",") if size]
    scenarios = [Scenario("clean", size) for size in sizes]
    if args.degraded_size:
        size = args.degraded_size
        # 5% of hosts never send a banner and 2% authenticate slowly, at least
        # one of each.
        never, slow = max(1, size * 5 // 100), max(1, size * 2 // 100)
        scenarios.append(Scenario("degraded", size, never, slow))
    return scenarios


def _runnable(args: argparse.Namespace, skipped: dict[str, str]) -> list[Tool]:
    requested = [TOOLS[name] for name in args.tools.split(",")]
    for variant in args.variant:
        label, _, tree = variant.partition("=")
        requested.extend(variants(label, str(Path(tree).resolve())))
    tools = []
    for tool in requested:
        reason = tool.missing()
        if reason:
            skipped[tool.name] = reason
            logger.warning("skipping %s: %s", tool.name, reason)
        else:
            tools.append(tool)
    return tools


def _applies(tool: Tool, scenario: Scenario) -> bool:
    # The ssh loop and Ansible are only run on the small clean fleet: the
    # loop is sequential, and both would take minutes on larger fleets.
    if tool.max_hosts is not None and scenario.hosts > tool.max_hosts:
        return False
    # A variant's name is "gcheck@LABEL" or "fetch@LABEL".
    base = tool.name.split("@")[0]
    return scenario.name == "clean" or base in DEGRADED_TOOLS


def _measure(
    tool: Tool,
    ws: workspace.Workspace,
    scenario: Scenario,
    repetition: int,
    args: argparse.Namespace,
) -> dict:
    outputs = ws.root / "outputs"
    outputs.mkdir(exist_ok=True)
    # One pair of files per run, so a failed repetition can be read later.
    stem = f"{tool.name}-{repetition}"
    stdout, stderr = outputs / f"{stem}.out", outputs / f"{stem}.err"
    background = measure.background_busy_fraction(args.idle_seconds)
    sample = measure.run(
        tool.command(ws), env=tool.env(ws), cwd=ws.root, stdout=stdout,
        stderr=stderr, timeout=args.run_timeout,
    )  # fmt: skip
    try:
        hosts_ok = tool.count_ok(stdout.read_bytes(), ws)
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("%s: output not understood: %s", tool.name, error)
        hosts_ok = -1
    if hosts_ok != scenario.expected_ok:
        tail = stderr.read_bytes()[-400:].decode(errors="replace")
        logger.warning(
            "%s on %d hosts: got the file from %d, expected %d (exit %d): %s",
            tool.name, scenario.hosts, hosts_ok, scenario.expected_ok,
            sample.exit_code, tail,
        )  # fmt: skip
    return {
        "tool": tool.name,
        "label": tool.label,
        "hosts_ok": hosts_ok,
        "expected_ok": scenario.expected_ok,
        "background_busy": background,
        **sample.to_dict(),
    }


def _run_scenario(
    scenario: Scenario, tools: list[Tool], args: argparse.Namespace, root: Path
) -> list[dict]:
    tools = [tool for tool in tools if _applies(tool, scenario)]
    names = fleet.host_names(scenario.hosts)
    kinds = fleet.spread(names, scenario.never_answer, scenario.slow_auth)
    global_bytes, shadow_bytes = workspace.reference_files(names)
    runs = []
    with fleet.started(
        root / "fleet", kinds, global_bytes, shadow_bytes, args.slow_auth_seconds
    ) as running:
        ws = workspace.prepare(
            root / "work", names, running.ssh_config, running.login,
            args.connect_timeout,
        )  # fmt: skip
        for repetition in range(args.repeat):
            shift = repetition % len(tools)
            for order, tool in enumerate(tools[shift:] + tools[:shift]):
                run = _measure(tool, ws, scenario, repetition, args)
                run.update(
                    scenario=scenario.name, hosts=scenario.hosts,
                    repetition=repetition, order=order,
                )  # fmt: skip
                logger.info(
                    "%s %d hosts, repetition %d: %s %.2f s, %d/%d ok",
                    scenario.name, scenario.hosts, repetition, tool.name,
                    run["wall_seconds"], run["hosts_ok"], run["expected_ok"],
                )  # fmt: skip
                runs.append(run)
    return runs


def _write_outputs(
    result: dict, args: argparse.Namespace, path: Path, save: bool = True
) -> None:
    if save:
        path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    rows = summary.summarise(result["runs"])
    goals = summary.targets(rows, args.connect_timeout)
    text = render.results_table(rows) + "\n" + render.targets_table(goals)
    if args.table:
        args.table.write_text(text, encoding="utf-8")
    # Variants of gcheck ("gcheck@LABEL") are in the tables but would
    # crowd the plot.
    plotted = [row for row in rows if "@" not in row.tool]
    if args.plot and any(row.scenario == "clean" for row in plotted):
        if importlib.util.find_spec("matplotlib") is None:
            logger.warning(
                "no plot written: matplotlib is not installed "
                "(pip install -e '.[bench]')"
            )
        else:
            cores = result["machine"]["cores"]
            title = f"Reading global_config.ini from every host ({cores} cores)"
            render.plot(plotted, args.plot, title)
    print(text)
    print(f"results: {path}")


def _stop_on_sigterm(signum, frame) -> None:
    # Unwind like Ctrl-C, so that every started fleet is stopped.
    raise KeyboardInterrupt(f"signal {signum}")


def _describe(args: argparse.Namespace, argv: list[str]) -> dict:
    """Return the result file's header: command, machine, versions, settings."""
    return {
        "command": " ".join(["python", "bench/compare.py", *argv]),
        "started": time.strftime("%Y%m%d-%H%M%S"),
        "machine": environment.machine(),
        "versions": environment.versions(),
        "source": environment.source(),
        "settings": {
            "connect_timeout": args.connect_timeout,
            "slow_auth_seconds": args.slow_auth_seconds,
            "fanout": FANOUT,
            "gcheck": environment.gcheck_defaults(),
            "repeat": args.repeat,
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and write its results; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(message)s")

    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
        _write_outputs(result, args, args.from_json, save=False)
        return 0

    skipped: dict[str, str] = {}
    tools = _runnable(args, skipped)
    compile_gcheck(tools)
    result = {**_describe(args, argv), "skipped": skipped, "runs": []}
    root = args.results / f"compare-{result['started']}"
    for scenario in _scenarios(args):
        scenario_root = root / f"{scenario.name}-{scenario.hosts}"
        result["runs"].extend(_run_scenario(scenario, tools, args, scenario_root))

    _write_outputs(result, args, root.with_suffix(".json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
