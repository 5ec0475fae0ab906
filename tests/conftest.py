"""Fixtures: a fresh database per test (a SQLite file, and a real PostgreSQL server), a real
sample endpoint on loopback.

Tests that take ``db_url`` (or ``store``) run once on SQLite and once on PostgreSQL. Under
``CI=true`` a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.demo import DEMO_FILE
from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import Store, open_store
from tests.pg import PostgresServer, find_bin

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONSOLE_MODE", "CONSOLE_ALLOWED_HOSTS", "CONSOLE_DATABASE_URL", "CONSOLE_ACCESS_TOKEN",
                 "CONSOLE_TRUSTED_PROXIES", "CONSOLE_LISTEN_ANYWHERE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if find_bin() is None:
        if IN_CI:
            pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql.")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new database of each kind, set as CONSOLE_DATABASE_URL: empty, or (for a test that also asks for
    ``store``) a copy of one migrated to head. A PostgreSQL database is dropped after the test."""
    at_head = "store" in request.fixturenames
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'console.db'}"
        if at_head:
            shutil.copyfile(_sqlite_head(request), tmp_path / "console.db")
        server = None
    else:
        server = request.getfixturevalue("postgres")
        url = server.create_database(_postgresql_head(request) if at_head else None)
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    yield url
    if server is not None:
        server.drop_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite database only (for tests about the SQLite file itself)."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def _head_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Per test process, one database of each kind migrated to head (made on first use): ``store`` copies it
    instead of running every migration again for each test (a copy takes a fraction of the time)."""
    return {"folder": str(tmp_path_factory.mktemp("head-templates"))}


def _sqlite_head(request: pytest.FixtureRequest) -> Path:
    """This process's SQLite file migrated to head (the first call migrates it)."""
    templates: dict[str, str] = request.getfixturevalue("_head_templates")
    if "sqlite" not in templates:
        template = Path(templates["folder"]) / "head.db"
        open_store(f"sqlite:///{template}").close()  # closed: the write-ahead log is folded into the file
        templates["sqlite"] = str(template)
    return Path(templates["sqlite"])


def _postgresql_head(request: pytest.FixtureRequest) -> str:
    """The name of this process's PostgreSQL database migrated to head (the first call migrates it)."""
    templates: dict[str, str] = request.getfixturevalue("_head_templates")
    if "postgresql" not in templates:
        server: PostgresServer = request.getfixturevalue("postgres")
        head = server.create_database()
        open_store(head).close()  # no connection may stay open on a template database
        templates["postgresql"] = head.rsplit("/", 1)[1]
    return templates["postgresql"]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A database at the newest schema (``db_url`` made it a copy of one at head). Opening it still goes
    through open_store (its at-head check)."""
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def sample() -> Iterator[SampleEndpoint]:
    endpoint = SampleEndpoint().start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    return json.loads(DEMO_FILE.read_text("utf-8"))


@pytest.fixture
def auth_request(demo_doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(demo_doc["auth"]["request"])


def database_text(url: str) -> bytes:
    """Everything a database holds, as bytes (the SQLite files, or every row of every PostgreSQL table)."""
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in folder.parent.glob(folder.name + "*") if p.is_file())
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    chunks = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT row_to_json(t)::text FROM "{table}" t')):
                chunks.append(row[0].encode())
    engine.dispose()
    return b"\n".join(chunks)
