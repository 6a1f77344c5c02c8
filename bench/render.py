"""Write a comparison's summary as reStructuredText tables and a PNG plot."""

from __future__ import annotations

from pathlib import Path

from summary import Row, Target

_COLUMNS = (
    "Scenario", "Hosts", "Tool", "Wall s (median)", "Wall s (min-max)",
    "vs gcheck", "Client CPU s", "CPU ms/host", "Machine CPU s",
    "Max RSS MiB", "Tree RSS MiB", "Busy before", "Runs",
)  # fmt: skip


def _cells(row: Row) -> list[str]:
    ratio = "" if row.ratio_to_gcheck is None else f"{row.ratio_to_gcheck:.2f}x"
    busy = "" if row.background_median is None else f"{row.background_median:.0%}"
    runs = str(row.runs)
    if row.failed_runs:
        runs += f" ({row.failed_runs} incomplete)"
    return [
        row.scenario, str(row.hosts), row.label,
        f"{row.wall_median:.2f}", f"{row.wall_min:.2f}-{row.wall_max:.2f}",
        ratio, f"{row.client_cpu_median:.2f}",
        f"{row.client_cpu_ms_per_host:.1f}", f"{row.machine_cpu_median:.2f}",
        f"{row.max_rss_mib:.0f}", f"{row.tree_rss_mib:.0f}", busy, runs,
    ]  # fmt: skip


def _list_table(header: list[str], body: list[list[str]]) -> str:
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for cells in [header, *body]:
        lines.append(f"   * - {cells[0]}")
        lines.extend(f"     - {cell}" for cell in cells[1:])
    return "\n".join(lines) + "\n"


def results_table(rows: list[Row]) -> str:
    """Return the measurements as an RST list-table."""
    return _list_table(list(_COLUMNS), [_cells(row) for row in rows])


def targets_table(goals: list[Target]) -> str:
    """Return each goal, its measured value and whether it was met."""
    body = []
    for goal in goals:
        measured = "not measured"
        verdict = "not measured"
        if goal.measured is not None:
            # Ratios get a third decimal, so that a value just over its
            # limit does not print as the limit itself.
            digits = 3 if goal.unit == "x" else 2
            measured = f"{goal.measured:.{digits}f} {goal.unit}"
            verdict = "met" if goal.met else "not met"
        limit = f"at most {goal.limit:.2f} {goal.unit}"
        body.append([goal.goal, limit, measured, verdict])
    return _list_table(["Goal", "Limit", "Measured", "Verdict"], body)


def plot(rows: list[Row], path: Path, title: str) -> None:
    """Plot median wall time against fleet size, one line per tool.

    Error bars span the fastest and slowest repetition.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot, ticker

    figure, axes = pyplot.subplots(figsize=(7, 4.5), dpi=110)
    clean = [row for row in rows if row.scenario == "clean"]
    for tool in dict.fromkeys(row.tool for row in clean):
        mine = sorted((r for r in clean if r.tool == tool), key=lambda r: r.hosts)
        sizes = [r.hosts for r in mine]
        medians = [r.wall_median for r in mine]
        spread = [
            [r.wall_median - r.wall_min for r in mine],
            [r.wall_max - r.wall_median for r in mine],
        ]
        axes.errorbar(
            sizes, medians, yerr=spread, marker="o", capsize=3,
            label=mine[0].label,
        )  # fmt: skip
    axes.set_xlabel("hosts in the fleet")
    axes.set_ylabel("wall time, seconds (log scale)")
    axes.set_yscale("log")
    # Plain numbers (2, 5, 10) read better than powers of ten here.
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    axes.yaxis.set_major_formatter(plain)
    axes.yaxis.set_minor_formatter(plain)
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
