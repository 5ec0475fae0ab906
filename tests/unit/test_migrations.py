"""Migrations: a new database, a database made by the first release, and many processes at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from console import service
from console.outcome import Category
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps as apps_service
from console.service import history, readiness
from console.store import FireFilter, open_store
from console.store.engine import HEAD_REVISION, LEGACY_REVISION, create_engine, current_revision, head_revision
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "first_release.sql"


def test_a_new_database_is_created_at_the_newest_revision(db_url: str) -> None:
    store = open_store(db_url)
    assert current_revision(store.engine) == head_revision()
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"apps", "fires", "alembic_version"} <= tables and "settings" not in tables
    indexes = {i["name"] for i in sa.inspect(store.engine).get_indexes("fires")}
    assert {"ix_fires_app_time", "ix_fires_app_target_time", "ix_fires_run"} <= indexes
    open_store(db_url)  # opening again is a no-op
    assert current_revision(store.engine) == head_revision()


def test_the_head_revision_the_console_opens_by_is_alembics_head() -> None:
    """A database at HEAD_REVISION is opened without Alembic: a new migration must move the constant, or
    databases one revision behind would skip it."""
    assert HEAD_REVISION == head_revision(), "a new migration: set HEAD_REVISION in console/store/engine.py to it"


def test_a_database_behind_the_head_is_upgraded_not_taken_as_current(tmp_path: Path) -> None:
    path = tmp_path / "behind.db"
    engine = create_engine(f"sqlite:///{path}")
    from alembic import command

    from console.store.engine import _alembic_config

    with engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "0010_review")
        conn.commit()
    assert current_revision(engine) == "0010_review"
    engine.dispose()
    store = open_store(f"sqlite:///{path}")
    assert current_revision(store.engine) == HEAD_REVISION
    assert "revision" in {c["name"] for c in sa.inspect(store.engine).get_columns("apps")}
    store.close()


def test_a_first_release_sqlite_database_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text("utf-8"))
    store = open_store(f"sqlite:///{path}")
    assert current_revision(store.engine) == head_revision()
    apps = apps_service.list_apps(store)
    assert [a.name for a in apps] == ["Demo: Order Notifier"]
    app = service.get_app(store, apps[0].id)
    assert app is not None and app.manifest["auth"]["request"]["url"].startswith("https://")
    assert app.scopes and app.created_at.tzinfo is not None
    fires = [history.get_fire(store, row["id"]) for row in store.fires.page(FireFilter(), limit=10)]
    assert len(fires) == 5
    by_app = [f for f in fires if f and f.app_ref == app.id]
    assert sorted(f.status for f in by_app if f.status) == [200, 302, 500]
    assert all(f and f.fired_at.tzinfo is not None and f.detail is not None and f.detail.request.headers
               for f in fires)  # the first release's detail (headers as objects) still reads
    orphan = [f for f in fires if f and f.app_name == "Deleted later"]
    assert orphan and orphan[0].app_ref is None  # a fire of a deleted app no longer points anywhere
    assert "settings" not in sa.inspect(store.engine).get_table_names()
    apps_service.delete_app(store, app.id)  # after the upgrade, the database cascades
    assert store.fires.count(FireFilter(app_ref=app.id)) == 0 and store.fires.count() == 2


def test_a_first_release_postgresql_database_is_upgraded(postgres) -> None:  # noqa: ANN001 - fixture
    url = postgres.create_database()
    engine = create_engine(url)
    from alembic import command

    from console.store.engine import _alembic_config

    with engine.connect() as conn:
        command.upgrade(_alembic_config(conn), LEGACY_REVISION)
        conn.execute(sa.text(
            "INSERT INTO apps (name, app_id, version, kind, scopes, manifest, settings, created_at, updated_at) "
            "VALUES ('Old', '1', '1.0', 'dev', '[\"/fb/page/getInfo\"]', '{\"auth\": null, \"actions\": []}', "
            "'{}', :at, :at)"), {"at": datetime(2026, 10, 1, 12, 0)})
        conn.execute(sa.text(
            "INSERT INTO fires (app_ref, app_name, source, target_kind, url, method, ok, status, category, "
            "elapsed_ms, key_fingerprint, fired_at, detail) VALUES (1, 'Old', 'page', 'sample', 'http://x', "
            "'POST', true, 200, 'ok', 3.5, 'fp_1', :at, :detail)"),
            {"at": datetime(2026, 10, 1, 12, 5), "detail": json.dumps({"request": {"method": "POST", "url": "http://x",
                                                                                   "headers": {"A": "b"}}})})
        conn.commit()
    engine.dispose()
    store = open_store(url)
    fire = history.get_fire(store, 1)
    assert fire is not None and fire.category is Category.OK
    assert fire.fired_at == datetime(2026, 10, 1, 12, 5, tzinfo=UTC)  # naive UTC became aware UTC
    assert fire.detail is not None and fire.detail.request.headers == (("A", "b"),)
    apps_service.delete_app(store, 1)
    assert store.fires.count() == 0


def test_twelve_processes_firing_at_once_into_a_new_database_lose_nothing(db_url: str,
                                                                          sample: SampleEndpoint) -> None:
    command = [sys.executable, "-m", "console", "fire", str(ROOT / "assets" / "demo_app.json"),
               "--url", sample.install_url("ok"), "--var", "workspace=a", "--json"]
    env = {"CONSOLE_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(12)]
    results = [(run.wait(timeout=120), run.stdout.read() if run.stdout else "",
                run.stderr.read() if run.stderr else "") for run in runs]
    assert [code for code, _, _ in results] == [0] * 12, [err for _, _, err in results]
    assert not any("could not record" in err for _, _, err in results)
    store = open_store(db_url)
    assert store.fires.count(FireFilter(source="cli")) == 12
    assert current_revision(store.engine) == head_revision()


@pytest.mark.parametrize("fires", [0, 2500])
def test_demo_seed_stores_a_realistic_history(db_url: str, fires: int) -> None:
    out = subprocess.run([sys.executable, "-m", "console", "demo", "seed", "--fires", str(fires)], cwd=ROOT,
                         env={"CONSOLE_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    app_ref = int(out.stdout.strip())
    store = open_store(db_url)
    assert store.fires.count(FireFilter(app_ref=app_ref)) == fires
    if fires:
        breakdown = store.fires.breakdown(FireFilter(app_ref=app_ref))
        assert breakdown["ok"] > fires / 2 and len(breakdown) >= 5  # mixed outcomes
        assert store.fires.latest_run_id(app_ref) is not None  # with conformance runs
        oldest = store.fires.page(FireFilter(app_ref=app_ref), limit=1, offset=fires - 1)[0]["fired_at"]
        assert (datetime.now(UTC) - oldest).days >= 29  # spread over 30 days
        check = readiness.readiness(store, service.get_app(store, app_ref), "endpoint", for_listing=False)
        assert {i.id for i in check.items} >= {"conformance.burst", "fire.p95"}


def test_app_ids_are_unique_and_never_reused(db_url: str) -> None:
    from console.profile import AppProfile

    store = open_store(db_url)
    first = apps_service.create_app(store, AppProfile("First", "111"))
    with pytest.raises(service.ServiceError, match="111"):
        apps_service.create_app(store, AppProfile("Twin", "111"))
    with pytest.raises(Exception, match="taken"):  # the database itself refuses a twin (two processes at once)
        store.apps.insert(name="Racer", app_id="111", version="1", kind="dev", scopes=[], manifest={}, settings={})
    second = apps_service.create_app(store, AppProfile("Second", "222"))
    apps_service.delete_app(store, second.id)
    third = apps_service.create_app(store, AppProfile("Third", "333"))
    assert third.id > second.id  # a link to ?app=<second> never shows someone else's app
    assert [a.name for a in apps_service.list_apps(store)] == ["First", "Third"] and first.id < third.id


def test_first_release_twins_keep_the_oldest_app_id(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text("utf-8"))
        conn.execute("INSERT INTO apps (name, app_id, version, kind, scopes, manifest, settings, created_at, "
                     "updated_at) SELECT name || ' twin', app_id, version, kind, scopes, manifest, settings, "
                     "created_at, updated_at FROM apps")
    store = open_store(f"sqlite:///{path}")
    ids = sorted((a.id, a.app_id) for a in apps_service.list_apps(store))
    assert ids[0][1] == "1000001" and ids[1][1] == f"1000001-{ids[1][0]}"
