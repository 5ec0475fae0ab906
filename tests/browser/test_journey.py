"""The whole journey in real Chromium against a `streamlit run` of the console.

Screenshots go to artifacts/screenshots/ (ignored by git). Under CI=true this test never skips.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS, download

pytestmark = pytest.mark.browser


def test_whole_journey(console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # a loaded CI machine: a new Streamlit session takes a while

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(30_000)

        def shot(name: str) -> None:
            page.wait_for_timeout(400)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        def choose_mode(mode: str) -> None:
            page.get_by_role("combobox", name=re.compile("Sample endpoint mode")).click()
            page.get_by_role("option", name=re.compile(rf"^{mode}")).click()
            expect(page.get_by_text(re.compile(rf"^Fires at .*/install/{mode}"))).to_be_visible()

        def open_page(path: str, heading: str) -> None:
            page.goto(console_url + path)
            expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()

        # 1. Create an app.
        open_page("/", "App Key Console")
        page.get_by_role("textbox", name="Name").fill("Browser Journey App")
        page.get_by_role("textbox", name="App ID").fill("424242")
        page.get_by_role("button", name="Create app").click()
        expect(page.get_by_role("heading", name="Browser Journey App")).to_be_visible()
        shot("01-home")

        # 2. Pick scopes.
        open_page("/Scopes", "1 · Scopes")
        page.get_by_text("/fb/page/getInfo —").click()
        expect(page.get_by_text("read your bot's name and settings")).to_be_visible()
        page.get_by_text("/fb/sending/sendContent —").click()
        expect(page.get_by_text("This app can SEND MESSAGES")).to_be_visible()
        shot("02-scopes")

        # 3. Build the auth section.
        open_page("/Auth_section", "2 · Auth section")
        url = page.get_by_role("textbox", name="Request URL")
        url.fill("https://example.com/manychat/installed")
        url.press("Enter")
        # The auth section is complete: the App JSON is valid while building; a listing also needs an action,
        # and the page says so (a warning with its fix).
        expect(page.get_by_text("Validation of the whole App JSON: valid")).to_be_visible()
        expect(page.get_by_text("No action yet: an App Store listing needs at least one")).to_be_visible()
        expect(page.get_by_text(re.compile(r"Add an action .* on the Actions page"))).to_be_visible()
        shot("03-auth-section")

        # 4. Fire at the sample endpoint: success.
        open_page("/Test_fire", "4 · Test fire")
        page.get_by_text("Built-in sample endpoint").click()
        expect(page.get_by_role("combobox", name=re.compile("Sample endpoint mode"))).to_be_visible()
        page.get_by_role("button", name="Fire").click()
        expect(page.get_by_text("App Setup: connected.")).to_be_visible()
        expect(page.get_by_text("matches the key issued")).to_be_visible()
        shot("04-fire-success")

        # 5. The endpoint answers 500: error and Retry.
        choose_mode("500")
        page.get_by_role("button", name="Fire").click()
        expect(page.get_by_text("App Setup: error (HTTP 500).")).to_be_visible()
        retry = page.get_by_role("button", name="Retry")
        expect(retry).to_be_visible()
        shot("05-fire-500")

        # 6. The endpoint is fixed: Retry succeeds.
        choose_mode("ok")
        page.get_by_role("button", name="Retry").click()
        expect(page.get_by_text("App Setup: connected.")).to_be_visible()
        shot("06-retry-success")

        # 7. The checklist and the report.
        open_page("/Checklist", "5 · Checklist")
        page.get_by_text("Built-in sample endpoint (rehearsal)").click()
        page.get_by_role("button", name="Run conformance").click()
        expect(page.get_by_text("Both fires with the same key got 200")).to_be_visible(timeout=60_000)
        shot("07-checklist")
        report = Path(download(page, "Report (HTML)").path()).read_text("utf-8")
        assert "Readiness report: Browser Journey App" in report
        assert "A fresh key for the same page gets 200" in report
        assert not re.search(r"[0-9a-f]{64}", report), "a plain App Key in the report"
        (SHOTS / "report.html").write_text(report, "utf-8")

        # 8. An evidence link opens the stored fire in History.
        link = page.get_by_role("link", name=re.compile(r"^fire #\d+: HTTP 200")).first
        fire_id = re.search(r"fire=(\d+)", link.get_attribute("href")).group(1)
        with page.context.expect_page() as opened:
            link.click()
        history = opened.value
        expect(history.get_by_role("heading", name=re.compile(r"History$"), level=1)).to_be_visible()
        expect(history.get_by_role("spinbutton", name="Fire #")).to_have_value(fire_id)
        expect(history.get_by_text("App Setup: connected.")).to_be_visible()
        history.wait_for_timeout(400)
        history.screenshot(path=str(SHOTS / "08-history-detail.png"), full_page=True)
        browser.close()
