"""SQLite URI file names in CONSOLE_DATABASE_URL (``sqlite:///file:/path?mode=ro&uri=true``) open the
file they name; nothing named ``file:`` is created in the working folder (before: a folder ``file:``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console import cli
from console.store import DatabaseError, open_store
from console.store.engine import sqlite_path


def _made_database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "console.db"
    store = open_store(f"sqlite:///{path}")
    store.close()
    return path


def test_a_read_only_uri_opens_the_named_file_and_creates_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = _made_database(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    store = open_store(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        assert store.apps.summaries() == []
    finally:
        store.close()
    assert list(work.iterdir()) == []  # no "file:" folder


def test_a_uri_to_a_missing_file_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nowhere" / "console.db"
    url = f"sqlite:///file:{missing}?mode=ro&uri=true"
    with pytest.raises(DatabaseError, match="file does not exist"):
        open_store(url)
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    assert cli.main(["db", "upgrade"]) != 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert list(tmp_path.iterdir()) == []


def test_uri_spellings() -> None:
    assert sqlite_path("sqlite:///file:/a/b.db?mode=ro&uri=true") == Path("/a/b.db")
    assert sqlite_path("sqlite:///file:///a/b%20c.db?uri=true") == Path("/a/b c.db")
    assert sqlite_path("sqlite:///file:rel/b.db?uri=true") == Path("rel/b.db")
    assert sqlite_path("sqlite:///file::memory:?cache=shared&uri=true") is None
    assert sqlite_path("sqlite:///file:x?mode=memory&uri=true") is None
    assert sqlite_path("sqlite:///plain/b.db") == Path("plain/b.db")
    with pytest.raises(DatabaseError, match="local files only"):
        sqlite_path("sqlite:///file://db.example/a.db?uri=true")


def test_a_writable_uri_creates_the_named_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "made" / "console.db"
    open_store(f"sqlite:///file:{path}?mode=rwc&uri=true").close()
    assert path.is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["made"]
