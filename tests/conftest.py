"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Copies of the files that ship with Autotest, and earlier versions of
# global_config.ini from its history, oldest first.
DATA = Path(__file__).resolve().parent / "data" / "autotest"


@pytest.fixture
def data_dir() -> Path:
    """Return the folder of real Autotest config files (read-only)."""
    if not DATA.is_dir():
        pytest.fail(f"real Autotest data not found at {DATA}")
    return DATA


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """Keep the developer's ~/.ssh and environment out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("AUTOTEST_TOP_PATH", raising=False)
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return home


def require_fleet() -> None:
    """Skip, or fail in CI (``CI=true``), when real sshd hosts cannot run here."""
    import sshfleet

    problems = sshfleet.missing_setup()
    if not problems:
        return
    message = "a fleet of real sshd hosts cannot start: " + "; ".join(problems)
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def start_fleet(tmp_path):
    """Return ``start(kinds, files=None, **options)``: a started fleet.

    ``kinds`` maps host names to kinds, ``files`` maps host names to the
    keyword arguments of ``Fleet.add`` (``global_config``,
    ``shadow_config``), and ``options`` go to ``Fleet``.  Every fleet
    started through it is stopped when the test ends, passed or failed.
    """
    import sshfleet

    require_fleet()
    started = []

    def start(kinds: dict[str, str], files: dict | None = None, **options):
        fleet = sshfleet.Fleet(tmp_path / f"fleet{len(started)}", **options)
        for name, kind in kinds.items():
            fleet.add(name, kind, **(files or {}).get(name, {}))
        started.append(fleet)
        return fleet.start()

    yield start
    for fleet in started:
        fleet.stop()


@pytest.fixture(scope="session")
def fleet_required() -> None:
    """Skip (or fail in CI) tests that need real sshd hosts where none can run."""
    require_fleet()
