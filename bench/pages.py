"""Every page's rerun with a large history against its rerun with none (Streamlit AppTest, in this process).

Target (issue 24): every page's median rerun with a large history at most 1.2x its rerun with none.
The large history, seeded in bulk through the store: 100,000 fires, 10,000 sandbox installations,
100,000 activity entries and a finished 100,000-installation burst run. A small history (a hundredth
of each) shows what grows with the history's size. Reruns alternate between the databases (noise on a
shared machine hits every side alike); prints a table.

    .venv/bin/python bench/pages.py [--fires 100000] [--installations 10000] [--activity 100000]
                                    [--burst 100000] [--reruns 5] [--page NAME] [--postgres]

Each side uses a fresh SQLite file in a temporary folder; --postgres starts a throwaway PostgreSQL
server on loopback (Debian's postgresql), a database per side, and stops it at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 1.2
SMALL = 100  # the small history: a hundredth of the large one
BATCH = 5_000


def page_files() -> dict[str, str | None]:
    """Home and every page under pages/, in their number order: name -> file for AppTest.switch_page."""
    found: dict[str, str | None] = {"Home": None}
    for path in sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(p.stem.split("_", 1)[0])):
        found[path.stem.split("_", 1)[1].replace("_", " ")] = f"pages/{path.name}"
    return found


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[start:start + BATCH] for start in range(0, len(rows), BATCH)]


def seed_history(url: str, *, fires: int, installations: int, activity: int, burst: int) -> tuple[int, str | None]:
    """The demo app with this much history (bulk inserts through the store's tables); (app id, burst run id)."""
    from console.burst_report import summarize
    from console.service import apps, open_console_store
    from console.store.schema import activity as activity_table
    from console.store.schema import burst_results, sandbox_keys
    from console.store.schema import installations as installations_table

    store = open_console_store(url)
    app = apps.seed_demo(store, fires)
    rng = random.Random(24)
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        if installations:
            store.installations.ensure_sandbox_app(app.id, list(app.scopes))
            rows = [{"id": 1_000_000 + n, "app_ref": app.id, "page_id": f"page_{n:06d}", "status": "installed",
                     "key_fingerprint": f"fp_{n:012x}", "fire_url": None, "delivery": "delivered",
                     "last_fire_ref": None, "installed_at": now - timedelta(seconds=n), "updated_at": now}
                    for n in range(installations)]
            for chunk in _chunks(rows):
                conn.execute(installations_table.insert(), chunk)
            keys = [{"key_hash": hashlib.sha256(str(n).encode()).hexdigest(), "installation_ref": 1_000_000 + n,
                     "key_fingerprint": f"fp_{n:012x}", "state": "active", "created_at": now}
                    for n in range(installations)]
            for chunk in _chunks(keys):
                conn.execute(sandbox_keys.insert(), chunk)
        actions = ["fire", "scopes", "app_json", "settings", "conformance"]
        entries = [{"app_ref": app.id, "app_name": app.name, "actor": "local", "action": actions[n % len(actions)],
                    "summary": f"seeded entry {n}", "fire_id": None, "run_id": None, "signoff_id": None,
                    "at": now - timedelta(seconds=activity - n)} for n in range(activity)]
        for chunk in _chunks(entries):
            conn.execute(activity_table.insert(), chunk)
    run_id = None
    if burst:
        run_id = f"burst_bench{burst}"
        store.bursts.create(run_id, app_ref=app.id, app_name=app.name, target_kind="sample",
                            url="http://127.0.0.1:8502/install", plan={"concurrency": 50}, installations=None,
                            total=burst, concurrency=50)
        started = time.time()
        results = [{"run_id": run_id, "seq": n, "installation_id": None, "page_id": f"burst_{n:06d}",
                    "key_fingerprint": f"fp_{n:012x}", "ok": n % 50 != 0, "status": 200 if n % 50 else 500,
                    "category": "ok" if n % 50 else "server_error", "elapsed_ms": rng.lognormvariate(2, 0.5),
                    "fired_at": started + n / 2000, "message": None} for n in range(burst)]
        with store.engine.begin() as conn:
            for chunk in _chunks(results):
                conn.execute(burst_results.insert(), chunk)
        failed = burst // 50
        with store.engine.begin() as conn:
            from console.store.schema import burst_runs

            conn.execute(burst_runs.update().where(burst_runs.c.id == run_id).values(
                done=burst, succeeded=burst - failed, by_category={"ok": burst - failed, "server_error": failed}))
        store.bursts.finish(run_id, "done", burst / 2000, summarize(store, run_id, burst / 2000, 2, None))
    store.close()
    return app.id, run_id


class Side:
    """One database and an AppTest per page on it."""

    def __init__(self, url: str, app_ref: int, run_id: str | None):
        self.url, self.app_ref, self.run_id = url, app_ref, run_id

    def app_test(self, page: str | None) -> Any:
        from streamlit.testing.v1 import AppTest

        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
        os.environ["CONSOLE_DATABASE_URL"] = self.url
        at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        if page:
            at.switch_page(page)
        at.query_params["app"] = str(self.app_ref)
        if self.run_id and page and "Burst" in page:
            at.query_params["run"] = self.run_id
        return at

    def run(self, at: Any, name: str) -> float:
        os.environ["CONSOLE_DATABASE_URL"] = self.url
        started = time.perf_counter()
        at.run()
        took = time.perf_counter() - started
        if at.exception:
            raise SystemExit(f"{name} raised: {[e.value for e in at.exception]}")
        return took


def measure(name: str, page: str | None, sides: list[Side], reruns: int) -> list[float]:
    """Median rerun of a page on each side, alternating (after one first run each)."""
    tests = [side.app_test(page) for side in sides]
    for side, at in zip(sides, tests, strict=True):
        side.run(at, name)
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(reruns):
        for side, at, took in zip(sides, tests, times, strict=True):
            took.append(side.run(at, name))
    return [statistics.median(took) for took in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fires", type=int, default=100_000)
    parser.add_argument("--installations", type=int, default=10_000)
    parser.add_argument("--activity", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=100_000)
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--page", action="append", help="only this page (its name, e.g. History); repeatable")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server and use it")
    args = parser.parse_args()
    server = None
    if args.postgres:
        from tests.pg import PostgresServer

        server = PostgresServer().start()
    try:
        if server is not None:
            urls = (server.create_database(), server.create_database(), server.create_database())
        else:
            folder = Path(tempfile.mkdtemp(prefix="console-bench-"))
            urls = (f"sqlite:///{folder / 'none.db'}", f"sqlite:///{folder / 'small.db'}",
                    f"sqlite:///{folder / 'large.db'}")
        run(args, urls)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace, urls: tuple[str, str, str]) -> None:
    started = time.perf_counter()
    empty = Side(urls[0], *seed_history(urls[0], fires=0, installations=0, activity=0, burst=0))
    small = Side(urls[1], *seed_history(urls[1], fires=args.fires // SMALL, installations=args.installations // SMALL,
                                        activity=args.activity // SMALL, burst=args.burst // SMALL))
    large = Side(urls[2], *seed_history(urls[2], fires=args.fires, installations=args.installations,
                                        activity=args.activity, burst=args.burst))
    print(f"database: {urls[2].split('://')[0]} · seeded {args.fires:,} fires, {args.installations:,} sandbox "
          f"installations, {args.activity:,} activity entries and a {args.burst:,}-installation burst run "
          f"(and a {SMALL}th of each) in {time.perf_counter() - started:.1f} s")
    print(f"median of {args.reruns} AppTest reruns each, alternating; target: large <= {TARGET}x none. "
          f"'large/small' compares with a {SMALL}th of the history: what grows with its size\n")
    print(f"{'page':<15} {'none':>8} {'small':>8} {'large':>8} {'large/none':>11} {'large/small':>12}  target")
    over = []
    for name, page in page_files().items():
        if args.page and name not in args.page:
            continue
        none_s, small_s, large_s = measure(name, page, [empty, small, large], args.reruns)
        ratio = large_s / none_s
        met = ratio <= TARGET
        if not met:
            over.append(name)
        print(f"{name:<15} {none_s * 1000:>6.0f}ms {small_s * 1000:>6.0f}ms {large_s * 1000:>6.0f}ms "
              f"{ratio:>10.2f}x {large_s / small_s:>11.2f}x  {'met' if met else 'NOT MET'} (<= {TARGET}x)",
              flush=True)
    print("\nevery page within the target" if not over else f"\nover the target: {', '.join(over)}")


if __name__ == "__main__":
    main()
