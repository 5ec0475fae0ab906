"""A stakeholder demo in real Chromium: "Load the demo app", one press of Run conformance, READY for an
App Store listing at the demo's https endpoint, and Home saying the same; loading it again opens it."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SHOTS, launch

pytestmark = pytest.mark.browser


def test_the_demo_reaches_ready_for_a_listing_and_home_agrees(console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(console_url + "/")
        page.get_by_role("button", name="Load the demo app").click()
        expect(page.get_by_text("Loaded the demo app")).to_be_visible()
        app = re.search(r"app=(\d+)", page.url).group(1)
        expect(page.get_by_text(re.compile(r"to do\s+5\. Checklist"))).to_be_visible()  # not ready before evidence

        page.goto(f"{console_url}/Checklist?app={app}")
        expect(page.get_by_role("heading", name="5 · Checklist", level=1)).to_be_visible()
        expect(page.get_by_role("switch", name="For an App Store listing")).to_be_checked()
        expect(page.get_by_text(re.compile(r"NOT READY|Not ready", re.I)).first).to_be_visible()
        page.get_by_role("button", name="Run conformance").click()
        expect(page.get_by_text(re.compile(r"^Ready for a listing:"))).to_be_visible(timeout=90_000)
        expect(page.get_by_text("The endpoint is https://").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "demo-ready-checklist.png"), full_page=True)

        page.goto(f"{console_url}/?app={app}")
        expect(page.get_by_role("heading", name="Demo: Order Notifier")).to_be_visible()
        expect(page.get_by_text(re.compile(r"done\s+5\. Checklist"))).to_be_visible()  # step 5 done, as on the page
        expect(page.get_by_text("Ready for a listing: every required item passes", exact=True)).to_be_visible()
        page.screenshot(path=str(SHOTS / "demo-ready-home.png"), full_page=True)

        page.get_by_role("button", name="Load the demo app").click()  # again: the same demo, not "Demo (2)"
        expect(page.get_by_text("Opened the demo app 'Demo: Order Notifier' (it was loaded already).")).to_be_visible()
        assert re.search(r"app=(\d+)", page.url).group(1) == app
        browser.close()
