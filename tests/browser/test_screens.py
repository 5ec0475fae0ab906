"""Every page at desktop (1440 px) and phone (390 px) width, and work that must never be lost.

Screenshots go to artifacts/screenshots/screens-*.png (looked at by a person; ignored by git).
"""

from __future__ import annotations

import re
import zipfile

import pytest

from tests.browser.conftest import SCRIPT_DONE, SHOTS, SKELETONS, download, launch, open_tab, page_paths

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.mark.timeout(360)  # 24 full page loads with screenshots, beside the other workers
def test_every_page_at_desktop_and_phone_width(console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(console_url + "/")
        page.get_by_role("button", name="Load the demo app").click()
        expect(page.get_by_text("Loaded the demo app")).to_be_visible()
        app = re.search(r"app=(\d+)", page.url).group(1)
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            for name, title in [("", "App Key Console"), *page_paths()]:
                page.goto(f"{console_url}/{name}?app={app}")
                expect(page.get_by_role("heading", level=1).first).to_contain_text(title.split()[0])
                # the run this load started has finished (not a fixed pause): an exception would be drawn by now;
                # and every element is drawn (no grey placeholder left while its code loads) for the screenshot
                page.locator(SCRIPT_DONE).wait_for(state="attached")
                expect(page.locator(SKELETONS)).to_have_count(0)
                assert page.locator("[data-testid='stException']").count() == 0, f"{name or 'Home'} ({size})"
                page.screenshot(path=str(SHOTS / f"screens-{size}-{name or 'Home'}.png"), full_page=True)
        # Endpoint code builds its zip when the button is pressed: it holds every file the page lists.
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{console_url}/Endpoint_code?app={app}")
        expect(page.get_by_role("heading", name=re.compile(r"^\d+ files$"))).to_be_visible()
        listed = int(page.get_by_role("heading", name=re.compile(r"^\d+ files$")).inner_text().split()[0])
        with zipfile.ZipFile(download(page, "Download the project (.zip)").path()) as archive:
            names = archive.namelist()
        assert len(names) == listed and any(n.endswith("/app.py") for n in names), names
        browser.close()


def test_create_twice_and_delete_lose_nothing_and_say_what_happened(console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(console_url + "/")
        create = page.get_by_role("tabpanel", name="Create an app")

        def name_box():  # noqa: ANN202 - the Create form's Name (the edit tab has one too)
            return create.get_by_role("textbox", name="Name").last

        name_box().fill("Twin")
        create.get_by_role("textbox", name="App ID").last.fill("31337")
        page.get_by_role("button", name="Create app").click()
        expect(page.get_by_text("Created the app 'Twin'.")).to_be_visible()
        page.wait_for_timeout(800)
        expect(name_box()).to_have_value("")  # the form is empty again
        page.get_by_role("button", name="Create app").click()  # pressing Create again makes no twin
        expect(page.get_by_text("Name: enter a name for the app.")).to_be_visible()
        page.wait_for_timeout(800)
        name_box().fill("Twin copy")
        create.get_by_role("textbox", name="App ID").last.fill("31337")
        page.get_by_role("button", name="Create app").click()
        expect(page.get_by_text("31337 is already used by the app 'Twin'")).to_be_visible()
        expect(name_box()).to_have_value("Twin copy")  # what was typed is kept
        open_tab(page, "Delete")
        page.get_by_text("Yes, delete this app").click()
        page.get_by_role("button", name="Delete app").click()
        expect(page.get_by_text("Deleted the app 'Twin' and its history.")).to_be_visible()
        browser.close()
