"""Webhook notifications (retries with a bounded backoff, the fire engine's address policy, deliveries
recorded without the hook's secret path) and the audit log (every kind of entry, no cap, CSV/JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console import audit, cli, notify, review_hooks, service
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, bursts, conversation, firing, readiness, review, scopes, team, versions
from console.store import Store, open_store
from tests.receiver import Receiver

LOCAL = AddressPolicy("local", ())
SHARED = "team-shared-token-0123456789"


@pytest.fixture
def lite(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


# ---------------------------------------------------------------- deliveries


def test_a_failing_hook_is_retried_with_backoff_then_delivered(receiver: Receiver) -> None:
    receiver.fail_first = 2
    waits: list[float] = []
    event = notify.event("signoff", 3, "Shop", "Grace", "ready at the sample")
    result = notify.deliver(receiver.url, event.body("slack"), LOCAL, sleep=waits.append)
    assert (result.outcome, result.attempts, result.status) == ("delivered", 3, 200)
    assert waits == [1.0, 2.0] and receiver.requests == 3
    assert receiver.bodies == [{"text": "App Key Console: Grace signed off Shop: ready at the sample"}]


def test_retries_are_bounded_and_a_refusal_is_final(receiver: Receiver) -> None:
    receiver.fail_first = 100
    waits: list[float] = []
    result = notify.deliver(receiver.url, {"text": "x"}, LOCAL, sleep=waits.append)
    assert (result.outcome, result.attempts, result.error) == ("failed", notify.MAX_ATTEMPTS, "HTTP 503")
    assert waits == list(notify.BACKOFF_S) and receiver.requests == notify.MAX_ATTEMPTS
    receiver.fail_first, receiver.requests, receiver.status = 0, 0, 404
    result = notify.deliver(receiver.url, {"text": "x"}, LOCAL, sleep=waits.append)
    assert (result.outcome, result.attempts, result.status) == ("failed", 1, 404)  # not retried


def test_team_mode_does_not_post_to_internal_addresses(receiver: Receiver) -> None:
    attempt = notify.post_once(receiver.url, {"text": "x"}, AddressPolicy("team", ()))
    assert attempt.status is None and "Team mode" in attempt.error and receiver.requests == 0
    allowed = notify.post_once(receiver.url, {"text": "x"}, AddressPolicy("team", ("127.0.0.1",)))
    assert allowed.ok and receiver.requests == 1


def test_a_slow_hook_is_cut_at_the_deadline() -> None:
    from tests.hostile import hostile, trickle_status

    with hostile(trickle_status(0.3)) as server:
        attempt = notify.post_once(server.url, {"text": "x"}, LOCAL, deadline_s=1.0)
    assert attempt.status is None and "within the deadline of 1 s" in attempt.error  # the fire engine's message


@pytest.mark.parametrize("url, problem", [("ftp://x.example/", "https://"), ("https://u:p@x.example/", "password"),
                                          ("hooks.slack.com/x", "https://")])
def test_hook_urls_are_checked(url: str, problem: str) -> None:
    with pytest.raises(notify.WebhookError, match=problem):
        notify.check_url(url)


def test_signoffs_changes_requested_stale_and_failed_runs_are_sent(lite: Store, receiver: Receiver,
                                                                   sample: SampleEndpoint) -> None:
    review.set_webhook(lite, receiver.url, "json")
    app = apps.create_demo_app(lite, actor="Ada")
    firing.run_conformance_for_app(lite, app, sample.base_url, LOCAL, "sample", actor="Ada")
    team.sign_off(lite, app, "approved", "fine", "sample", False, actor="Grace")
    team.sign_off(lite, app, "changes_requested", "use https", "sample", False, actor="Grace")
    team.sign_off(lite, app, "approved", "ok now", "sample", False, actor="Grace")
    scopes.toggle_scope(lite, app.id, "/fb/page/getInfo", actor="Ada")
    apps.choose_sample_mode(lite, app.id, "500", None, actor="Ada")
    failing = service.get_app(lite, app.id)
    assert failing is not None
    firing.run_conformance_for_app(lite, failing, sample.base_url, LOCAL, "sample", actor="Ada")
    review_hooks.wait_for_deliveries()
    events = sorted(body["event"] for body in receiver.bodies)
    assert events == ["changes_requested", "conformance_failed", "signoff", "signoff", "signoff_stale"]
    stale = next(b for b in receiver.bodies if b["event"] == "signoff_stale")
    assert stale["app"] == {"id": app.id, "name": app.name} and "Ada changed it after Grace's sign-off" in stale["text"]
    deliveries = review.webhook_deliveries(lite)
    assert len(deliveries) == 5 and all(d.outcome == "delivered" for d in deliveries)
    assert all("secret-path" not in d.destination for d in deliveries)
    assert review.team_settings(lite).webhook_destination == receiver.url.split("/hooks")[0]


# ---------------------------------------------------------------- the audit log


def test_the_audit_export_holds_every_kind_of_entry(lite: Store, sample: SampleEndpoint, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    monkeypatch.setenv("CONSOLE_OIDC", "off")
    team.invite_person(lite, "Ada")
    team.invite_person(lite, "Eve")
    team.revoke_person(lite, "Eve")
    review.set_role(lite, "Ada", "all", "admin")
    team.sign_in(lite, SHARED, "Bob", "ip:10.0.0.1")
    app = apps.create_demo_app(lite, actor="Ada")
    apps.save_manifest(lite, app.id, {**app.manifest, "actions": app.manifest["actions"][:0]}, actor="Ada")
    versions.restore_version(lite, app.id, 1, author="Ada")
    scopes.change_scopes(lite, app.id, [], actor="Ada")
    firing.fire_for_app(lite, app, sample.base_url, LOCAL, actor="Ada")
    run_id = firing.run_conformance_for_app(lite, app, sample.base_url, LOCAL, "sample", actor="Ada")
    fired = firing.fire_for_app(lite, app, sample.base_url, LOCAL, actor="Ada")
    firing.record_cli_fires(lite, [(fired.result, None)], "file.json", "sample")
    bursts.start_app_burst(lite, app, sample.base_url, LOCAL, installations=2, concurrency=1, target="sample",
                            actor="Ada")
    item = readiness.checklist(lite, app).items[0].id
    comment = conversation.add_comment(lite, app.id, item, '=HYPERLINK("http://evil")', actor="Ada")
    conversation.resolve_comment(lite, comment.id, actor="Ada")
    team.sign_off(lite, app, "changes_requested", "later", "sample", False, actor="Ada")
    review.set_shared_token(lite, False)
    for number in range(600):  # more than any page: the export has no cap
        lite.activity.record(app_ref=None, app_name="", actor="cli", action="cli_fires", summary=f"bulk {number}")

    out = tmp_path / "audit.json"
    assert cli.main(["team", "audit", "--since", "1h", "--format", "json", "-o", str(out)]) == 0
    entries = json.loads(out.read_text("utf-8"))["entries"]
    kinds = {e["action"] for e in entries}
    assert {"person_invited", "person_revoked", "role_changed", "signed_in", "app_created", "app_json_changed",
            "scopes_changed", "fire", "conformance_run", "cli_fires", "burst", "comment", "comment_resolved",
            "signoff", "shared_token"} <= kinds
    assert len(entries) == lite.audit.count(conversation.audit_filter()) > 600
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    changes = [e for e in entries if e["action"] == "app_json_changed"]
    assert len(changes) == 2 and all(e["detail"]["changes"] for e in changes)  # the save and the restore
    assert next(e for e in entries if e["action"] == "conformance_run")["run_id"] == run_id

    assert cli.main(["team", "audit", "--kind", "comment", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1 and rows[0]["actor"] == "Ada"
    assert rows[0]["summary"].startswith(f"commented on {item}: =HYPERLINK")  # the cell does not start with '='
    assert cli.main(["team", "audit", "--since", "yesterday-ish"]) == 2
    assert "give a date" in capsys.readouterr().err


def test_audit_pages_walk_every_entry_once(lite: Store) -> None:
    for number in range(130):
        lite.activity.record(app_ref=None, app_name="", actor="cli", action="fire", summary=f"entry {number}")
    where = conversation.audit_filter(actions=("fire",))
    seen: list[int] = []
    before = None
    while True:
        page = conversation.audit_page(lite, where, before, size=50)
        seen += [e.id for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == len(set(seen)) == 130 and page.total == 130
    assert conversation.audit_page(lite, conversation.audit_filter(text="entry 12")).total == 1 + 10


def test_csv_cells_never_start_a_formula() -> None:
    from datetime import UTC, datetime

    from console.store.audit_log import AuditEntry

    entry = AuditEntry(1, datetime.now(UTC), "@Ada", "comment", None, "-app", "=1+1", None, None, None,
                       {"changes": []})
    text = "".join(audit.export([entry], "csv"))
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["actor"], row["app_name"], row["summary"]) == ("'@Ada", "'-app", "'=1+1")
