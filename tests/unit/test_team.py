"""Team mode's rules: the access gate (constant-time compare, slow-down per client shared by every
process through the database), invites and revokes, who did what, and sign-offs going stale."""

from __future__ import annotations

import hmac
import json
import time
from pathlib import Path

import pytest

from console import cli, service, team
from console.manifest.document import dump_manifest
from console.netpolicy import AddressPolicy
from console.profile import AppProfile
from console.report import build_report, render_html, render_markdown
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, firing, readiness, scopes
from console.service import team as team_service
from console.store import FireFilter, Store, open_store
from tests.conftest import database_text

SHARED = "team-shared-token-0123456789"
LOCAL = AddressPolicy("local", ())


def refused(store: Store, token: str, client: str, name: str = "Ada") -> str:
    with pytest.raises(service.ServiceError) as caught:
        team_service.sign_in(store, token, name, client)
    return str(caught.value)


# ---------------------------------------------------------------- the gate


def test_wrong_tokens_of_every_length_are_refused_through_compare_digest(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    personal = team_service.invite_person(store, "Grace")
    calls: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a: bytes | str, b: bytes | str) -> bool:
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(team.hmac, "compare_digest", spy)
    wrong = ["", " ", "x", SHARED[:-1], SHARED + "x", SHARED.upper(), personal[:-1], personal + "=",
             *("a" * n for n in range(1, 80)), "é" * 40, SHARED[::-1]]
    for number, token in enumerate(wrong):
        message = refused(store, token, f"ip:10.0.0.{number}")  # a client each: no slow-down in the way
        assert "not valid" in message
    # the shared token is always compared as two 32-byte digests: its length and content do not matter
    assert calls and all(pair == (32, 32) for pair in calls if pair != (64, 64))
    assert len([pair for pair in calls if pair == (32, 32)]) == len(wrong)
    assert team_service.sign_in(store, SHARED, "Ada", "ip:10.1.0.1").actor == "Ada (shared token)"
    assert team_service.sign_in(store, personal, "", "ip:10.1.0.2").actor == "Grace"
    assert "your name" in refused(store, SHARED, "ip:10.1.0.3", name="  ")
    assert "not a usable name" in refused(store, SHARED, "ip:10.1.0.3", name="<script>")


def test_repeated_failures_slow_down_the_client_in_every_process(db_url: str, store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "1")
    other_process = open_store(db_url)  # another console process on the same database
    try:
        client = team_service.gate_client({"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}, "127.0.0.1")
        assert client == "xff:198.51.100.7"  # the hop the proxy appended, not what the client claims
        for _ in range(team.FREE_FAILURES - 1):
            assert "wait" not in refused(store, "wrong", client)
        assert "wait 1 s" in refused(other_process, "wrong", client)  # the third failure, in the other process
        # while it waits, even the right token is refused, in both processes; other clients are not slowed
        assert "wait" in refused(store, SHARED, client)
        assert "wait" in refused(other_process, SHARED, client)
        assert team_service.sign_in(store, SHARED, "Bob", "xff:192.0.2.1").actor == "Bob (shared token)"
        time.sleep(1.2)
        assert "wait 2 s" in refused(store, "still wrong", client)  # it doubles
        time.sleep(2.2)
        signed = team_service.sign_in(other_process, SHARED, "Ada", client)
        assert signed.actor == "Ada (shared token)"
        assert store.gate_attempts.counter(team.claim_key(client, "Ada")).failures == 0  # a success clears it
    finally:
        other_process.close()
    assert [team.wait_after(n) for n in range(9)] == [0, 0, 0, 1, 2, 4, 8, 16, 32]
    assert team.wait_after(100) == team.MAX_WAIT_S
    assert team.client_key({}, None) == "localhost" and team.client_key({}, "10.0.0.1") == "ip:10.0.0.1"
    # behind one trusted proxy the hop it appended counts; with none trusted the header is ignored
    assert team.client_key({"x-forwarded-for": "1.1.1.1"}, None) == "xff:1.1.1.1"
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "0")
    assert team.client_key({"x-forwarded-for": "1.1.1.1"}, "93.184.216.34") == "ip:93.184.216.34"


def test_invite_and_revoke_from_the_cli(db_url: str, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["team", "invite", "Ada Lovelace"]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert len(token) >= 40 and "shown only now" in out.err
    assert token.encode() not in database_text(db_url)  # stored hashed
    assert team.hash_token(token).encode() in database_text(db_url)
    signed = team_service.sign_in(store, token, "", "ip:10.2.0.1")
    assert signed.actor == "Ada Lovelace" and team_service.session_actor(store, signed.session_token) == "Ada Lovelace"
    assert signed.session_token.encode() not in database_text(db_url)

    assert cli.main(["team", "invite", "Ada Lovelace"]) == 2
    assert "already invited" in capsys.readouterr().err
    assert cli.main(["team", "invite", "cli"]) == 2 and "reserved" in capsys.readouterr().err
    assert cli.main(["team", "invite", "<b>x</b>"]) == 2 and "not a usable name" in capsys.readouterr().err
    assert cli.main(["team", "list", "--json"]) == 0
    people = json.loads(capsys.readouterr().out)["people"]
    assert [(p["name"], p["active"], p["invited_by"]) for p in people] == [("Ada Lovelace", True, "cli")]

    assert cli.main(["team", "revoke", "Ada Lovelace"]) == 0
    assert "sessions have ended" in capsys.readouterr().out
    assert team_service.session_actor(store, signed.session_token) is None  # signed out everywhere at once
    assert "not valid" in refused(store, token, "ip:10.2.0.2")
    assert cli.main(["team", "revoke", "Ada Lovelace"]) == 2 and "team list" in capsys.readouterr().err
    assert cli.main(["team", "invite", "Ada Lovelace", "--json"]) == 0  # invited again: a new token
    again = json.loads(capsys.readouterr().out)["token"]
    assert again != token and team_service.sign_in(store, again, "", "ip:10.2.0.3").actor == "Ada Lovelace"
    kinds = [a.action for a in store.activity.for_app(None)]
    assert kinds.count("person_invited") == 2 and kinds.count("person_revoked") == 1


def test_sign_out_ends_the_session(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    signed = team_service.sign_in(store, SHARED, "Ada", "ip:10.3.0.1")
    assert team_service.session_actor(store, signed.session_token) == "Ada (shared token)"
    team_service.sign_out(store, signed.session_token)
    assert team_service.session_actor(store, signed.session_token) is None
    assert team_service.session_actor(store, "made-up") is None
    old = team_service.sign_in(store, SHARED, "Ada", "ip:10.3.0.2")
    monkeypatch.setattr(team, "SESSION_MAX_AGE", team.timedelta(seconds=0))
    assert team_service.session_actor(store, old.session_token) is None  # too old: sign in again


def test_team_mode_refuses_to_start_without_a_gate(db_url: str, store: Store, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert team_service.gate_problem(store) is None and cli.main(["team", "status"]) == 0
    monkeypatch.setenv("CONSOLE_MODE", "team")
    assert "CONSOLE_ACCESS_TOKEN" in (team_service.gate_problem(store) or "")
    capsys.readouterr()
    assert cli.main(["team", "status", "--json"]) == 2
    out = capsys.readouterr()
    assert json.loads(out.out)["gate"] is False and "CONSOLE_ACCESS_TOKEN" in out.err
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", "short")
    assert "too short" in (team_service.gate_problem(store) or "") and cli.main(["team", "status"]) == 2
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    assert team_service.gate_problem(store) is None and cli.main(["team", "status"]) == 0
    monkeypatch.delenv("CONSOLE_ACCESS_TOKEN")
    team_service.invite_person(store, "Ada")  # personal tokens are a gate too
    assert team_service.gate_problem(store) is None and team_service.gate_enabled(store)
    assert not team_service.reveal_allowed()


# ---------------------------------------------------------------- who did what


def test_every_kind_of_change_records_the_person(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store, actor="Ada")
    apps.update_profile(store, app.id, AppProfile("Renamed", app.app_id, "2.0", app.kind), actor="Bob")
    scopes.toggle_scope(store, app.id, "/fb/page/getInfo", actor="Ada")
    scopes.change_scopes(store, app.id, ["/fb/page/getInfo"], actor="Bob")
    apps.save_manifest(store, app.id, {**app.manifest, "actions": []}, actor="Ada")
    apps.save_settings(store, app.id, actor="Bob", page_id="42")
    apps.choose_sample_mode(store, app.id, "500", None, actor="Ada")
    app = service.get_app(store, app.id)
    assert app is not None
    fired = firing.fire_for_app(store, app, sample.base_url, LOCAL, actor="Bob")
    apps.choose_sample_mode(store, app.id, "ok", None, actor="Bob")
    app = service.get_app(store, app.id)
    assert app is not None
    run_id = firing.run_conformance_for_app(store, app, sample.base_url, LOCAL, "sample", actor="Ada")
    team_service.sign_off(store, app, "changes_requested", "needs https", "sample", False, actor="Bob")
    cli_fires = firing.record_cli_fires(store, [(fired.result, None)], "file.json", "sample")
    firing.fire_for_app(store, app, sample.base_url, LOCAL)  # no gate: 'local'

    log = {(a.action, a.actor) for a in team_service.activity_for_app(store, app.id)}
    assert {("app_created", "Ada"), ("profile_changed", "Bob"), ("scopes_changed", "Ada"), ("scopes_changed", "Bob"),
            ("app_json_changed", "Ada"), ("settings_changed", "Bob"), ("settings_changed", "Ada"), ("fire", "Bob"),
            ("conformance_run", "Ada"), ("signoff", "Bob"), ("fire", "local")} <= log
    entries = team_service.activity_for_app(store, app.id)
    fire_entry = next(a for a in entries if a.action == "fire" and a.actor == "Bob")
    assert fire_entry.fire_id == fired.record.id and "HTTP 500" in fire_entry.summary
    assert next(a for a in entries if a.action == "conformance_run").run_id == run_id
    assert next(a for a in entries if a.action == "signoff").signoff_id is not None
    assert "needs https" in next(a for a in entries if a.action == "signoff").summary
    assert "version '1.0' → '2.0'" in next(a for a in entries if a.action == "profile_changed").summary
    by_actor = {row["actor"] for row in store.fires.page(FireFilter(app_ref=app.id), limit=100)}
    assert by_actor == {"Bob", "Ada", "local"}
    assert {row["actor"] for row in store.fires.page(FireFilter(run_id=run_id))} == {"Ada"}
    assert cli_fires == [] and store.activity.for_app(None)[0].actor == "cli"
    assert store.fires.page(FireFilter(source="cli"), limit=1)[0]["actor"] == "cli"
    apps.delete_app(store, app.id, actor="Ada")
    assert [(a.action, a.actor) for a in team_service.activity_for_app(store, app.id)][0] == ("app_deleted", "Ada")


# ---------------------------------------------------------------- sign-off


def test_a_signoff_goes_stale_when_the_app_json_or_the_scopes_change(store: Store, sample: SampleEndpoint,
                                                                     tmp_path: Path) -> None:
    app = apps.create_demo_app(store, actor="Ada")
    with pytest.raises(service.ServiceError, match="not ready.*Missing evidence"):
        team_service.sign_off(store, app, "approved", "", "sample", False, actor="Bob")  # nothing fired yet
    with pytest.raises(service.ServiceError, match="which changes"):
        team_service.sign_off(store, app, "changes_requested", " ", "sample", False, actor="Bob")
    app = apps.save_settings(store, app.id, sample_mode="flaky", sample_arg=1)  # fails once: recovery proven
    firing.run_conformance_for_app(store, app, sample.base_url, LOCAL, "sample", actor="Ada")
    view = team_service.sign_off(store, app, "approved", "retry & rekey <ok>", "sample", False, actor="Bob")
    assert view.fresh_approval and view.record.ready and view.record.actor == "Bob"
    assert any(e["fires"] for e in view.record.evidence)  # the fires the verdict rested on
    assert team_service.require_signoff(store, app.manifest).ok
    assert not team_service.require_signoff(store, app.manifest, for_listing=True).ok

    scopes.toggle_scope(store, app.id, "/fb/page/getInfo", actor="Ada")
    app = service.get_app(store, app.id)
    assert app is not None
    views = readiness.signoffs_for_app(store, app)
    assert views[0].stale and views[0].why_stale == "the scopes changed since"
    check = team_service.require_signoff(store, app.manifest)
    assert not check.ok and "stale (the scopes changed since)" in check.message and "Bob" in check.message

    team_service.sign_off(store, app, "approved", "again", "sample", False, actor="Carol")
    apps.save_manifest(store, app.id, {**app.manifest, "actions": [{"x": 1}]}, actor="Ada")
    changed = service.get_app(store, app.id)
    assert changed is not None
    latest = readiness.signoffs_for_app(store, changed)[0]
    assert latest.stale and latest.why_stale == "the App JSON changed since"
    assert not team_service.require_signoff(store, changed.manifest).ok  # nobody signed this document
    assert "nobody signed off this exact document" in team_service.require_signoff(store, changed.manifest).message
    assert not team_service.require_signoff(store, app.manifest).ok  # the signed document is no longer the app's
    apps.save_manifest(store, app.id, app.manifest, actor="Ada")  # back to what Carol signed
    assert team_service.require_signoff(store, app.manifest, app_ref=app.id).ok
    team_service.sign_off(store, app, "changes_requested", "found a bug", "sample", False, actor="Dan")
    assert "changes requested" in team_service.require_signoff(store, app.manifest).message
    assert "no app #999" in team_service.require_signoff(store, app.manifest, app_ref=999).message

    report = build_report(apps.profile_of(app), app.scopes, app.manifest,
                          readiness.readiness(store, app, "sample", False).items, target="sample", for_listing=False,
                          signoffs=[v.to_dict() for v in readiness.signoffs_for_app(store, app)])
    assert [s["by"] for s in report["signoffs"]] == ["Dan", "Carol", "Bob"]
    assert [s["stale"] for s in report["signoffs"]] == [False, False, True]
    html = render_html(report)
    assert "retry &amp; rekey &lt;ok&gt;" in html and "<ok>" not in html
    assert "| Dan | changes requested |" in render_markdown(report)


def test_check_requires_a_fresh_signoff(db_url: str, store: Store, sample: SampleEndpoint, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    app = apps.create_demo_app(store)
    path = tmp_path / "app.json"
    path.write_text(dump_manifest(app.manifest), "utf-8")
    url = sample.install_url("ok")
    assert cli.main(["check", str(path), "--url", url]) == 0
    capsys.readouterr()
    assert cli.main(["check", str(path), "--url", url, "--require-signoff"]) == 1
    out = capsys.readouterr().out
    assert "READY" in out and "Sign-off: MISSING" in out and "nobody signed off this exact document" in out
    firing.run_conformance_for_app(store, app, sample.base_url, LOCAL, "sample")
    team_service.sign_off(store, app, "approved", "", "sample", False, actor="Bob")
    assert cli.main(["check", str(path), "--url", url, "--require-signoff", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["signoff_required"]["ok"] and report["signoffs"][0]["by"] == "Bob"
    scopes.toggle_scope(store, app.id, "/fb/page/getInfo")
    assert cli.main(["check", str(path), "--url", url, "--require-signoff", "--app", str(app.id)]) == 1
    assert "stale (the scopes changed since)" in capsys.readouterr().out
    assert cli.main(["check", str(path), "--app", "3"]) == 2
    assert "--require-signoff" in capsys.readouterr().err


def test_the_team_migration_builds_exactly_the_schema(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from console.store.schema import metadata

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
        tables = set(conn.dialect.get_table_names(conn))
    assert {"people", "team_sessions", "gate_failures", "activity", "signoffs"} <= tables


def test_the_cli_records_its_changes_as_cli(db_url: str, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "seed", "--fires", "3", "--json"]) == 0
    app_ref = json.loads(capsys.readouterr().out)["app"]
    assert [(a.action, a.actor) for a in team_service.activity_for_app(store, app_ref)] == [("app_created", "cli")]
