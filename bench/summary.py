"""Turn the runs of a comparison into medians, ratios and target checks."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """Every repetition of one tool on one fleet, summarised."""

    scenario: str
    hosts: int
    tool: str
    label: str
    runs: int
    failed_runs: int
    wall_median: float
    wall_min: float
    wall_max: float
    client_cpu_median: float
    machine_cpu_median: float
    max_rss_mib: float
    tree_rss_mib: float
    # Median share of both cores busy with other work just before a run
    # (0 to 1); None when it was not measured.
    background_median: float | None
    # Median over repetitions of this tool's wall time divided by
    # gcheck's in the same repetition; None for gcheck itself.
    ratio_to_gcheck: float | None

    @property
    def client_cpu_ms_per_host(self) -> float:
        return 1000 * self.client_cpu_median / self.hosts


def _ratios(runs: list[dict], tool: str) -> list[float]:
    by_rep = defaultdict(dict)
    for run in runs:
        by_rep[run["repetition"]][run["tool"]] = run["wall_seconds"]
    return [
        walls[tool] / walls["gcheck"]
        for walls in by_rep.values()
        if tool in walls and "gcheck" in walls
    ]


def _median_or_none(values) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def _row(scenario: str, hosts: int, tool: str, runs: list[dict]) -> Row:
    mine = [run for run in runs if run["tool"] == tool]
    good = [run for run in mine if run["hosts_ok"] == run["expected_ok"]] or mine
    walls = [run["wall_seconds"] for run in good]
    ratios = _ratios(runs, tool) if tool != "gcheck" else []
    return Row(
        scenario=scenario,
        hosts=hosts,
        tool=tool,
        label=mine[0].get("label", tool),
        runs=len(mine),
        failed_runs=sum(run["hosts_ok"] != run["expected_ok"] for run in mine),
        wall_median=statistics.median(walls),
        wall_min=min(walls),
        wall_max=max(walls),
        client_cpu_median=statistics.median(r["client_cpu_seconds"] for r in good),
        machine_cpu_median=statistics.median(r["machine_cpu_seconds"] for r in good),
        max_rss_mib=max(r["max_rss_kib"] for r in good) / 1024,
        tree_rss_mib=max(r["tree_rss_peak_kib"] for r in good) / 1024,
        background_median=_median_or_none(r.get("background_busy") for r in good),
        ratio_to_gcheck=statistics.median(ratios) if ratios else None,
    )


def summarise(runs: list[dict]) -> list[Row]:
    """Return one row per scenario, fleet size and tool, in run order."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for run in runs:
        groups[(run["scenario"], run["hosts"])].append(run)
    rows = []
    for (scenario, hosts), group in groups.items():
        tools = list(dict.fromkeys(run["tool"] for run in group))
        rows.extend(_row(scenario, hosts, tool, group) for tool in tools)
    return rows


def find(rows: list[Row], scenario: str, hosts: int, tool: str) -> Row | None:
    for row in rows:
        if (row.scenario, row.hosts, row.tool) == (scenario, hosts, tool):
            return row
    return None


@dataclass(frozen=True)
class Target:
    """One goal, what was measured for it and whether it was met."""

    goal: str
    measured: float | None
    limit: float
    unit: str

    @property
    def met(self) -> bool | None:
        return None if self.measured is None else self.measured <= self.limit


def _inverse(row: Row | None) -> float | None:
    # A peer's ratio is peer/gcheck; the goals are stated as gcheck/peer.
    if row is None or not row.ratio_to_gcheck:
        return None
    return 1 / row.ratio_to_gcheck


def targets(rows: list[Row], connect_timeout: float) -> list[Target]:
    """Check the measured rows against the performance goals."""
    clean_200 = find(rows, "clean", 200, "gcheck")
    fetch_200 = find(rows, "clean", 200, "fetch")
    clean_500 = find(rows, "clean", 500, "gcheck")
    degraded = find(rows, "degraded", 200, "gcheck")
    floor = None
    if clean_200 and fetch_200:
        floor = clean_200.wall_median / fetch_200.wall_median
    return [
        Target(
            "200 hosts: gcheck check / clush -b",
            _inverse(find(rows, "clean", 200, "clush")), 0.3, "x",
        ),
        Target(
            "50 hosts: gcheck check / ansible slurp",
            _inverse(find(rows, "clean", 50, "ansible")), 0.1, "x",
        ),
        Target("200 hosts: gcheck check / its fetch alone", floor, 1.25, "x"),
        Target(
            "200 hosts: client CPU per host",
            clean_200.client_cpu_ms_per_host if clean_200 else None, 20, "ms",
        ),
        Target(
            "500 hosts: peak client memory",
            clean_500.max_rss_mib if clean_500 else None, 150, "MiB",
        ),
        _degraded_target(degraded, clean_200, connect_timeout),
    ]  # fmt: skip


def _degraded_target(
    degraded: Row | None, clean: Row | None, connect_timeout: float
) -> Target:
    goal = "degraded 200 hosts: wall time"
    if degraded is None or clean is None:
        return Target(goal, None, connect_timeout, "s")
    limit = connect_timeout + clean.wall_median
    return Target(goal, degraded.wall_median, limit, "s")
