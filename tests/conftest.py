"""Fixtures shared by every test module."""

from __future__ import annotations

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
