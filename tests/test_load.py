"""Loading files from disk: every bad input becomes one InputError line."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

from gcheck import load as loader
from gcheck.errors import GcheckError, InputError

NOBODY = 65534


@contextlib.contextmanager
def unprivileged():
    """Run the block without root's right to read any file."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def open_dir():
    """Return a folder every user can enter, so only file modes matter."""
    folder = Path(tempfile.mkdtemp(prefix="gcheck-load-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.iterdir():
        path.chmod(0o644)
        path.unlink()
    folder.rmdir()


def write(folder: Path, name: str, data: bytes, mode: int = 0o644) -> Path:
    path = folder / name
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_read_bytes_returns_content(tmp_path):
    path = write(tmp_path, "g.ini", b"[s]\na = 1\n")
    assert loader.read_bytes(str(path)) == b"[s]\na = 1\n"


def test_read_bytes_missing(tmp_path):
    path = str(tmp_path / "nope.ini")
    with pytest.raises(InputError) as raised:
        loader.read_bytes(path)
    assert raised.value.path == path
    assert raised.value.problem == "file not found"
    assert str(raised.value) == f"{path}: file not found"


def test_read_bytes_directory(tmp_path):
    with pytest.raises(InputError) as raised:
        loader.read_bytes(str(tmp_path))
    assert raised.value.problem == "is a directory, not a file"
    assert "global_config.ini" in raised.value.hint


def test_read_bytes_unreadable(open_dir):
    path = write(open_dir, "g.ini", b"[s]\n", mode=0o000)
    with unprivileged(), pytest.raises(InputError) as raised:
        loader.read_bytes(str(path))
    assert raised.value.problem == "permission denied"


def test_read_bytes_too_large(tmp_path):
    path = tmp_path / "big.ini"
    with open(path, "wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError) as raised:
        loader.read_bytes(str(path))
    message = str(raised.value)
    assert message.startswith(f"{path}: file is 50.0 MiB (52428800 bytes)")
    assert "16.0 MiB" in message


def test_read_bytes_at_cap(tmp_path):
    path = tmp_path / "cap.ini"
    with open(path, "wb") as stream:
        stream.truncate(loader.MAX_FILE_BYTES)
    assert len(loader.read_bytes(str(path))) == loader.MAX_FILE_BYTES


def test_read_bytes_endless_device():
    with pytest.raises(InputError) as raised:
        loader.read_bytes("/dev/zero")
    assert "larger than the 16.0 MiB" in raised.value.problem


def test_load_empty_file(tmp_path):
    path = write(tmp_path, "global_config.ini", b"")
    config = loader.load(str(path))
    assert config.section_names() == []
    assert config.starts is True
    assert config.shadow_file is None


def test_load_binary_garbage(tmp_path):
    path = write(tmp_path, "global_config.ini", bytes(range(256)) * 4)
    config = loader.load(str(path))
    assert config.starts is False
    assert config.global_file.problems[0].kind == "missing-header"
    assert config.global_file.problems[0].line == 1


def test_load_non_utf8(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\na = caf\xe9\n")
    config = loader.load(str(path))
    assert config.get("s", "a").value == "caf\udce9"


def test_load_auto_shadow(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\na = 1\n")
    shadow = write(tmp_path, "shadow_config.ini", b"[s]\na = 2\n")
    config = loader.load(str(path))
    assert config.get("s", "a").value == "2"
    assert config.shadow_file.path == str(shadow)
    assert config.setting("s", "a").origin.path == str(shadow)


def test_load_auto_without_shadow(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\na = 1\n")
    config = loader.load(str(path))
    assert config.shadow_file is None
    assert config.get("s", "a").value == "1"


def test_load_relative_path(tmp_path, monkeypatch):
    write(tmp_path, "global_config.ini", b"[s]\na = 1\n")
    write(tmp_path, "shadow_config.ini", b"[s]\na = 2\n")
    monkeypatch.chdir(tmp_path)
    config = loader.load("global_config.ini")
    assert config.get("s", "a").value == "2"
    assert config.shadow_file.path == "shadow_config.ini"


def test_load_no_shadow(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\na = 1\n")
    write(tmp_path, "shadow_config.ini", b"[s]\na = 2\n")
    assert loader.load(str(path), shadow=None).get("s", "a").value == "1"


def test_load_explicit_shadow(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\na = 1\n")
    other = write(tmp_path, "site.ini", b"[s]\na = 3\n")
    config = loader.load(str(path), shadow=str(other))
    assert config.get("s", "a").value == "3"
    assert config.shadow_file.role == "shadow"


def test_load_explicit_shadow_missing(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\n")
    missing = str(tmp_path / "site.ini")
    with pytest.raises(InputError) as raised:
        loader.load(str(path), shadow=missing)
    assert raised.value.path == missing
    assert raised.value.problem == "file not found"


def test_load_unreadable_auto_shadow_as_empty(open_dir):
    path = write(open_dir, "global_config.ini", b"[s]\na = 1\n")
    write(open_dir, "shadow_config.ini", b"[s]\na = 2\n", mode=0o000)
    with unprivileged():
        config = loader.load(str(path))
    assert config.get("s", "a").value == "1"
    assert config.shadow_file.read_error == "permission denied"
    assert config.shadow_file.sections == {}
    assert config.starts is True


def test_load_auto_shadow_directory_as_empty(tmp_path):
    path = write(tmp_path, "global_config.ini", b"[s]\na = 1\n")
    (tmp_path / "shadow_config.ini").mkdir()
    config = loader.load(str(path))
    assert config.shadow_file.read_error == "is a directory, not a file"
    assert config.get("s", "a").value == "1"


def test_load_unreadable_global(open_dir):
    path = write(open_dir, "global_config.ini", b"[s]\n", mode=0o000)
    with unprivileged(), pytest.raises(InputError) as raised:
        loader.load(str(path))
    assert raised.value.problem == "permission denied"


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Point every place Autotest looks at an empty folder of its own."""
    folders = {}
    for name in ("etc", "package", "cwd", "install", "top"):
        folders[name] = tmp_path / name
        folders[name].mkdir()
    (folders["cwd"] / "client").mkdir()
    monkeypatch.setattr(loader, "ETC_DIR", str(folders["etc"]))
    monkeypatch.setattr(loader, "INSTALL_DIR", str(folders["install"]))
    monkeypatch.setattr(loader, "_package_dir", lambda: str(folders["package"]))
    monkeypatch.chdir(folders["cwd"])
    return folders


def test_default_path_order(places, monkeypatch):
    order = [
        places["etc"],
        places["package"],
        places["cwd"],
        places["install"],
        places["cwd"] / "client",
    ]
    for folder in order:
        (folder / "global_config.ini").write_bytes(b"")
    for folder in order:
        assert loader.default_config_path() == str(folder / "global_config.ini")
        (folder / "global_config.ini").unlink()


def test_default_path_top_path(places, monkeypatch):
    (places["etc"] / "global_config.ini").write_bytes(b"")
    (places["top"] / "global_config.ini").write_bytes(b"")
    monkeypatch.setenv("AUTOTEST_TOP_PATH", str(places["top"]))
    assert loader.default_config_path() == str(places["top"] / "global_config.ini")


def test_default_path_top_path_skips_etc(places, monkeypatch):
    (places["etc"] / "global_config.ini").write_bytes(b"")
    (places["cwd"] / "global_config.ini").write_bytes(b"")
    monkeypatch.setenv("AUTOTEST_TOP_PATH", str(places["top"]))
    assert loader.default_config_path() == str(places["cwd"] / "global_config.ini")


def test_default_path_none_found(places):
    with pytest.raises(GcheckError) as raised:
        loader.default_config_path()
    assert raised.value.message.startswith("no global_config.ini found; looked in: ")
    assert str(places["etc"] / "global_config.ini") in raised.value.message
    assert "AUTOTEST_TOP_PATH" in raised.value.hint


def test_package_dir_found_without_import(tmp_path, monkeypatch):
    package = tmp_path / "autotest"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert loader._package_dir() == str(package)
