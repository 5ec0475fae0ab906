"""Reviewing as a team in real Chromium, signed in through a real OpenID Connect provider on loopback
(oidc-provider-mock) with Streamlit's own st.login: two people, a viewer's edit refused with nothing
stored, a self-sign-off refused (the comment kept), comments per checklist item kept, the webhook
received by a loopback receiver, and the audit export holding every kind of entry.
Screenshots go to artifacts/screenshots/review-*.png."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from console import service
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, bursts, conversation, firing, review, team
from console.store import Store, open_store
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS, download, open_tab
from tests.conftest import ROOT
from tests.ports import free_port
from tests.receiver import Receiver

pytestmark = pytest.mark.browser
PEOPLE = {"ada": ("Ada Lovelace", "ada@example.com"), "grace": ("Grace Hopper", "grace@example.com")}


@dataclass
class Console:
    url: str
    store: Store
    receiver: Receiver


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (run `make test` to install it)")
    from oidc_provider_mock import User, run_server_in_thread

    folder = tmp_path_factory.mktemp("review")
    users = [User(sub=sub, claims={"name": name, "email": email, "email_verified": True})
             for sub, (name, email) in PEOPLE.items()]
    receiver = Receiver().start()
    with run_server_in_thread(user_claims=users) as provider:
        port = free_port()
        home = folder / "home"
        (home / ".streamlit").mkdir(parents=True)
        (home / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-cookie-secret-for-the-browser-test-0123456789"\n'
            'client_id = "console"\nclient_secret = "console-secret"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}/.well-known/openid-configuration"\n',
            "utf-8")
        url = f"sqlite:///{folder / 'console.db'}"
        store = open_store(url)
        env = {**os.environ, "HOME": str(home), "CONSOLE_DATABASE_URL": url, "CONSOLE_MODE": "local"}
        log_path = folder / "streamlit.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    try:
                        if requests.get(base + "/_stcore/health", timeout=1).text == "ok":
                            break
                    except requests.RequestException:
                        time.sleep(0.3)
                else:
                    pytest.fail("streamlit did not become healthy: " + log_path.read_text())
                yield Console(base, store, receiver)
            finally:
                server.terminate()
                server.wait(timeout=15)
                store.close()
                receiver.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(browser: Any, base: str, path: str, sub: str) -> Any:
    """A new browser context (a person) signed in through the identity provider."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
    page.set_default_timeout(30_000)
    page.goto(base + path)
    page.get_by_role("button", name="Sign in with your company account").click()
    page.locator(f"button[name='sub'][value='{sub}']").click()  # the provider's one-click user
    expect(page.get_by_text(PEOPLE[sub][0], exact=True)).to_be_visible()  # signed in as, in the sidebar
    return page


def shot(page: Any, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"review-{name}.png"), full_page=True)


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def checklist_at_sample(page: Any, base: str, app_ref: int) -> None:
    from playwright.sync_api import expect

    page.goto(base + f"/Checklist?app={app_ref}")
    expect(page.get_by_role("heading", name="5 · Checklist", level=1)).to_be_visible()
    page.get_by_text("Built-in sample endpoint (rehearsal)").click()
    listing = page.get_by_role("switch", name="For an App Store listing")
    page.wait_for_timeout(500)
    if listing.is_checked():  # a rehearsal at the sample: not for the listing
        page.get_by_text("For an App Store listing", exact=True).click()
        expect(listing).not_to_be_checked()


@pytest.mark.timeout(300)  # two people, an identity provider and a console, beside the other workers
def test_two_people_review_through_the_identity_provider(console: Console, browser: Any) -> None:
    from playwright.sync_api import expect

    store, base = console.store, console.url
    app = apps.create_demo_app(store, name="OIDC Review", actor="cli")
    review.set_webhook(store, console.receiver.url, "json")

    # Ada signs in through the provider: a new member, a viewer. Her edit is refused and nothing is stored.
    ada = signed_in(browser, base, f"/?app={app.id}", "ada")
    expect(ada.get_by_text("You are a viewer of this app")).to_be_visible()
    open_tab(ada, "Rename / edit profile")
    ada.locator("input[aria-label='Name']:visible").first.fill("Renamed by a viewer")
    ada.get_by_role("button", name="Save profile").click()
    expect(ada.get_by_text("Not saved: Not allowed")).to_be_visible()
    shot(ada, "01-viewer-refused")
    stored = service.get_app(store, app.id)
    assert stored is not None and stored.name == "OIDC Review"
    assert not [a for a in store.activity.for_app(app.id) if a.actor == "Ada Lovelace"]

    # Roles from an admin (the command line); Ada changes the App JSON and runs conformance on the page.
    review.set_role(store, "Ada Lovelace", "all", "admin")
    grace = signed_in(browser, base, f"/?app={app.id}", "grace")
    review.set_role(store, "Grace Hopper", "all", "reviewer")
    doc = stored.manifest
    changed = {**doc, "auth": {**doc["auth"], "params": [{**doc["auth"]["params"][0], "title": "Workspace name"}]}}
    apps.save_manifest(store, app.id, changed, actor="Ada Lovelace")
    checklist_at_sample(ada, base, app.id)
    seeded = store.signoffs.for_app(app.id)  # the demo's history comes with a sign-off of its own
    ada.get_by_role("button", name="Run conformance").click()
    expect(ada.get_by_text("Both fires with the same key got 200")).to_be_visible(timeout=60_000)

    # Self-sign-off refused; the comment typed stays; a comment on an item is kept.
    ada.get_by_label("Comment", exact=True).fill("My own change looks fine")
    ada.get_by_role("button", name="Sign off").click()
    expect(ada.get_by_text("Separation of duties: Ada Lovelace changed this App JSON")).to_be_visible()
    expect(ada.get_by_label("Comment", exact=True)).to_have_value("My own change looks fine")
    assert store.signoffs.for_app(app.id) == seeded  # nothing stored
    ada.get_by_text("Comments on ").first.click()
    ada.get_by_label("New comment").first.fill("Evidence is from the old URL")
    ada.get_by_role("button", name="Comment", exact=True).first.click()
    # The posted comment (not the box it was typed in, which a late field value can refill for a moment).
    expect(ada.get_by_text("Evidence is from the old URL").and_(ada.locator(":not(textarea)"))).to_be_visible()
    shot(ada, "02-self-signoff-refused")

    # Grace requests changes: Home lists the open comment; then she signs off.
    checklist_at_sample(grace, base, app.id)
    expect(grace.get_by_text("(1 open)")).to_be_visible()
    grace.get_by_label("Comment", exact=True).fill("Fire again at the new URL")
    grace.get_by_role("button", name="Request changes").click()
    expect(grace.get_by_text("Changes requested by the latest reviewer.")).to_be_visible()
    ada.goto(base + f"/?app={app.id}")
    expect(ada.get_by_text("Review: Changes requested.")).to_be_visible()
    expect(ada.get_by_text("1 open comment(s):")).to_be_visible()
    shot(ada, "03-home-changes-requested")
    checklist_at_sample(grace, base, app.id)
    expect(grace.get_by_text("Since the last sign-off")).to_have_count(0)  # nothing signed off yet
    grace.get_by_label("Comment", exact=True).fill("Checked: all good")
    grace.wait_for_timeout(1000)  # the target's rerun settles before the form is sent
    grace.get_by_role("button", name="Sign off").click()
    expect(grace.get_by_text("Signed off: the App JSON and the scopes are the ones that were reviewed.")).to_be_visible(
        timeout=20_000)
    shot(grace, "04-grace-signs-off")
    threads = conversation.threads(store, app.id)
    assert [(t.first.actor, t.first.body) for t in threads] == [("Ada Lovelace", "Evidence is from the old URL")]

    # The webhook heard both decisions.
    wait_for(lambda: {b.get("event") for b in console.receiver.bodies} >= {"changes_requested", "signoff"})
    signoff = next(b for b in console.receiver.bodies if b["event"] == "signoff")
    assert signoff["actor"] == "Grace Hopper" and signoff["app"]["id"] == app.id

    # Every other kind of entry, then the audit export from the Team page.
    sample = SampleEndpoint().start()
    try:
        fired = firing.fire_for_app(store, app, sample.base_url, AddressPolicy(), actor="Ada Lovelace")
    finally:
        sample.stop()
    firing.record_cli_fires(store, [(fired.result, None)], "app.json", "sample")
    bursts.start_app_burst(store, app, "http://127.0.0.1:9", AddressPolicy(), installations=2, concurrency=1,
                            target="sample", actor="Ada Lovelace")
    team.invite_person(store, "Temp")
    team.revoke_person(store, "Temp")
    review.set_shared_token(store, False)
    ada.goto(base + "/Team")
    expect(ada.get_by_role("heading", name="Audit log")).to_be_visible()
    shot(ada, "05-team-page")
    entries = json.loads(Path(download(ada, "Export JSON").path()).read_text("utf-8"))["entries"]
    kinds = {e["action"] for e in entries}
    assert {"signed_in", "person_invited", "person_revoked", "role_changed", "app_created", "app_json_changed",
            "conformance_run", "fire", "cli_fires", "burst", "comment", "signoff", "shared_token",
            "console_setting"} <= kinds
    change = next(e for e in entries if e["action"] == "app_json_changed")
    assert change["detail"]["changes"][0]["new"] == "Workspace name"
    assert sum(1 for e in entries if e["action"] == "signed_in") >= 2
