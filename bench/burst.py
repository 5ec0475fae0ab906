"""Burst throughput against `hey` on one local nginx, peak memory at 100,000 installations, page speed.

    .venv/bin/python bench/burst.py [--n 20000] [--concurrency 50] [--big 100000] [--workers 1 2] [--rounds 3]

Starts Debian's nginx (one worker, a temporary config of its own on 127.0.0.1, answering 200 to
every request; never the system service), runs `hey` (Debian package) with N requests at the given
concurrency, then `python -m console`'s burst engine with the same N and concurrency, keys
generated and every result stored in a fresh SQLite database, and prints both rates and the
ratio (rounds alternate hey and burst; the median of each is compared). Then one burst of
--big installations with results stored: its peak RSS (the coordinating process, and the worker
processes added up). Then the Burst and History pages (AppTest) with that burst stored.
Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NGINX_CONF = """worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log crit;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
    location / {{ default_type application/json; return 200 '{{"status":"ok"}}'; }}
  }}
}}
"""

BURST = """
import json, resource, sys, time
from console import service
from console.service import apps, bursts
from console.burst_run import BurstSpec
from console.fire.prepare import FireContext
request = json.load(open("assets/demo_app.json"))["auth"]["request"]
store = service.open_console_store(sys.argv[1])
app = apps.create_demo_app(store)  # the run belongs to the demo app, so its Burst page shows it
spec = BurstSpec(request, FireContext(params={"workspace": "bench"}), sys.argv[2], sys.argv[2], int(sys.argv[3]),
                 int(sys.argv[4]), app_ref=app.id, app_name=app.name)
started = time.monotonic()
report = bursts.run_burst(store, bursts.create_burst(store, spec), workers=int(sys.argv[5]) or None)
wall = time.monotonic() - started
print(json.dumps({**report.to_dict(), "wall_s": wall, "workers": report.workers,
                  "coordinator_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_rss_mb": report.max_rss_mb}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_nginx(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, port=port))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}/install"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("nginx did not start")


def run_hey(url: str, n: int, concurrency: int) -> float:
    body = json.dumps({"app_token": "0" * 64, "app_id": "1000001", "page_id": "100000000000", "workspace": "bench"})
    out = subprocess.run(["hey", "-n", str(n), "-c", str(concurrency), "-m", "POST", "-T", "application/json",
                          "-d", body, url], capture_output=True, text=True, timeout=300, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise SystemExit("hey printed no Requests/sec:\n" + out)
    return float(match.group(1))


def run_burst(url: str, n: int, concurrency: int, workers: int, folder: Path) -> dict[str, float]:
    database = folder / f"burst-{time.monotonic_ns()}.db"
    out = subprocess.run([sys.executable, "-c", BURST, f"sqlite:///{database}", url, str(n), str(concurrency),
                          str(workers)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit("the burst failed:\n" + out.stderr[-3000:])
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["database"] = str(database)
    if data["succeeded"] != n:
        raise SystemExit(f"the burst did not get {n} answers of 200: {data}")
    return data


def page_seconds(database: str, page: str) -> float:
    from streamlit.testing.v1 import AppTest

    os.environ["CONSOLE_DATABASE_URL"] = f"sqlite:///{database}"
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    at.switch_page(page)
    at.run()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        at.run()
        best = min(best, time.perf_counter() - started)
        if at.exception:
            raise SystemExit(f"{page} raised: {at.exception[0].value}")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--big", type=int, default=100_000, help="installations of the memory run (0 = skip)")
    parser.add_argument("--workers", type=int, nargs="+", default=[0], help="worker processes (0 = the default)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not (1 <= args.n <= 100_000 and 1 <= args.rounds <= 10 and 0 <= args.big <= 100_000):
        raise SystemExit("--n and --big up to 100,000, --rounds 1 to 10")
    if shutil.which("hey") is None:
        raise SystemExit("hey is not installed (Debian package hey)")
    folder = Path(tempfile.mkdtemp(prefix="burst-bench-"))
    nginx, url = start_nginx(folder)
    try:
        print(f"nginx (1 worker) at {url} · N={args.n:,} · concurrency {args.concurrency} · "
              f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}")
        run_hey(url, min(args.n, 2000), args.concurrency)  # warm up
        hey_rates: list[float] = []
        burst_rates: dict[int, list[dict[str, float]]] = {w: [] for w in args.workers}
        for _ in range(args.rounds):
            hey_rates.append(run_hey(url, args.n, args.concurrency))
            for workers in args.workers:
                burst_rates[workers].append(run_burst(url, args.n, args.concurrency, workers, folder))
        hey = statistics.median(hey_rates)
        print()
        print(f"{'what':<34}{'req/s (median)':>16}{'runs':>34}{'× hey':>8}")
        print(f"{'hey':<34}{hey:>16,.0f}{' '.join(f'{r:,.0f}' for r in hey_rates):>34}{1:>8.2f}")
        for runs in burst_rates.values():
            rates = [r["rps"] for r in runs]
            label = f"burst, results stored ({int(runs[0]['workers'])} workers)"
            print(f"{label:<34}{statistics.median(rates):>16,.0f}{' '.join(f'{r:,.0f}' for r in rates):>34}"
                  f"{statistics.median(rates) / hey:>8.2f}")
            walls = [r["sent"] / r["wall_s"] for r in runs]
            label = "  same, incl. process start + summary"
            print(f"{label:<34}{statistics.median(walls):>16,.0f}{' '.join(f'{r:,.0f}' for r in walls):>34}"
                  f"{statistics.median(walls) / hey:>8.2f}")
        print("target: ≥ 0.25 × hey (stretch 0.5 ×)")
        if args.big:
            print()
            big = run_burst(url, args.big, args.concurrency, args.workers[0], folder)
            total = big["coordinator_rss_mb"] + (big["workers_rss_mb"] or 0)
            print(f"N={args.big:,}, results stored: {big['rps']:,.0f} req/s · peak RSS: coordinator "
                  f"{big['coordinator_rss_mb']:.0f} MB + {int(big['workers'])} workers {big['workers_rss_mb']:.0f} MB "
                  f"= {total:.0f} MB (target < 300 MB) · p50 {big['p50_ms']} ms · p99 {big['p99_ms']} ms")
            from console import service
            from console.service import bursts

            store = service.open_console_store(f"sqlite:///{big['database']}")
            started = time.perf_counter()
            for _ in range(100):
                bursts.burst_progress(store, str(big["run_id"]))
                bursts.burst_report(store, str(big["run_id"]))
            per_read = (time.perf_counter() - started) / 100
            store.close()
            burst_page = page_seconds(big["database"], "pages/8_Burst.py")
            history_page = page_seconds(big["database"], "pages/6_History.py")
            print(f"with {args.big:,} installations stored: progress+report read {per_read * 1000:.1f} ms · "
                  f"Burst page rerun {burst_page:.2f} s · History page rerun {history_page:.2f} s")
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
