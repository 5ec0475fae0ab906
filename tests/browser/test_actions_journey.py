"""Actions in real Chromium: a new app, a starter action, a rehearsal, the checklist item passing, the
Flow Builder preview. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS, open_tab

pytestmark = pytest.mark.browser


def test_actions_journey(console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(30_000)

        def shot(name: str) -> None:
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        page.goto(console_url + "/")
        page.get_by_role("textbox", name="Name").fill("Actions Journey App")
        page.get_by_role("textbox", name="App ID").fill("434343")
        page.get_by_role("button", name="Create app").click()
        expect(page.get_by_role("heading", name="Actions Journey App")).to_be_visible()
        # Rehearse offline: the sample endpoint is the app's target (Test fire's choice).
        page.goto(console_url + "/Test_fire")
        page.get_by_text("Built-in sample endpoint").click()
        expect(page.get_by_role("combobox", name=re.compile("Sample endpoint mode"))).to_be_visible()
        page.goto(console_url + "/Checklist")
        page.get_by_text("Built-in sample endpoint (rehearsal)").click()
        expect(page.get_by_role("radio", name="Built-in sample endpoint (rehearsal)")).to_be_checked()

        page.goto(console_url + "/Actions")
        expect(page.get_by_role("heading", name="Actions", level=1)).to_be_visible()
        expect(page.get_by_text("No action yet")).to_be_visible()
        page.get_by_role("combobox", name=re.compile("starter template")).click()
        page.get_by_role("option", name="Call my API with a form value").click()
        page.get_by_role("button", name="Add action").click()
        expect(page.get_by_text(re.compile(r"1\. look_up_order · Look up an order"))).to_be_visible()

        open_tab(page, "Rehearse")
        page.get_by_role("button", name="Rehearse", exact=True).click()
        expect(page.get_by_text(re.compile("Rehearsal #\\d+ of the action look_up_order: HTTP 200 and every "
                                           "mapping output found"))).to_be_visible()
        shot("actions-01-rehearsal")

        page.get_by_role("button", name="Rehearse every action and rpc source").click()
        expect(page.get_by_text("All 1 action(s) answered 200 and every mapping output was found.")).to_be_visible()

        open_tab(page, "Flow Builder preview")
        preview = page.get_by_role("tabpanel", name="Flow Builder preview")
        expect(preview.get_by_text("Sends the order number to your API and maps the order's status.")).to_be_visible()
        expect(preview.get_by_text("Put the order number the subscriber typed in Order number.")).to_be_visible()
        expect(preview.get_by_role("textbox", name="Order number (string, required)")).to_be_visible()
        expect(preview.get_by_text("Outputs for the next steps: order_status")).to_be_visible()
        shot("actions-02-preview")
        browser.close()
