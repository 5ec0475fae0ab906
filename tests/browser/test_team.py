"""Team mode in real Chromium: two `streamlit run` processes on one real PostgreSQL, and two people
(two browser contexts) reviewing one app through them.

Both processes run with CONSOLE_MODE=team and an access gate; a change made through one is seen
through the other, and signing out or a revoke (in the database) ends a session in either process.
Screenshots go to artifacts/screenshots/team-*.png. Under CI=true nothing here skips.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from console.service import apps, history, review
from console.service import team as team_service
from console.store import Store, open_store
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS
from tests.conftest import ROOT
from tests.ports import free_port

pytestmark = pytest.mark.browser
SHARED = "browser-team-shared-token-42"


@dataclass
class Team:
    urls: list[str]
    store: Store
    tokens: dict[str, str]


def _wait_healthy(base: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/_stcore/health", timeout=1).text == "ok":
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit at {base} did not become healthy in 90 s: " + log.read_text())


@pytest.fixture(scope="module")
def team(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (run `make test` to install it)")
    url = postgres.create_database()
    store = open_store(url)
    tokens = {name: team_service.invite_person(store, name) for name in ("Ada", "Bob", "Eve")}
    for name, role in (("Ada", "editor"), ("Bob", "editor"), ("Eve", "reviewer")):  # new members are viewers
        review.set_role(store, name, "all", role)
    folder = tmp_path_factory.mktemp("team")
    env = {**os.environ, "CONSOLE_DATABASE_URL": url, "CONSOLE_MODE": "team", "CONSOLE_ACCESS_TOKEN": SHARED,
           "CONSOLE_ALLOWED_HOSTS": "127.0.0.1"}  # the built-in sample endpoint is on loopback
    servers, logs, urls = [], [], []
    try:
        for number in (1, 2):
            port = free_port()
            log = folder / f"streamlit-{number}.log"
            logs.append(log.open("w"))
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port), "--server.address",
                 "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=env, stdout=logs[-1], stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for base, number in zip(urls, (1, 2), strict=True):
            _wait_healthy(base, folder / f"streamlit-{number}.log")
        yield Team(urls, store, tokens)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=15)
        for log in logs:
            log.close()
        store.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def person(browser: Any, base: str, path: str, token: str, name: str = "") -> Any:
    """A new browser context (a person), signed in at ``base`` on ``path``."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(30_000)
    page.goto(base + path)
    expect(page.get_by_role("heading", name=re.compile(r"App Key Console$"), level=1)).to_be_visible()
    page.get_by_label("Access token").fill(token)
    if name:
        page.get_by_label("Your name (only with the team's shared token)").fill(name)
    page.get_by_role("button", name="Sign in").click()
    # Home's title ends in "App Key Console" too: the gate is gone when its form is, and the sidebar names who.
    expect(page.get_by_label("Access token")).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_be_visible()
    return page


def shot(page: Any, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"team-{name}.png"), full_page=True)


def test_two_processes_on_one_postgresql_serve_the_team_the_same(team: Team, browser: Any) -> None:
    from playwright.sync_api import expect

    first, second = team.urls
    ada = person(browser, first, "/", team.tokens["Ada"])
    expect(ada.get_by_text("Ada", exact=True)).to_be_visible()  # signed in as, in the sidebar
    ada.get_by_role("textbox", name="Name").fill("Shared Across Processes")
    ada.get_by_role("textbox", name="App ID").fill("515151")
    ada.get_by_role("button", name="Create app").click()
    expect(ada.get_by_role("heading", name="Shared Across Processes")).to_be_visible()
    app_ref = next(a.id for a in apps.list_apps(team.store) if a.name == "Shared Across Processes")

    bob = person(browser, second, f"/?app={app_ref}", team.tokens["Bob"])  # the other process
    expect(bob.get_by_role("heading", name="Shared Across Processes")).to_be_visible()
    shot(bob, "01-second-process-sees-the-app")
    created = team_service.activity_for_app(team.store, app_ref)[-1]
    assert (created.action, created.actor) == ("app_created", "Ada")

    # The shared token with a name, through the second process; a wrong token first.
    eve = browser.new_context().new_page()
    eve.goto(second + "/Checklist")
    eve.get_by_label("Access token").fill("not-the-token")
    eve.get_by_role("button", name="Sign in").click()
    expect(eve.get_by_text("That token is not valid")).to_be_visible()
    eve.get_by_label("Access token").fill(SHARED)
    eve.get_by_label("Your name (only with the team's shared token)").fill("Carol")
    eve.get_by_role("button", name="Sign in").click()
    expect(eve.get_by_text("Carol (shared token)")).to_be_visible()

    # Revoked in the database (e.g. `team revoke` on another host): Bob's session on process 2 ends.
    team_service.revoke_person(team.store, "Bob")
    bob.get_by_role("link", name="Checklist").click()
    expect(bob.get_by_text("Your session ended")).to_be_visible()
    expect(bob.get_by_label("Access token")).to_be_visible()  # the gate's form (Home's title is alike)
    shot(bob, "02-revoked-elsewhere")
    # Signing out on process 1 ends Ada's session there.
    ada.get_by_role("button", name="Sign out").click()
    expect(ada.get_by_label("Access token")).to_be_visible()  # the gate's form (Home's title is alike)


def test_two_people_review_one_app(team: Team, browser: Any) -> None:
    from playwright.sync_api import expect

    first, second = team.urls
    app = apps.create_demo_app(team.store, name="Review Journey", actor="Ada")
    ada = person(browser, first, f"/Test_fire?app={app.id}", team.tokens["Ada"])
    expect(ada.get_by_role("heading", name="4 · Test fire", level=1)).to_be_visible()
    demo = history.latest_fire(team.store, app.id)  # the demo comes with history: the page shows its latest fire
    ada.get_by_role("button", name="Fire").click()
    deadline = time.monotonic() + 60
    while (fired := history.latest_fire(team.store, app.id)) is None or (demo is not None and fired.id == demo.id):
        assert time.monotonic() < deadline, "Fire stored no fire in 60 s"
        time.sleep(0.2)
    fire_id = str(fired.id)
    expect(ada.get_by_role("heading", name=f"Fire #{fire_id}")).to_be_visible()  # Ada's fire, not the demo's
    expect(ada.get_by_text("App Setup: connected.")).to_be_visible()
    # While the page reruns, the demo fire's toggle (another key) stays in the page, hidden: the one shown counts.
    reveal = ada.get_by_role("switch", name="Reveal the key in the code to reproduce").filter(visible=True)
    expect(reveal).to_be_visible()
    expect(reveal).to_be_disabled()  # team mode
    shot(ada, "03-ada-fires")

    eve = person(browser, second, f"/Test_fire?app={app.id}", team.tokens["Eve"])  # the reviewer, process 2
    expect(eve.get_by_role("heading", name=f"Fire #{fire_id}")).to_be_visible()  # Ada's fire
    expect(eve.get_by_text("App Setup: connected.")).to_be_visible()
    eve.get_by_role("link", name="Checklist").click()
    expect(eve.get_by_role("heading", name="5 · Checklist", level=1)).to_be_visible()
    eve.get_by_text("Built-in sample endpoint (rehearsal)").click()
    eve.get_by_text("For an App Store listing", exact=True).click()  # a rehearsal at the sample: not for the listing
    eve.get_by_role("button", name="Run conformance").click()
    expect(eve.get_by_text("Both fires with the same key got 200")).to_be_visible(timeout=60_000)
    eve.get_by_label("Comment", exact=True).fill("Retry, re-key and 10 in a row pass. <b>ok</b>")
    eve.get_by_role("button", name="Sign off").click()
    expect(eve.get_by_text("Signed off: the App JSON and the scopes are the ones that were reviewed.")).to_be_visible()
    expect(eve.get_by_text(re.compile(r"comment: Retry, re-key and 10 in a row pass\. <b>ok</b>"))).to_be_visible()
    shot(eve, "04-eve-signs-off")

    ada.get_by_role("link", name="Checklist").click()  # back on process 1: Ada sees Eve's sign-off
    expect(ada.get_by_role("heading", name="5 · Checklist", level=1)).to_be_visible()
    expect(ada.get_by_text(re.compile(r"^by Eve · "))).to_be_visible()
    shot(ada, "05-ada-sees-the-signoff")

    log = {(a.action, a.actor) for a in team_service.activity_for_app(team.store, app.id)}
    assert {("fire", "Ada"), ("conformance_run", "Eve"), ("signoff", "Eve")} <= log
    ada.goto(first + f"/Activity?app={app.id}")  # a reload: a new browser session must sign in again
    expect(ada.get_by_label("Access token")).to_be_visible()  # the gate's form (Home's title is alike)
