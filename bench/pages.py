"""Page speed with 0 and 100,000 stored fires, seeding speed, and the CLI's start-up cost.

Prints a table (issue: constant-time pages). Each page's median rerun with 100,000 fires should
be at most 2x its rerun with none; seeding 100,000 fires under 20 s; `validate` at most 1.5x
`python -c "import jsonschema"`.

    .venv/bin/python bench/pages.py [--fires 100000] [--reruns 7] [--database-url URL | --postgres]

Without --database-url each half uses a fresh SQLite file in a temporary folder; --postgres starts a
throwaway PostgreSQL server on loopback (Debian's postgresql) and stops it at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = {"Home": None, "Checklist": "pages/5_Checklist.py", "History": "pages/6_History.py"}


def seed(url: str, fires: int) -> tuple[int, float]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "console", "demo", "seed", "--fires", str(fires)], cwd=ROOT,
                         env={**os.environ, "CONSOLE_DATABASE_URL": url}, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()), time.perf_counter() - started


def time_page(url: str, app_ref: int, page: str | None, reruns: int) -> tuple[float, float]:
    """First render and median rerun of a page, in seconds (Streamlit AppTest, in this process)."""
    from streamlit.testing.v1 import AppTest

    os.environ["CONSOLE_DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    if page:
        at.switch_page(page)
    at.query_params["app"] = str(app_ref)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{page or 'Home'} raised: {[e.value for e in at.exception]}")
    times = []
    for _ in range(reruns):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def median_wall(command: list[str], runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fires", type=int, default=100_000)
    parser.add_argument("--reruns", type=int, default=7)
    parser.add_argument("--database-url", help="use this database for both halves (e.g. PostgreSQL)")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server and use it")
    args = parser.parse_args()
    server = None
    if args.postgres:
        from tests.pg import PostgresServer

        server = PostgresServer().start()
        args.database_url = server.create_database()
    try:
        run(args)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="console-bench-"))
    urls = {n: args.database_url or f"sqlite:///{folder / f'bench-{n}.db'}" for n in (0, args.fires)}
    apps: dict[int, int] = {}
    seed_s: dict[int, float] = {}
    for fires, url in urls.items():
        apps[fires], seed_s[fires] = seed(url, fires)
    print(f"database: {urls[args.fires].split('://')[0]}  ·  seeding {args.fires:,} fires with "
          f"`demo seed`: {seed_s[args.fires]:.1f} s (target < 20 s)")
    print()
    print(f"{'page':<10} {'first (0)':>10} {'rerun (0)':>10} {'first (N)':>10} {'rerun (N)':>10} {'ratio':>7}  target")
    for name, page in PAGES.items():
        first0, rerun0 = time_page(urls[0], apps[0], page, args.reruns)
        firstn, rerunn = time_page(urls[args.fires], apps[args.fires], page, args.reruns)
        ratio = rerunn / rerun0
        print(f"{name:<10} {first0 * 1000:>8.0f}ms {rerun0 * 1000:>8.0f}ms {firstn * 1000:>8.0f}ms "
              f"{rerunn * 1000:>8.0f}ms {ratio:>6.2f}x  {'ok' if ratio <= 2 else 'OVER'} (<= 2x)")
    print()
    validate = median_wall([sys.executable, "-m", "console", "validate", "assets/demo_app.json"])
    baseline = median_wall([sys.executable, "-c", "import jsonschema"])
    print(f"`validate` {validate * 1000:.0f} ms vs `python -c 'import jsonschema'` {baseline * 1000:.0f} ms: "
          f"{validate / baseline:.2f}x (target <= 1.5x)")
    print(f"(N = {args.fires:,} fires for the selected app; median of {args.reruns} reruns; folder {folder})")


if __name__ == "__main__":
    main()
