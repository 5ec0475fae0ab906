"""Every page's full load in Chromium against a one-line Streamlit page, empty and with 100,000 stored fires.

Target (issue 24): every page (Home and pages/1..11) loads within 1.3x a one-line `st.write` page
served by the same Python, with an empty history and with 100,000 stored fires; and the console's
memory (RSS of its streamlit server after loading every page) with 100,000 fires within 50 MB of
the empty one.

A load is `page.goto` until the script has run: the app root's `data-test-script-state` is
`notRunning` (Streamlit sets it once the run the page load started has finished). Loads alternate
between the page and the one-line page; each figure is the median of --runs (5) after one warm-up load.

    .venv/bin/python bench/pageload.py [--fires 100000] [--runs 5] [--page History ...]
    .venv/bin/python bench/pageload.py --elements    # what one more element kind costs a one-line page

It starts every server itself on 127.0.0.1 (the console on a fresh SQLite file per side, the
one-line page from a temporary folder), uses Debian's /usr/bin/chromium through Playwright with the
browser tests' flags, and stops everything at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ports import free_port  # noqa: E402 - after the project's folder is on the path

CHROMIUM = os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium")
TARGET = 1.3
MEMORY_TARGET_MB = 50
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def chromium_args() -> list[str]:
    from tests.browser.conftest import CHROMIUM_ARGS

    return list(CHROMIUM_ARGS)


def page_paths() -> dict[str, str]:
    """Home and every page under pages/, in their number order: name -> URL path."""
    found = {"Home": ""}
    for path in sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(p.stem.split("_", 1)[0])):
        name = path.stem.split("_", 1)[1]
        found[name.replace("_", " ")] = name
    return found




@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """`streamlit run script` on loopback until healthy: (base URL, pid); stopped on exit."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=script.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(base + "/_stcore/health", timeout=1).text == "ok":
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            else:
                raise SystemExit(f"{script.name} did not become healthy in 60 s: {log.read_text()}")
            yield base, server.pid
        finally:
            server.terminate()
            server.wait(timeout=15)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed(url: str, fires: int) -> int:
    out = subprocess.run([sys.executable, "-m", "console", "demo", "seed", "--fires", str(fires)], cwd=ROOT,
                         env={**os.environ, "CONSOLE_DATABASE_URL": url}, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def load(tab: Any, url: str) -> float:
    """Seconds from navigation to the end of the script run it started (inf when it took over a minute)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    tab.goto(url, wait_until="commit")
    try:
        tab.wait_for_selector(DONE, state="attached", timeout=60_000)
    except PlaywrightTimeout:
        print(f"  {url}: the script had not run after 60 s", flush=True)
        return float("inf")
    took = time.perf_counter() - started
    if tab.locator("[data-testid='stException']").count():
        raise SystemExit(f"{url} raised an exception: {tab.locator('[data-testid=stException]').first.inner_text()}")
    return took


def measure_side(browser: Any, console: str, one_line: str, app_ref: int, pages: dict[str, str],
                 runs: int) -> dict[str, tuple[float, float]]:
    """Per page: (median load, median one-line load), alternating, after a warm-up load of each."""
    tab = browser.new_page(viewport={"width": 1440, "height": 900})
    figures = {}
    for name, path in pages.items():
        url = f"{console}/{path}?app={app_ref}"
        load(tab, url)
        load(tab, one_line)
        mine, base = [], []
        for _ in range(runs):
            base.append(load(tab, one_line))
            mine.append(load(tab, url))
        figures[name] = (statistics.median(mine), statistics.median(base))
        print(f"  {name}: {figures[name][0]:.2f} s (one-line page {figures[name][1]:.2f} s)", flush=True)
    tab.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fires", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", action="append", help="only this page (e.g. History); repeatable")
    parser.add_argument("--elements", action="store_true",
                        help="instead: the one-line page with one more Streamlit element each (a code block, a "
                             "table, ...): what a page pays for an element kind, whatever the console does")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does)")
    if args.elements:
        elements(max(args.runs, 5))
        return
    from playwright.sync_api import sync_playwright

    pages = {k: v for k, v in page_paths().items() if not args.page or k in args.page}
    folder = Path(tempfile.mkdtemp(prefix="console-pageload-"))
    (folder / "one_line").mkdir()
    (folder / "one_line" / "app.py").write_text('import streamlit as st\n\nst.write("Hello")\n')
    base_env = {**os.environ, "CONSOLE_MODE": "local"}
    results: dict[int, dict[str, tuple[float, float]]] = {}
    memory: dict[int, float] = {}
    with sync_playwright() as playwright, \
            streamlit_server(folder / "one_line" / "app.py", base_env, folder / "one_line.log") as (one_line, _):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
        for fires in (0, args.fires):
            url = f"sqlite:///{folder / f'console-{fires}.db'}"
            started = time.perf_counter()
            app_ref = seed(url, fires)
            print(f"seeded the demo app with {fires:,} fires in {time.perf_counter() - started:.1f} s", flush=True)
            env = {**base_env, "CONSOLE_DATABASE_URL": url}
            with streamlit_server(ROOT / "Home.py", env, folder / f"console-{fires}.log") as (console, pid):
                results[fires] = measure_side(browser, console, one_line + "/", app_ref, pages, args.runs)
                memory[fires] = rss_mb(pid)
        browser.close()
    report(results, memory, args.fires, args.runs)


# One-line pages with one more element each: st.write alone is the baseline.
ELEMENTS = {
    "one line (st.write)": "",
    "+ st.text": 'st.text("plain text")',
    "+ st.button": 'st.button("Go")',
    "+ st.selectbox": 'st.selectbox("Pick", ["a", "b"])',
    "+ st.tabs": 'st.tabs(["a", "b"])[0].write("x")',
    "+ st.code (bash)": 'st.code("curl -X POST https://example.com/install", language="bash")',
    "+ st.code (json)": 'st.code(\'{"app_token": "x"}\', language="json")',
    "+ st.dataframe (5 rows)": 'st.dataframe([{"a": i, "b": "text"} for i in range(5)])',
    "+ st.table (5 rows)": 'st.table([{"a": i, "b": "text"} for i in range(5)])',
    "+ st.code + st.dataframe": ('st.code(\'{"app_token": "x"}\', language="json")\n'
                                 'st.dataframe([{"a": i, "b": "text"} for i in range(5)])'),
}


def elements(runs: int) -> None:
    """Each ELEMENTS page's load (median of ``runs``, the pages in turn) against the one-line page."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="console-elements-"))
    scripts = {}
    for index, (name, line) in enumerate(ELEMENTS.items()):
        scripts[name] = folder / f"element_{index}.py"
        scripts[name].write_text(f'import streamlit as st\n\nst.write("Hello")\n{line}\n')
    with contextlib.ExitStack() as stack, sync_playwright() as playwright:
        bases = {name: stack.enter_context(streamlit_server(script, dict(os.environ), script.with_suffix(".log")))[0]
                 for name, script in scripts.items()}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
        tab = browser.new_page(viewport={"width": 1440, "height": 900})
        for base in bases.values():  # warm-up: each page's code in the browser's cache
            load(tab, base + "/")
        times: dict[str, list[float]] = {name: [] for name in bases}
        for _ in range(runs):
            for name, base in bases.items():
                times[name].append(load(tab, base + "/"))
        browser.close()
    one = statistics.median(times["one line (st.write)"])
    print(f"\none-line page plus one element, full load in Chromium until the script has run (median of {runs})\n")
    for name, values in times.items():
        print(f"{name:<28} {statistics.median(values):>5.2f} s  {statistics.median(values) / one:>5.2f}x")


def report(results: dict[int, dict[str, tuple[float, float]]], memory: dict[int, float], fires: int,
           runs: int) -> None:
    print(f"\nfull load in Chromium until the script has run; median of {runs}, alternating with a one-line "
          f"st.write page; target <= {TARGET}x\n")
    print(f"{'page':<15} {'empty':>7} {'ratio':>6} {f'{fires // 1000}k fires':>10} {'ratio':>6}  target")
    over = []
    for name in results[0]:
        (e, eb), (n, nb) = results[0][name], results[fires][name]
        met = e / eb <= TARGET and n / nb <= TARGET
        if not met:
            over.append(name)
        print(f"{name:<15} {e:>6.2f}s {e / eb:>5.2f}x {n:>9.2f}s {n / nb:>5.2f}x  {'met' if met else 'NOT MET'}")
    base = statistics.median([b for side in results.values() for _, b in side.values()])
    print(f"(one-line page: median {base:.2f} s)")
    print("every page within the target" if not over else f"over the target: {', '.join(over)}")
    grown = memory[fires] - memory[0]
    print(f"\nmemory (RSS of the console's streamlit server after loading every page): empty {memory[0]:.0f} MB, "
          f"{fires:,} fires {memory[fires]:.0f} MB: {grown:+.0f} MB "
          f"({'met' if grown <= MEMORY_TARGET_MB else 'NOT MET'}: within {MEMORY_TARGET_MB} MB)")


if __name__ == "__main__":
    main()
