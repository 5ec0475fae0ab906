"""The local ManyChat API over real HTTP on loopback: enforcement byte for byte, installations and their
keys, re-keying on scope changes (dev at once, public through review) with the sample endpoint
receiving every new key, the trigger webhook, the call log and least privilege, rate limits."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from console import keys, service
from console.profile import AppProfile
from console.readiness import ReadinessInput, evaluate_checklist
from console.sandbox.api import SandboxServer, openapi_document
from console.sandbox.gateway import Gateway
from console.sandbox.ratelimit import RateLimiter
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, readiness, sandbox
from console.service import scopes as scopes_service
from console.store import AppRecord, FireFilter, Store
from tests.conftest import database_text

UNINSTALLED = b'{"status": "exception","message": "Something went wrong"}'
WRONG_TOKEN = b'{"status": "error","message": "Wrong access token"}'
SCOPES = ["/fb/page/getInfo", "/fb/page/getTags", "/fb/page/createTag", "/fb/subscriber/getInfo",
          "/fb/subscriber/addTagByName", "/fb/sending/sendContent", "/fb/subscriber/getInfoByUserRef"]
TRIGGERS = [{"name": "order_shipped", "title": "Order shipped", "description": "An order left the warehouse.",
             "context": [{"name": "order_id", "type": "string", "title": "Order"},
                         {"name": "total", "type": "number", "title": "Total"}]}]


@pytest.fixture
def api(store: Store) -> Iterator[SandboxServer]:
    server = SandboxServer(store).start()
    yield server
    server.stop()


def make_app(store: Store, demo_doc: dict[str, Any], kind: str = "dev", scopes: list[str] | None = None,
             name: str = "Sandboxed") -> AppRecord:
    manifest = copy.deepcopy(demo_doc)
    manifest["triggers"] = TRIGGERS
    return apps.create_app(store, AppProfile(name, "4242", "1.0", kind), manifest, scopes or SCOPES)


def call(api: SandboxServer, key: str | None, path: str, body: dict[str, Any] | None = None,
         params: dict[str, Any] | None = None) -> requests.Response:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    if body is not None:
        return requests.post(api.base_url + path, json=body, headers=headers, timeout=10)
    return requests.get(api.base_url + path, params=params, headers=headers, timeout=10)


def received_tokens(sample: SampleEndpoint) -> list[str]:
    """The fingerprints of the App Keys the sample endpoint received in the payload, oldest first."""
    return [r["payload"]["/app_token"] for r in sample.received()]


def test_in_scope_200_out_of_scope_401_uninstalled_500_byte_exact(store: Store, api: SandboxServer,
                                                                  sample: SampleEndpoint, demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    delivery = sandbox.install_app(store, app.id, "100200300", sample.install_url("ok"))
    assert delivery.state == "delivered" and delivery.result is not None and delivery.result.status == 200
    key = delivery.app_key

    ok = call(api, key, "/fb/page/getInfo")
    assert ok.status_code == 200 and ok.json()["status"] == "success"
    assert ok.json()["data"]["name"] == "Sandbox page 100200300"

    refused = call(api, key, "/fb/page/getFlows")
    assert refused.status_code == 401 and refused.content == WRONG_TOKEN

    sandbox.uninstall_installation(store, delivery.installation.id)
    gone = call(api, key, "/fb/page/getInfo")
    assert gone.status_code == 500 and gone.content == UNINSTALLED
    assert gone.headers["content-type"].startswith("application/json")
    assert call(api, key, "/fb/page/getFlows").content == UNINSTALLED  # uninstalled answers before scopes


@pytest.mark.parametrize("header", [None, "Bearer ", "Basic abc", "Bearer " + "0" * 64, "Bearer not-a-key"])
def test_unknown_or_missing_keys_get_401(store: Store, api: SandboxServer, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = requests.get(api.base_url + "/fb/page/getInfo", headers=headers, timeout=10)
    assert answer.status_code == 401 and answer.content == WRONG_TOKEN


def test_replaced_key_401_and_the_rule_can_be_switched_off(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                                           demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    old = sandbox.install_app(store, app.id, "100200300", sample.install_url("ok")).app_key
    change = scopes_service.change_scopes(store, app.id, [*SCOPES, "/fb/page/getFlows"])
    new = change.deliveries[0].app_key
    assert new != old
    assert call(api, old, "/fb/page/getInfo").content == WRONG_TOKEN
    assert call(api, new, "/fb/page/getFlows").status_code == 200
    sandbox.set_sandbox_rules(store, app.id, replaced_key_rule=False)
    assert call(api, old, "/fb/page/getInfo").status_code == 200  # the assumption switched off
    assert call(api, old, "/fb/page/getFlows").status_code == 200  # with the installation's current scopes


def test_write_then_read_and_manychat_error_envelopes(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                                      demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    key = sandbox.install_app(store, app.id, "777", sample.install_url("ok")).app_key
    created = call(api, key, "/fb/page/createTag", {"name": "from-the-app"})
    assert created.status_code == 200
    tag = created.json()["data"]["tag"]
    assert tag in call(api, key, "/fb/page/getTags").json()["data"]
    duplicate = call(api, key, "/fb/page/createTag", {"name": "from-the-app"})
    assert duplicate.status_code == 400
    assert duplicate.json()["status"] == "error" and "already exists" in duplicate.json()["details"]["messages"][0][
        "message"]

    assert call(api, key, "/fb/subscriber/addTagByName", {"subscriber_id": 1000000002,
                                                          "tag_name": "from-the-app"}).json() == {"status": "success"}
    person = call(api, key, "/fb/subscriber/getInfo", params={"subscriber_id": 1000000002}).json()["data"]
    assert {"id": tag["id"], "name": "from-the-app"} in person["tags"]

    bad = call(api, key, "/fb/page/createTag", {"title": "no name"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "Validation error" and "name" in bad.json()["details"]["messages"][0]["message"]
    not_json = requests.post(api.base_url + "/fb/page/createTag", data=b"{oops", timeout=10,
                             headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.text

    window = call(api, key, "/fb/sending/sendContent", {"subscriber_id": 1000000004, "data": {"version": "v2"}})
    assert window.status_code == 400 and window.json()["code"] == 3011
    assert call(api, key, "/fb/sending/sendContent", {"subscriber_id": 1000000004, "data": {},
                                                      "message_tag": "ACCOUNT_UPDATE"}).status_code == 200
    assert call(api, key, "/fb/subscriber/getInfoByUserRef", params={"user_ref": 9}).json()["code"] == 2011
    assert call(api, key, "/fb/subscriber/getInfoByUserRef", params={"user_ref": 5002}).json()["code"] == 2012

    other_page = sandbox.install_app(store, app.id, "888", sample.install_url("ok")).app_key
    assert tag not in call(api, other_page, "/fb/page/getTags").json()["data"]  # each page has its own data


def test_trigger_webhook_good_and_bad(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                      demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    delivery = sandbox.install_app(store, app.id, "100200300", sample.install_url("ok"))
    key = delivery.app_key
    good = {"version": 1, "subscriber_id": 1000000001, "trigger_name": "order_shipped",
            "context": {"order_id": "A-1", "total": 12.5}}
    assert call(api, key, "/apps/wh", good).json() == {"status": "success"}

    unknown = call(api, key, "/apps/wh", {**good, "trigger_name": "order_lost"})
    assert unknown.status_code == 400
    assert "'order_lost' is not a trigger of this app (its App JSON declares: order_shipped)" in unknown.text
    extra = call(api, key, "/apps/wh", {**good, "context": {"order_id": "A-1", "total": 1, "coupon": "X"}})
    assert extra.status_code == 400 and "coupon not declared" in extra.text
    missing = call(api, key, "/apps/wh", {**good, "context": {"order_id": "A-1"}})
    assert missing.status_code == 400 and "missing total" in missing.text
    wrong_type = call(api, key, "/apps/wh", {**good, "context": {"order_id": "A-1", "total": "twelve"}})
    assert wrong_type.status_code == 400 and "context.total: the trigger declares it as number" in wrong_type.text
    assert call(api, key, "/apps/wh", {**good, "version": 2}).status_code == 400
    assert call(api, "f" * 64, "/apps/wh", good).content == WRONG_TOKEN

    log = sandbox.sandbox_calls(store, app.id)
    fired = [c for c in log if c.outcome == "trigger_fired"]
    assert len(fired) == 1 and fired[0].note == "trigger fired: order_shipped" and fired[0].path == "/apps/wh"
    sandbox.uninstall_installation(store, delivery.installation.id)
    assert call(api, key, "/apps/wh", good).content == UNINSTALLED


def test_dev_app_rekeys_every_installation_at_once(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                                   demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    first = sandbox.install_app(store, app.id, "111", sample.install_url("ok"))
    second = sandbox.install_app(store, app.id, "222", sample.install_url("ok"))
    assert received_tokens(sample) == [keys.fingerprint(first.app_key), keys.fingerprint(second.app_key)]

    change = scopes_service.change_scopes(store, app.id, [*SCOPES, "/fb/page/getFlows"])
    assert change.sandbox.review_state == "live" and len(change.deliveries) == 2
    new_keys = {d.installation.page_id: d.app_key for d in change.deliveries}
    assert all(d.state == "delivered" for d in change.deliveries)
    # each installation's new key reached the endpoint with that installation's page_id (sent concurrently)
    assert {(r["payload"]["/page_id"], r["payload"]["/app_token"]) for r in sample.received()[2:]} == {
        (keys.fingerprint(page), keys.fingerprint(key)) for page, key in new_keys.items()}
    assert len(sample.received()) == 4
    for page in ("111", "222"):
        assert call(api, new_keys[page], "/fb/page/getFlows").status_code == 200
    assert call(api, first.app_key, "/fb/page/getInfo").content == WRONG_TOKEN
    fires = store.fires.page(FireFilter(app_ref=app.id, source="sandbox"), limit=10)
    assert sorted(r["step"] for r in fires) == ["install", "install", "rekey", "rekey"]


def test_public_app_needs_republish_and_review(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                               demo_doc: dict) -> None:
    app = make_app(store, demo_doc, kind="public")
    key = sandbox.install_app(store, app.id, "333", sample.install_url("ok")).app_key
    wider = [*SCOPES, "/fb/page/getFlows"]

    saved = scopes_service.change_scopes(store, app.id, wider)
    assert saved.sandbox.review_state == "republish_needed" and saved.deliveries == ()
    assert service.get_app(store, app.id).scopes == tuple(s for s in saved.app.scopes)
    assert call(api, key, "/fb/page/getFlows").content == WRONG_TOKEN  # not applied yet
    assert call(api, key, "/fb/page/getInfo").status_code == 200  # the key still works
    with pytest.raises(service.ServiceError, match="no review to approve"):
        sandbox.approve_review(store, app.id)

    assert sandbox.republish_app(store, app.id).sandbox.review_state == "in_review"
    rejected = sandbox.reject_review(store, app.id)
    assert rejected.sandbox.review_state == "rejected" and rejected.deliveries == ()
    assert len(sample.received()) == 1  # only the install: rejecting fires nothing
    assert call(api, key, "/fb/page/getInfo").status_code == 200 and \
        call(api, key, "/fb/page/getFlows").content == WRONG_TOKEN

    sandbox.republish_app(store, app.id)
    approved = sandbox.approve_review(store, app.id)
    assert approved.sandbox.review_state == "live" and "/fb/page/getFlows" in approved.sandbox.live_scopes
    new_key = approved.deliveries[0].app_key
    assert received_tokens(sample)[-1] == keys.fingerprint(new_key)
    assert call(api, new_key, "/fb/page/getFlows").status_code == 200
    assert call(api, key, "/fb/page/getInfo").content == WRONG_TOKEN


def test_failed_delivery_retry_one_and_all(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                           demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    failing = sandbox.install_app(store, app.id, "444", sample.install_url("flaky", 1, "a"))
    assert failing.state == "failed" and failing.result is not None and failing.result.status == 500
    assert store.installations.get(failing.installation.id).delivery == "failed"
    retried = sandbox.retry_installation(store, failing.installation.id, app_key=failing.app_key)
    assert retried.state == "delivered" and retried.app_key == failing.app_key  # the held key, re-sent
    assert received_tokens(sample)[-2:] == [keys.fingerprint(failing.app_key)] * 2

    a = sandbox.install_app(store, app.id, "501", sample.install_url("flaky", 1, "b"))
    b = sandbox.install_app(store, app.id, "502", sample.install_url("flaky", 1, "c"))
    assert (a.state, b.state) == ("failed", "failed")
    again = sandbox.retry_failed_installations(store, app.id)
    assert sorted(d.installation.page_id for d in again) == ["501", "502"]
    assert all(d.state == "delivered" for d in again)
    for delivery in again:  # without the held key a retry sends a fresh one, and it works
        assert delivery.app_key not in (a.app_key, b.app_key)
        assert keys.fingerprint(delivery.app_key) in received_tokens(sample)
        assert call(api, delivery.app_key, "/fb/page/getInfo").status_code == 200
    assert {i.delivery for i in store.installations.for_app(app.id)} == {"delivered"}


def test_install_rules_and_manual_delivery(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                           demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    first = sandbox.install_app(store, app.id, "100", sample.install_url("ok"))
    with pytest.raises(service.ServiceError, match="already installed on page 100"):
        sandbox.install_app(store, app.id, "100")
    with pytest.raises(service.ServiceError, match="numeric id"):
        sandbox.install_app(store, app.id, "12ab")
    sandbox.uninstall_installation(store, first.installation.id)
    again = sandbox.reinstall_installation(store, first.installation.id)  # reinstall gets a new key
    assert again.app_key != first.app_key and again.installation.installed
    assert call(api, again.app_key, "/fb/page/getInfo").status_code == 200
    assert call(api, first.app_key, "/fb/page/getInfo").content == WRONG_TOKEN

    manual_doc = copy.deepcopy(demo_doc)
    del manual_doc["auth"]["request"]
    manual = apps.create_app(store, AppProfile("Manual", "4343", "1.0", "dev"), manual_doc, SCOPES)
    delivery = sandbox.install_app(store, manual.id, "100")
    assert delivery.state == "manual" and delivery.result is None and delivery.fire_id is None
    assert call(api, delivery.app_key, "/fb/page/getInfo").status_code == 200


def test_keys_are_stored_only_as_hashes(db_url: str, store: Store, api: SandboxServer, sample: SampleEndpoint,
                                        demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    delivery = sandbox.install_app(store, app.id, "100", sample.install_url("ok"))
    change = scopes_service.change_scopes(store, app.id, SCOPES[:2])
    call(api, change.deliveries[0].app_key, "/fb/page/getInfo")
    call(api, delivery.app_key, "/fb/page/getInfo")
    text = database_text(db_url)
    for key in (delivery.app_key, change.deliveries[0].app_key):
        assert key.encode() not in text
        assert key[:24].encode() not in text  # not even a large part of it
        assert keys.fingerprint(key).encode() in text
    assert "app_key" not in repr(delivery)  # the dataclass hides it from logs


def test_call_log_and_least_privilege(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                      demo_doc: dict) -> None:
    app = make_app(store, demo_doc, scopes=["/fb/page/getInfo", "/fb/page/getTags", "/fb/page/createTag"])
    delivery = sandbox.install_app(store, app.id, "100", sample.install_url("ok"))
    key = delivery.app_key
    item = next(i for i in readiness.readiness(store, app, "sample", False).items if i.id == "scopes.sandbox_unused")
    assert item.status == "not_run"  # no call yet: unused proves nothing
    call(api, key, "/fb/page/getInfo")
    call(api, key, "/fb/page/createTag", {})  # a 400 still used the scope
    call(api, key, "/fb/sending/sendFlow", {"subscriber_id": 1, "flow_ns": "x"})  # outside the scopes

    log = sandbox.sandbox_calls(store, app.id)
    assert [(c.path, c.status, c.outcome) for c in reversed(log)] == [
        ("/fb/page/getInfo", 200, "ok"), ("/fb/page/createTag", 400, "bad_request"),
        ("/fb/sending/sendFlow", 401, "out_of_scope")]
    assert {c.key_fingerprint for c in log} == {keys.fingerprint(key)}
    assert {c.installation_ref for c in log} == {delivery.installation.id}
    assert "missing scope /fb/sending/sendFlow" in log[0].note

    usage = readiness.sandbox_least_privilege(store, app.id)
    assert usage.used == {"/fb/page/getInfo": 1, "/fb/page/createTag": 1}
    assert usage.unused == ("/fb/page/getTags",)
    assert usage.missing == {"/fb/sending/sendFlow": 1}
    item = next(i for i in readiness.readiness(store, app, "sample", False).items if i.id == "scopes.sandbox_unused")
    assert item.status == "review" and "/fb/page/getTags" in item.why and "/fb/sending/sendFlow" in item.why
    assert item.title == "No scopes granted but never used in the sandbox"
    call(api, key, "/fb/page/getTags")
    item = next(i for i in readiness.readiness(store, app, "sample", False).items if i.id == "scopes.sandbox_unused")
    assert item.status == "pass"


def test_readiness_without_sandbox_usage_has_no_sandbox_item(demo_doc: dict) -> None:
    items = evaluate_checklist(ReadinessInput(demo_doc, ("/fb/page/getInfo",), "endpoint", [], []))
    assert "scopes.sandbox_unused" not in {i.id for i in items}


def test_rate_limits_off_by_default_then_429(store: Store, sample: SampleEndpoint, demo_doc: dict) -> None:
    now = [1000.0]
    server = SandboxServer(store, gateway=Gateway(store, RateLimiter(clock=lambda: now[0]))).start()
    try:
        app = make_app(store, demo_doc, scopes=["/fb/page/getTags", "/fb/sending/sendFlow"])
        key = sandbox.install_app(store, app.id, "100", sample.install_url("ok")).app_key
        assert all(call(server, key, "/fb/page/getTags").status_code == 200 for _ in range(12))  # off by default
        sandbox.set_sandbox_rules(store, app.id, rate_limits=True)
        answers = [call(server, key, "/fb/page/getTags") for _ in range(101)]
        assert [a.status_code for a in answers].count(200) == 100  # getTags: 100 per second
        assert answers[-1].status_code == 429 and answers[-1].json()["status"] == "error"
        now[0] += 1.5
        assert call(server, key, "/fb/page/getTags").status_code == 200  # the next second

        flow = {"subscriber_id": 1000000001, "flow_ns": "content20240101000000_000001"}
        statuses = []
        for _ in range(6):  # 100 per subscriber per hour, at most 20 per second
            statuses += [call(server, key, "/fb/sending/sendFlow", flow).status_code for _ in range(20)]
            now[0] += 1.5
        assert statuses.count(200) == 100 and statuses[100:] == [429] * 20
        other = call(server, key, "/fb/sending/sendFlow", {**flow, "subscriber_id": 1000000002})
        assert other.status_code == 200  # the cap is per subscriber
        now[0] += 3600
        assert call(server, key, "/fb/sending/sendFlow", flow).status_code == 200
        assert any(c.outcome == "rate_limited" for c in sandbox.sandbox_calls(store, app.id, 500))
    finally:
        server.stop()


def test_openapi_document_lists_every_endpoint(store: Store, api: SandboxServer) -> None:
    from console.catalog import SCOPES as CATALOG

    served = requests.get(api.base_url + "/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(openapi_document()))
    for scope in CATALOG:
        assert scope.method.lower() in served["paths"][scope.path]
    assert "post" in served["paths"]["/apps/wh"]
    assert served["components"]["securitySchemes"]["AppKey"]["scheme"] == "bearer"


@pytest.mark.parametrize(("path", "raw", "expected"), [
    ("/fb/page/createTag", b'{"name": "a\\u0000b"}', "NUL character"),
    ("/fb/page/createTag", b'{"name": "\\ud800"}', "unpaired surrogate"),
    ("/fb/page/createTag", b'{"name": NaN}', "not valid JSON"),
    ("/fb/page/createTag", b'[1, 2]', "must be a JSON object"),
    ("/fb/page/createTag", b'\xff\xfe', "not valid JSON"),
    ("/fb/page/createTag", b'{"name": "' + b"x" * 300_000 + b'"}', "over 256 KiB"),
    ("/fb/page/setBotFields", b'{"fields": [' + b'{"field_id": 201, "field_value": true},' * 20
     + b'{"field_id": 201, "field_value": true}]}', "fields"),
])
def test_hostile_bodies_get_a_clear_400_and_change_nothing(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                                           demo_doc: dict, path: str, raw: bytes,
                                                           expected: str) -> None:
    app = make_app(store, demo_doc, scopes=["/fb/page/createTag", "/fb/page/getTags", "/fb/page/setBotFields"])
    key = sandbox.install_app(store, app.id, "100", sample.install_url("ok")).app_key
    before = call(api, key, "/fb/page/getTags").json()
    answer = requests.post(api.base_url + path, data=raw, timeout=10,
                           headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["message"] == "Validation error"
    assert expected in answer.json()["details"]["messages"][0]["message"]
    assert call(api, key, "/fb/page/getTags").json() == before


def test_hostile_paths_and_queries(store: Store, api: SandboxServer, sample: SampleEndpoint, demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    key = sandbox.install_app(store, app.id, "100", sample.install_url("ok")).app_key
    auth = {"Authorization": f"Bearer {key}"}
    nowhere = requests.get(api.base_url + "/fb/page/%00%ff", headers=auth, timeout=10)
    assert nowhere.status_code == 404 and nowhere.json()["status"] == "error"
    query = requests.get(api.base_url + "/fb/subscriber/getInfo?subscriber_id=%00", headers=auth, timeout=10)
    assert query.status_code == 400 and "subscriber_id" in query.text
    wrong_method = requests.delete(api.base_url + "/fb/page/getInfo", headers=auth, timeout=10)
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == "error"
    logged = sandbox.sandbox_calls(store, limit=10)
    assert any(c.outcome == "not_found" and c.path.startswith("/fb/page/") and "\x00" not in c.path for c in logged)


def test_scopes_page_toggle_rekeys_a_dev_app(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                             demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    old = sandbox.install_app(store, app.id, "100", sample.install_url("ok")).app_key
    # as the Scopes page does
    assert isinstance(scopes_service.toggle_scope(store, app.id, "/fb/page/getFlows"), AppRecord)
    [installation] = store.installations.for_app(app.id)
    assert installation.key_fingerprint != keys.fingerprint(old) and installation.delivery == "delivered"
    assert received_tokens(sample)[-1] == installation.key_fingerprint
    assert call(api, old, "/fb/page/getInfo").content == WRONG_TOKEN


def test_concurrent_writes_lose_nothing(store: Store, api: SandboxServer, sample: SampleEndpoint,
                                        demo_doc: dict) -> None:
    from concurrent.futures import ThreadPoolExecutor

    app = make_app(store, demo_doc)
    key = sandbox.install_app(store, app.id, "100", sample.install_url("ok")).app_key
    names = [f"tag-{n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda name: call(api, key, "/fb/page/createTag", {"name": name}).status_code, names))
    assert statuses == [200] * len(names)
    listed = {t["name"] for t in call(api, key, "/fb/page/getTags").json()["data"]}
    assert set(names) <= listed
    ids = [t["id"] for t in call(api, key, "/fb/page/getTags").json()["data"]]
    assert len(ids) == len(set(ids))
