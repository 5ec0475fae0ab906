"""Two browser contexts edit one app's auth section: a stale save of another field is merged (the URL
changed by the other stays), a stale save of the same field is refused with who and when, and the
person chooses (keep mine)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.profile import AppProfile
from console.service import apps as apps_service
from console.store import open_store
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def _request(url: str) -> dict[str, Any]:
    store = open_store(url)
    try:
        return dict(apps_service.must_get(store, 1).manifest["auth"]["request"])
    finally:
        store.close()


def _until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the save did not arrive"
        time.sleep(0.2)


def _settles(page: Any, url: str, seconds: float = 20) -> None:
    """The page settles on one Request URL field holding `url`. While a rerun redraws the field, the
    old one can stand beside the new one for a moment, so every field is read in one go until one
    field with the value is what the person sees."""
    deadline = time.monotonic() + seconds
    while True:
        values = page.eval_on_selector_all('input[aria-label="Request URL"]', "els => els.map(e => e.value)")
        if values == [url]:
            return
        assert time.monotonic() < deadline, f"the Request URL fields read {values}, not [{url!r}]"
        time.sleep(0.2)


def test_two_sessions_edit_one_auth_section(console_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    db = f"sqlite:///{tmp_path / 'console.db'}"
    store = open_store(db)
    demo = json.loads((ROOT / "assets" / "demo_app.json").read_text())
    apps_service.create_app(store, AppProfile("Shared App", "777001", "1.0", "dev"), demo)
    store.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        a = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
        b = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
        for page in (a, b):  # both open the page before either saves
            page.set_default_timeout(30_000)
            page.goto(console_url + "/Auth_section?app=1")
            expect(page.get_by_role("heading", name="2 · Auth section", level=1)).to_be_visible()

        b_url = b.get_by_role("textbox", name="Request URL")
        b_url.fill("https://b.example.com/installed")
        b_url.press("Tab")
        expect(b.get_by_text("https://b.example.com/installed").first).to_be_visible()
        assert _request(db)["url"] == "https://b.example.com/installed"

        headers = a.get_by_role("textbox", name=re.compile("^Headers"))
        headers.fill("Content-Type: application/json\nx-token-header: {{app_token}}\nX-Team: blue")
        a.get_by_role("heading", name="2 · Auth section").click()  # leaving the text area saves it
        _until(lambda: "X-Team: blue" in _request(db).get("headers", ()))
        a.screenshot(path=str(SHOTS / "stale-save-merged.png"), full_page=True)
        _settles(a, "https://b.example.com/installed")
        saved = _request(db)
        assert saved["url"] == "https://b.example.com/installed", "A's save put the old URL back"
        assert "X-Team: blue" in saved["headers"]

        a_url = a.get_by_role("textbox", name="Request URL")
        a_url.fill("https://a.example.com/installed")
        a_url.press("Tab")
        expect(a.get_by_text("https://a.example.com/installed").first).to_be_visible()
        b_url.fill("https://b2.example.com/installed")  # B still has the page open from before A's saves
        b_url.press("Tab")
        expect(b.get_by_text(re.compile("changed by .* since you opened it"))).to_be_visible()
        b.screenshot(path=str(SHOTS / "stale-save-refused.png"), full_page=True)
        assert _request(db)["url"] == "https://a.example.com/installed"
        b.get_by_role("button", name=re.compile("Keep mine")).click()
        _until(lambda: _request(db)["url"] == "https://b2.example.com/installed")
        expect(b.get_by_text(re.compile("since you opened it"))).to_have_count(0)  # the choice is made
        _settles(b, "https://b2.example.com/installed")
        final = _request(db)
        assert final["url"] == "https://b2.example.com/installed" and "X-Team: blue" in final["headers"]
        browser.close()
