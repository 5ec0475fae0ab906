"""One place opens the database: the engine (SQLite WAL + busy timeout, or PostgreSQL) and its migrations.

Migrations run at start under a lock (a file lock beside a SQLite file, an advisory lock on
PostgreSQL), so many processes opening a new database at once create it exactly once.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_REVISION = "0001_first_release"
# The newest migration's id (migrations/versions/): a database already there is opened with one query, without
# loading Alembic. A new migration changes it; tests/unit/test_migrations.py checks it against Alembic's head.
HEAD_REVISION = "0012_read_indexes"
BUSY_TIMEOUT_S = 30
_PG_LOCK_ID = 0x4B45595F434F4E53  # "KEY_CONS": the console's migration lock


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says which and why."""


def create_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        opens_existing = _is_uri(parsed) and str(parsed.query.get("mode", "")).lower() in ("ro", "rw")
        if path is not None and not opens_existing:  # mode=ro / rw open only a file that exists
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}
    else:
        kwargs["pool_pre_ping"] = True
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _is_uri(parsed: sa.engine.URL) -> bool:
    return str(parsed.query.get("uri", "")).lower() in ("true", "1", "yes", "on")


def sqlite_path(url: str | sa.engine.URL) -> Path | None:
    """The file of a SQLite URL, plain (``sqlite:///path``) or a URI file name
    (``sqlite:///file:/path?mode=ro&uri=true``); None in memory. DatabaseError for a URI it cannot place."""
    parsed = make_url(url) if isinstance(url, str) else url
    database = parsed.database or ""
    if not database or database == ":memory:":
        return None
    if not (_is_uri(parsed) and database.startswith("file:")):
        return Path(database)
    rest = database[len("file:"):]
    if str(parsed.query.get("mode", "")).lower() == "memory" or rest.startswith(":memory:") or not rest:
        return None
    if rest.startswith("//"):  # file://host/path: only an empty host or localhost names a local file
        host, _, path = rest[2:].partition("/")
        if host not in ("", "localhost"):
            raise DatabaseError(f"The SQLite URI file name {database!r} names the host {host!r}: SQLite opens "
                                "local files only. Use file:/absolute/path or file:relative/path.")
        rest = "/" + path
    return Path(unquote(rest))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed transaction
    cursor.close()


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        database = sqlite_path(engine.url)
        if database is None:
            yield
            return
        with open(f"{database}.migrate-lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": _PG_LOCK_ID})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": _PG_LOCK_ID})
            conn.commit()


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's id, as Alembic's script directory says (loads Alembic and every migration)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: a new database, or one made before migrations): one query."""
    with engine.connect() as conn:
        try:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        except sa.exc.DBAPIError:  # no alembic_version table (or no database yet: the upgrade says which)
            return None
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade_database(engine: Engine) -> str:
    """Bring the database to the newest revision (creating it, or adopting a first-release one); the revision."""
    try:
        if current_revision(engine) == HEAD_REVISION:
            return HEAD_REVISION  # the common case: one query, Alembic not loaded
        from alembic import command

        with _migration_lock(engine):
            if engine.dialect.name == "sqlite":
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode = WAL")
            with engine.connect() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")  # table rebuilds must not cascade
                inspector = sa.inspect(conn)
                tables = set(inspector.get_table_names())
                config = _alembic_config(conn)
                if "alembic_version" not in tables and "apps" in tables:
                    command.stamp(config, LEGACY_REVISION)  # a database made by the first release
                command.upgrade(config, "head")
                conn.commit()
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA foreign_keys = ON")
    except Exception as exc:
        from alembic.util import CommandError

        if not isinstance(exc, CommandError | sa.exc.SQLAlchemyError | OSError):
            raise
        if isinstance(exc, CommandError) and "Can't locate revision" in str(exc):
            raise DatabaseError(f"The database at {engine.url.render_as_string(hide_password=True)} was made by a "
                                "newer App Key Console (its schema revision is unknown here): run the newer "
                                "console, or point CONSOLE_DATABASE_URL at another database.") from exc
        path = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
        if path is not None and "unable to open database file" in str(exc):
            raise DatabaseError(f"The SQLite database {path} cannot be opened: the file does not exist (mode=ro and "
                                "mode=rw open only an existing file) or its folder cannot be written. Check the path "
                                "in CONSOLE_DATABASE_URL.") from exc
        if isinstance(exc, OSError):
            raise DatabaseError(f"The database at {engine.url.render_as_string(hide_password=True)} cannot be "
                                f"opened: {exc.strerror or exc}") from exc
        raise DatabaseError(f"The database at {engine.url.render_as_string(hide_password=True)} cannot be migrated: "
                            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    return HEAD_REVISION
