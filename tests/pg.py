"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder, on loopback.

Run as root, the server runs as the unprivileged ``postgres`` user (PostgreSQL refuses root).
One server per test session (under pytest-xdist: per worker, each in its own folder on its own port, stopped
when the worker ends); each test gets a database of its own.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from tests.ports import free_port


def find_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None




class PostgresServer:
    def __init__(self) -> None:
        bindir = find_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL's server programs are not installed (Debian package postgresql).")
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="console-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self._server_version: int | None = None
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)

    def start(self) -> PostgresServer:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "console", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        for attempt in range(3):  # a free port may be taken before the server binds it (parallel workers)
            options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                          str(self.folder / "server.log"), "-w", "-t", "60", "start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
                self.port = free_port()
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://console@127.0.0.1:{self.port}/{database}"

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=console dbname=postgres",
                             autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def _version(self) -> int:
        """The server's version number (150004 for 15.4), asked once."""
        if self._server_version is None:
            import psycopg

            with psycopg.connect(f"host=127.0.0.1 port={self.port} user=console dbname=postgres") as conn:
                self._server_version = int(conn.info.server_version)
        return self._server_version

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (a database name); its SQLAlchemy URL.

        From PostgreSQL 15, FILE_COPY copies the template's files as they are (a checkpoint first, cheap with
        fsync off) instead of writing every block through the write-ahead log: about half the time here."""
        name = "t_" + uuid.uuid4().hex[:12]
        strategy = " STRATEGY FILE_COPY" if self._version() >= 150000 else ""
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template or "template1"}"{strategy}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database at ``url`` (made by create_database), ending any connection still open to it
        (PostgreSQL 13 and later; before, a database still in use is left for the server's folder to go)."""
        name = url.rsplit("/", 1)[1]
        if self._version() >= 130000:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        except Exception:  # noqa: BLE001 - in use: removed with the server's folder at the end
            pass

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
