"""Describe the machine and the tool versions a comparison ran with."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

_PACKAGES = ("gcheck", "paramiko", "fabric", "ClusterShell", "ansible-core")


def _cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    return 0.0


def _openssh() -> str:
    # ssh -V writes its version to stderr.
    done = subprocess.run(["ssh", "-V"], capture_output=True, text=True, check=False)
    return done.stderr.strip()


def machine() -> dict:
    """Return the cores, CPU model, memory and kernel of this machine."""
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": round(_memory_gib(), 1),
        "kernel": platform.release(),
    }


def source() -> dict:
    """Return the commit of the checkout, and whether gcheck/ has local changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "gcheck")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "gcheck_changed": bool(changed),
    }


def gcheck_defaults() -> dict:
    """Return the fetch settings ``gcheck check`` uses when no option sets them."""
    from gcheck.fetch import FetchOptions

    defaults = FetchOptions()
    return {"workers": defaults.workers, "deadline": defaults.deadline}


def versions() -> dict:
    """Return the version of Python, OpenSSH and each Python package used."""
    found = {"python": platform.python_version(), "openssh": _openssh()}
    for package in _PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
