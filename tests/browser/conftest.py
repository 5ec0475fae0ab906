"""Browser fixtures: a real `streamlit run` of the console on loopback, and Debian's Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tests.ports import free_port

CHROMIUM = os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"  # the run a load or click started is over
# grey placeholders drawn where an element's code is still loading (up to about a second after the run)
SKELETONS = "[data-testid='stSkeleton'], [data-testid='stSkeletonElement'], [data-testid='stAppSkeleton']"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]



@pytest.fixture
def console_url(tmp_path: Path) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (run `make test` to install it)")
    port = free_port()
    env = {**os.environ, "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}", "CONSOLE_MODE": "local"}
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/_stcore/health", timeout=1).text == "ok":
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not become healthy in 60 s: " + (tmp_path / "streamlit.log").read_text())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()




def launch(playwright):  # noqa: ANN001, ANN201 - playwright types
    """Debian's Chromium, headless, with the flags this machine's closed network needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def page_paths() -> list[tuple[str, str]]:
    """Every page's URL path and the start of its title, from the pages/ folder."""
    found = []
    for path in sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(p.stem.split("_", 1)[0])):
        name = path.stem.split("_", 1)[1]
        found.append((name, name.replace("_", " ")))
    return found


def open_tab(page, name: str, attempts: int = 3) -> None:  # noqa: ANN001 - a Playwright page
    """Click the tab ``name`` until it is the selected one (at most ``attempts`` clicks).

    Right after a page appears, the widgets above a tab bar still arrive (Streamlit loads each kind's
    code on first use) and push the bar down: a click aimed at the tab can land where it no longer is.
    The server then gets no request at all (seen in a server log: one run, no rerun) and the tab bar is
    unchanged, as when a person clicks beside it. That is not what these tests are about, so the click is
    repeated then; whatever a test checks after the tab is open is checked as before.
    """
    tab = page.get_by_role("tab", name=name)
    for attempt in range(attempts):
        tab.click()
        try:
            tab.and_(page.locator("[aria-selected='true']")).wait_for(timeout=4_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's timeout: the click missed the moving tab
            if attempt == attempts - 1:
                raise


def download(page, name: str, attempts: int = 3):  # noqa: ANN001, ANN201 - Playwright page and download
    """Click the download button ``name`` and return the download (at most ``attempts`` clicks).

    The same moving layout as for tabs: a click while the widgets above the button still arrive can land
    beside it, and nothing is downloaded. A download is harmless to ask for again, so the click is repeated
    then; what the file holds is checked by the test as before.

    A button whose file is made when pressed (the audit export) was also seen, twice in about six CI-like
    runs, to stay disabled after the click with no file and nothing in the server's log: Streamlit's
    request for the file got no answer. The page is then loaded again before the next click (what a
    person would do); the last click must download.
    """
    button = page.get_by_role("button", name=name)
    for _ in range(attempts - 1):
        try:
            with page.expect_download(timeout=10_000) as started:
                button.click(timeout=10_000)
            return started.value
        except Exception:  # noqa: BLE001 - Playwright's timeout: the click missed, or no file came
            if not button.is_enabled():
                page.reload()
                page.locator(SCRIPT_DONE).wait_for(state="attached", timeout=60_000)
    with page.expect_download() as started:
        button.click()
    return started.value
