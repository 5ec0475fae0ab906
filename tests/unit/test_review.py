"""Reviewing as a team: roles checked before every write, separation of duties, comments per
checklist item, what changed since the last sign-off, the shared token's rules and OIDC members."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import console.service as service_package
from console import access, roles, service
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, conversation, firing, readiness, review, scopes, team, versions
from console.store import FireFilter, Store, open_store

SHARED = "team-shared-token-0123456789"
LOCAL = AddressPolicy("local", ())


@pytest.fixture
def lite(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(sqlite_url)
    yield opened
    opened.close()


def retitled(manifest: dict, title: str) -> dict:
    """The same App JSON with the first param's title changed (still valid)."""
    auth = {**manifest["auth"], "params": [{**manifest["auth"]["params"][0], "title": title}]}
    return {**manifest, "auth": auth}


def team_of(store: Store) -> None:
    """Ada edits, Grace reviews, Vic only views; the command line (an admin) gave the roles."""
    for name in ("Ada", "Grace", "Vic"):
        team.invite_person(store, name)
    review.set_role(store, "Ada", "all", "editor")
    review.set_role(store, "Grace", "all", "reviewer")


# ---------------------------------------------------------------- the catalogue


def test_the_role_catalogue() -> None:
    assert [a for a in roles.ACTIONS if roles.can("viewer", a)] == ["read"]
    assert roles.can("editor", "edit") and roles.can("editor", "fire") and not roles.can("editor", "signoff")
    assert not roles.can("editor", "delete") and not roles.can("editor", "manage")
    assert roles.can("reviewer", "signoff") and roles.can("reviewer", "fire") and not roles.can("reviewer", "edit")
    assert all(roles.can("admin", a) for a in roles.ACTIONS)
    assert not roles.can(None, "read") and not roles.can("owner", "read")
    grants = [roles.RoleGrant("Ada", 0, "viewer"), roles.RoleGrant("Ada", 7, "admin")]
    assert roles.effective_role(grants, 7, "editor") == "admin"  # the app's own grant wins
    assert roles.effective_role(grants, 8, "editor") == "viewer"  # then the all-apps grant
    assert roles.effective_role([], 8, "editor") == "editor"
    with pytest.raises(ValueError, match="use one of viewer, editor, reviewer, admin"):
        roles.check_role("owner")


# Service functions taking the store that the role guard does not wrap: reads, the sign-in itself (it makes
# the session a role is checked against), and base's helpers that only guarded writes call.
READS = {
    "actions.stored_rehearsal", "actions.rehearsal_outputs", "readiness.recent_rehearsals",
    "readiness.action_checklist", "versions.compat_versions",
    "apps.list_apps", "apps.database_label", "apps.database_revision", "apps.database_location",
    "base.get_app", "base.must_get", "base.get_fire", "base.log_activity",
    "bursts.burst_progress", "bursts.burst_report", "bursts.recent_bursts",
    "conversation.oidc_sign_in", "conversation.threads", "conversation.review_state", "conversation.since_last_signoff",
    "history.history", "history.app_names", "history.latest_fire", "history.recent_fires",
    "readiness.verdict_over", "readiness.readiness", "readiness.file_readiness", "readiness.checklist",
    "readiness.sandbox_least_privilege", "readiness.progress", "readiness.signoffs_for_app", "readiness.report_files",
    "review.role_of", "review.members", "review.team_settings", "review.webhook_deliveries",
    "sandbox.sandbox_overview", "sandbox.app_of_installation", "sandbox.sandbox_calls",
    "team.gate_problem", "team.gate_enabled", "team.sign_in", "team.session_actor", "team.sign_out",
    "team.list_people", "team.activity_for_app", "team.activity_page", "team.activity_actors", "team.require_signoff",
    "versions.list_versions", "versions.get_version", "versions.diff_versions", "versions.held_request",
    "merge.resolve", "merge.base_part",
}
# Writes that check the role themselves (access.refusal) because the action depends on the arguments.
CHECKED_INLINE = {"conversation.add_comment", "conversation.resolve_comment", "conversation.audit_page",
                  "conversation.audit_export", "review.set_role", "review.set_shared_token",
                  "review.set_team_setting", "review.set_webhook"}
STORE_WRITES = re.compile(r"\bstore\.\w+\.(insert|record|add|save|update|delete|set|create|revoke|resolve|start|"
                          r"clear|replace|mark|put|cancel|finish|grant)\w*\(")


def service_functions() -> dict[str, Callable[..., object]]:
    """Every public function of console/service/* defined there that takes the store: 'module.function'."""
    found: dict[str, Callable[..., object]] = {}
    for info in pkgutil.iter_modules(service_package.__path__):
        module = importlib.import_module(f"console.service.{info.name}")
        for name, fn in vars(module).items():
            inner = inspect.unwrap(fn) if inspect.isfunction(fn) else None
            if name.startswith("_") or inner is None or inner.__module__ != module.__name__:
                continue
            if "store" in inspect.signature(inner).parameters:
                found[f"{info.name}.{name}"] = fn
    return found


def test_every_listed_write_is_guarded() -> None:
    found = service_functions()
    for qualified, action in access.WRITE_ACTIONS.items():
        assert getattr(found.get(qualified), "__guarded__", None) == action, qualified
    for qualified, fn in found.items():
        source = inspect.getsource(inspect.unwrap(fn))
        if hasattr(fn, "__guarded__"):
            assert qualified in access.WRITE_ACTIONS, qualified
        elif qualified in CHECKED_INLINE:
            assert "access.refusal(" in source or "_check(" in source, qualified
        else:
            assert qualified in READS, (f"{qualified} takes the store but is neither a guarded write "
                                        "(console.access.WRITE_ACTIONS) nor a known read: classify it")
            if qualified not in ("team.sign_in", "team.sign_out", "conversation.oidc_sign_in", "base.log_activity"):
                assert not STORE_WRITES.search(source), f"{qualified} writes the store without a role check"


def test_an_unlisted_write_is_caught() -> None:
    """The classification above finds a new write nobody listed (the guard is derived, not trusted)."""
    def new_write(store: Store, app_ref: int, *, actor: str = "local") -> None:
        store.apps.delete(app_ref)

    assert STORE_WRITES.search(inspect.getsource(new_write))
    assert "x.new_write" not in READS and "x.new_write" not in access.WRITE_ACTIONS


# ---------------------------------------------------------------- roles on every write


def test_a_viewer_changes_nothing_and_roles_hold_per_app(store: Store, sample: SampleEndpoint) -> None:
    team_of(store)
    app = apps.create_demo_app(store, actor="Ada")
    review.set_role(store, "Vic", app.id, "viewer")
    kept_versions, activity = store.versions.count(app.id), len(store.activity.for_app(app.id))
    attempts = [
        lambda: apps.save_manifest(store, app.id, {**app.manifest, "actions": []}, actor="Vic"),
        lambda: firing.fire_for_app(store, app, sample.base_url, LOCAL, actor="Vic"),
        lambda: scopes.toggle_scope(store, app.id, "/fb/page/getInfo", actor="Vic"),
        lambda: apps.delete_app(store, app.id, actor="Vic"),
        lambda: versions.restore_version(store, app.id, 1, author="Vic"),
        lambda: apps.create_demo_app(store, actor="Vic"),
        lambda: team.sign_off(store, app, "changes_requested", "no", "sample", False, actor="Vic"),
        lambda: team.invite_person(store, "Eve", actor="Vic"),
    ]
    for attempt in attempts:
        with pytest.raises(service.ServiceError, match="Not allowed.*Nothing was changed"):
            attempt()
    stored = service.get_app(store, app.id)
    assert stored is not None and stored.manifest == app.manifest and stored.scopes == app.scopes
    assert store.versions.count(app.id) == kept_versions and len(store.activity.for_app(app.id)) == activity
    assert store.fires.count(FireFilter(app_ref=app.id)) == 0 and len(apps.list_apps(store)) == 1
    with pytest.raises(service.ServiceError, match="needs the admin role"):
        apps.delete_app(store, app.id, actor="Ada")  # an editor changes, but does not delete
    with pytest.raises(service.ServiceError, match="needs the editor role"):
        apps.save_manifest(store, app.id, {**app.manifest, "actions": []}, actor="Grace")
    apps.save_manifest(store, app.id, {**app.manifest, "actions": []}, actor="Ada")
    firing.fire_for_app(store, app, sample.base_url, LOCAL, actor="Grace")  # a reviewer fires
    review.set_role(store, "Vic", app.id, "editor")  # Vic edits this app only
    apps.save_settings(store, app.id, actor="Vic", page_id="7")
    other = apps.create_demo_app(store, actor="Ada")
    with pytest.raises(service.ServiceError, match=f"role for app #{other.id} is viewer"):
        apps.save_settings(store, other.id, actor="Vic", page_id="7")
    team.revoke_person(store, "Ada")
    with pytest.raises(service.ServiceError, match="Ada is not a member"):
        apps.save_settings(store, app.id, actor="Ada", page_id="8")
    assert review.role_of(store, "Bob (shared token)", app.id) == "editor"
    assert review.role_of(store, "cli", app.id) == "admin"


def test_role_changes_are_refused_for_non_admins_and_logged(lite: Store) -> None:
    team_of(lite)
    with pytest.raises(service.ServiceError, match="needs the admin role"):
        review.set_role(lite, "Vic", "all", "admin", actor="Ada")
    with pytest.raises(service.ServiceError, match="not a role"):
        review.set_role(lite, "Vic", "all", "owner")
    with pytest.raises(service.ServiceError, match="no one|active member"):
        review.set_role(lite, "Nobody", "all", "viewer")
    with pytest.raises(service.ServiceError, match="app's id"):
        review.set_role(lite, "Vic", "99", "viewer")
    review.set_role(lite, "Ada", "all", "admin")
    with pytest.raises(service.ServiceError, match="last admin"):
        review.set_role(lite, "Ada", "all", "viewer", actor="Ada")
    review.set_role(lite, "Vic", "all", "reviewer", actor="Ada")
    entry = lite.audit.page(conversation.audit_filter(actions=("role_changed",)))[0]
    assert entry.actor == "Ada" and "Vic: none" not in entry.summary and "→ reviewer for every app" in entry.summary
    assert entry.detail == {"person": "Vic", "app": 0, "before": None, "after": "reviewer"}


def test_without_a_gate_everyone_is_admin(lite: Store) -> None:
    assert review.role_of(lite, "local", None) == "admin"
    app = apps.create_demo_app(lite)
    apps.delete_app(lite, app.id)


# ---------------------------------------------------------------- separation of duties


def test_nobody_signs_off_their_own_changes(lite: Store, sample: SampleEndpoint, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    team_of(lite)
    review.set_role(lite, "Ada", "all", "admin")
    app = apps.create_demo_app(lite, actor="Ada")
    firing.run_conformance_for_app(lite, app, sample.base_url, LOCAL, "sample", actor="Ada")
    with pytest.raises(service.ServiceError, match="Separation of duties: Ada changed this App JSON"):
        team.sign_off(lite, app, "approved", "", "sample", False, actor="Ada")
    assert lite.signoffs.for_app(app.id) == []
    team.sign_off(lite, app, "changes_requested", "my own notes", "sample", False, actor="Ada")  # allowed
    team.sign_off(lite, app, "approved", "", "sample", False, actor="Grace")
    check = team.require_signoff(lite, app.manifest)
    assert check.ok and "signed off by Grace" in check.message
    assert "Grace was not an author of the changes it covered (authors: Ada)" in check.message

    apps.save_manifest(lite, app.id, retitled(app.manifest, "Workspace"), actor="Grace (shared token)")
    changed = service.get_app(lite, app.id)
    assert changed is not None
    firing.run_conformance_for_app(lite, changed, sample.base_url, LOCAL, "sample", actor="Ada")
    with pytest.raises(service.ServiceError, match="Separation of duties: Grace"):  # the shared token is no way out
        team.sign_off(lite, changed, "approved", "", "sample", False, actor="Grace")
    review.set_team_setting(lite, "separation_of_duties", "off", actor="Ada")
    team.sign_off(lite, changed, "approved", "", "sample", False, actor="Grace")
    assert team.require_signoff(lite, changed.manifest).ok
    review.set_team_setting(lite, "separation_of_duties", "on", actor="Ada")
    check = team.require_signoff(lite, changed.manifest)
    assert not check.ok and "covers changes Grace made" in check.message


# ---------------------------------------------------------------- comments and the review state


def test_comments_are_threaded_attributed_and_kept(lite: Store, sample: SampleEndpoint) -> None:
    team_of(lite)
    app = apps.create_demo_app(lite, actor="Ada")
    item = readiness.checklist(lite, app).items[0].id
    first = conversation.add_comment(lite, app.id, item, "evidence is from the old URL", actor="Grace")
    reply = conversation.add_comment(lite, app.id, "ignored", "fired again", parent_id=first.id, actor="Ada")
    assert reply.item == item and reply.parent_id == first.id
    with pytest.raises(service.ServiceError, match="needs the editor role"):
        conversation.add_comment(lite, app.id, item, "hi", actor="Vic")
    with pytest.raises(service.ServiceError, match="Unknown checklist item"):
        conversation.add_comment(lite, app.id, "nope", "hi", actor="Grace")
    with pytest.raises(service.ServiceError, match="empty"):
        conversation.add_comment(lite, app.id, item, "  ", actor="Grace")
    with pytest.raises(service.ServiceError, match="not ready"):
        team.sign_off(lite, app, "approved", "looks fine", "sample", False, actor="Grace")
    team.sign_off(lite, app, "changes_requested", "see the comments", "sample", False, actor="Grace")
    state = conversation.review_state(lite, app)
    assert state.state == "changes_requested" and state.by == "Grace"
    [thread] = state.open_threads
    assert (thread.first.actor, thread.first.body) == ("Grace", "evidence is from the old URL")
    assert [(r.actor, r.body) for r in thread.replies] == [("Ada", "fired again")]
    with pytest.raises(service.ServiceError, match="needs the reviewer role"):
        conversation.resolve_comment(lite, reply.id, actor="Vic")
    conversation.resolve_comment(lite, first.id, actor="Grace")
    assert conversation.review_state(lite, app).open_threads == ()
    assert [t.first.resolved_by for t in conversation.threads(lite, app.id)] == ["Grace"]


def test_since_the_last_signoff(lite: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(lite, actor="Ada")
    firing.run_conformance_for_app(lite, app, sample.base_url, LOCAL, "sample", actor="Ada")
    assert conversation.since_last_signoff(lite, app).signed_version is None
    team.sign_off(lite, app, "approved", "", "sample", False, actor="Grace")
    apps.save_manifest(lite, app.id, retitled(app.manifest, "Changed title"), actor="Ada")
    changed = service.get_app(lite, app.id)
    assert changed is not None
    since = conversation.since_last_signoff(lite, changed)
    assert since.signed_version == 1 and since.current_version == 2
    assert [(c.op, c.pointer, c.new) for c in since.changes] == [("changed", "/auth/params/0/title", "Changed title")]
    assert since.predating_items  # the conformance evidence was gathered before the change
    entry = lite.audit.page(conversation.audit_filter(actions=("app_json_changed",)))[0]
    assert entry.detail is not None and entry.detail["changes"][0]["new"] == "Changed title"
    assert entry.detail["changes"][0]["old"] == "Your Order Notifier workspace"


# ---------------------------------------------------------------- the shared token and OIDC members


def test_the_shared_token_never_takes_an_invited_name(lite: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    monkeypatch.setenv("CONSOLE_OIDC", "off")
    with pytest.raises(service.ServiceError, match="Nobody could sign in"):
        review.set_shared_token(lite, False)
    personal = team.invite_person(lite, "Ada")
    for name in ("Ada", "ada", " ADA "):
        with pytest.raises(service.ServiceError, match="name of an invited person"):
            team.sign_in(lite, SHARED, name, "ip:10.0.0.1")
    assert team.sign_in(lite, SHARED, "Bob", "ip:10.0.0.1").actor == "Bob (shared token)"
    team.revoke_person(lite, "Ada")
    with pytest.raises(service.ServiceError, match="name of an invited person"):  # a revoked person neither
        team.sign_in(lite, SHARED, "Ada", "ip:10.0.0.1")
    personal = team.invite_person(lite, "Grace")
    review.set_shared_token(lite, False)
    with pytest.raises(service.ServiceError, match="shared token is switched off"):
        team.sign_in(lite, SHARED, "Bob", "ip:10.0.0.2")
    assert team.sign_in(lite, personal, "", "ip:10.0.0.3").actor == "Grace"
    kinds = [e.action for e in lite.audit.page(conversation.audit_filter())]
    assert "shared_token" in kinds and kinds.count("signed_in") == 2


def test_oidc_members(lite: Store) -> None:
    team.invite_person(lite, "Ada Lovelace")
    first = conversation.oidc_sign_in(lite, "Ada@Example.com", "Ada Lovelace", "ip:1")
    assert first.actor == "Ada Lovelace 2"  # the invited name is someone else's
    again = conversation.oidc_sign_in(lite, "ada@example.com", "Renamed", "ip:1")
    assert again.actor == "Ada Lovelace 2" and team.session_actor(lite, again.session_token) == again.actor
    assert review.role_of(lite, again.actor, None) == "viewer"  # the default role for new members
    team.revoke_person(lite, "Ada Lovelace 2")
    assert team.session_actor(lite, again.session_token) is None
    with pytest.raises(service.ServiceError, match="access was revoked"):
        conversation.oidc_sign_in(lite, "ada@example.com", "Ada", "ip:1")
    with pytest.raises(service.ServiceError, match="no usable e-mail"):
        conversation.oidc_sign_in(lite, "", "X", "ip:1")
    weird = conversation.oidc_sign_in(lite, "x@example.com", "<script>alert(1)</script>", "ip:1")
    assert weird.actor == "script alert 1 script"
    assert [m.email for m in review.members(lite) if m.name == weird.actor] == ["x@example.com"]


def test_people_invited_before_roles_keep_editing(sqlite_url: str) -> None:
    old = open_store(sqlite_url)
    team.invite_person(old, "Ada")
    team.invite_person(old, "Gone")
    team.revoke_person(old, "Gone")
    with old.engine.begin() as conn:  # back to the database of the previous release
        for table in ("app_roles", "console_settings", "review_comments", "webhook_deliveries", "activity_details",
                      "oidc_identities"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.exec_driver_sql("DROP TABLE app_revisions")  # (and 0011's revision of each app)
        conn.exec_driver_sql("ALTER TABLE apps DROP COLUMN revision")
        for index in ("ix_fires_app_source_time", "ix_installations_app_delivery"):  # (and 0012's indexes)
            conn.exec_driver_sql(f"DROP INDEX {index}")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0009_fire_manifest_hash'")
    old.close()
    upgraded = open_store(sqlite_url)
    try:
        assert [(g.person, g.app_ref, g.role) for g in upgraded.roles.all()] == [("Ada", 0, "editor")]
    finally:
        upgraded.close()
