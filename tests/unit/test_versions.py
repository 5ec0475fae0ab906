"""App JSON versions through the service layer (SQLite and PostgreSQL): every saved change is a
version with who/when/from where/what; diff any two; restore and undo make new versions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import sqlalchemy as sa

from console import service
from console.profile import AppProfile
from console.service import apps as apps_service
from console.service import versions as versions_service
from console.store import Store

PROFILE = AppProfile("Versioned", "4242", "1.0", "dev")


def test_every_saved_change_is_a_version(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc, source="cli", actor="ci-bot")
    [first] = versions_service.list_versions(store, app.id)
    assert (first.number, first.source, first.author, first.summary) == (1, "cli", "ci-bot", "app created")
    assert first.created_at.tzinfo is not None

    apps_service.save_manifest(store, app.id, copy.deepcopy(demo_doc))  # no change: no version
    assert len(versions_service.list_versions(store, app.id)) == 1

    changed = copy.deepcopy(demo_doc)
    changed["auth"]["request"]["url"] = "https://v2.example.com/installed"
    apps_service.save_manifest(store, app.id, changed, source="import")
    latest = versions_service.list_versions(store, app.id)[0]
    assert (latest.number, latest.source, latest.author) == (2, "import", "local")  # who: no gate, so local
    assert "changed /auth/request/url" in latest.summary
    assert service.get_app(store, app.id).manifest == changed

    changes = versions_service.diff_versions(store, app.id, 1, 2)
    assert [(c.op, c.pointer, c.new) for c in changes] == [
        ("changed", "/auth/request/url", "https://v2.example.com/installed")]


def test_restore_and_undo_make_new_versions(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc)
    states = [demo_doc]
    for n in range(2, 5):
        doc = copy.deepcopy(states[-1])
        doc["actions"][0]["title"] = f"Title {n}"
        apps_service.save_manifest(store, app.id, doc)
        states.append(doc)
    versions_service.restore_version(store, app.id, 2)
    assert service.get_app(store, app.id).manifest == states[1]
    latest = versions_service.list_versions(store, app.id)[0]
    assert latest.number == 5 and latest.source == "restore" and latest.summary.startswith("restored version 2")
    assert versions_service.get_version(store, app.id, 4).document == states[3]  # nothing lost

    undone = versions_service.undo_manifest(store, app.id)  # back to the state before the restore
    assert undone.restored == 4 and undone.version == 6 and undone.app.manifest == states[3]
    for expected in (3, 2, 1):
        undone = versions_service.undo_manifest(store, app.id, undone.restored)
        assert undone.restored == expected and undone.app.manifest == states[expected - 1]
    with pytest.raises(service.ServiceError, match="nothing to undo"):
        versions_service.undo_manifest(store, app.id, undone.restored)
    with pytest.raises(service.ServiceError, match="no version 99"):
        versions_service.restore_version(store, app.id, 99)


def test_the_request_is_held_while_manual_delivery_is_saved(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc)
    manual = copy.deepcopy(demo_doc)
    del manual["auth"]["request"]
    apps_service.save_manifest(store, app.id, manual)
    assert versions_service.held_request(store, app.id) == demo_doc["auth"]["request"]


def test_an_app_from_before_versions_keeps_its_state_first(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM app_versions"))
    changed = copy.deepcopy(demo_doc)
    changed["actions"][0]["title"] = "New"
    apps_service.save_manifest(store, app.id, changed)
    versions = versions_service.list_versions(store, app.id)
    assert [(v.number, v.source) for v in versions] == [(2, "page"), (1, "initial")]
    assert versions_service.get_version(store, app.id, 1).document == demo_doc


def test_versions_go_with_their_app(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc)
    apps_service.delete_app(store, app.id)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM app_versions")).scalar_one() == 0


def test_import_preview_says_what_would_be_dropped(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc)
    preview = versions_service.preview_import(app, '{"auth": null, "actions": []}')
    assert preview.drops_auth and preview.drops_actions and len(preview.cautions) == 2
    assert service.get_app(store, app.id).manifest == demo_doc  # a preview saves nothing
    fragment = versions_service.preview_import(app, '"request": {"url": "https://n.example.com/i", "method": "POST"}')
    assert not fragment.cautions and [c.pointer for c in fragment.changes] == [
        "/auth/request/url", "/auth/request/headers", "/auth/request/mapping", "/auth/request/payload"]


def test_the_migration_keeps_each_existing_app_as_version_1(db_url: str, demo_doc: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    from alembic import command

    from console.store import open_store
    from console.store.engine import _alembic_config, create_engine
    from console.store.schema import JSONDocument, UTCDateTime

    # the apps table as revision 0002 made it (later revisions may add columns)
    apps = sa.table("apps", *(sa.column(c) for c in ("name", "app_id", "version", "kind")),
                    *(sa.column(c, JSONDocument) for c in ("scopes", "manifest", "settings")),
                    *(sa.column(c, UTCDateTime) for c in ("created_at", "updated_at")))

    engine = create_engine(db_url)
    with engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "0002_foundation")
        conn.commit()
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(apps.insert().values(name="Old", app_id="1", version="1.0", kind="dev", scopes=[],
                                          manifest=demo_doc, settings={}, created_at=stamp, updated_at=stamp))
    engine.dispose()
    store = open_store(db_url)
    try:
        app = apps_service.list_apps(store)[0]
        [version] = versions_service.list_versions(store, app.id)
        assert (version.number, version.source, version.created_at) == (1, "migration", stamp)
        assert versions_service.get_version(store, app.id, 1).document == demo_doc
    finally:
        store.close()
