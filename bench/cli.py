"""The command line's speed: `check --url` against curl, `validate` against importing jsonschema, start-up.

Prints a table of medians (wall time of whole processes, runs alternating so the machine's noise falls on
both sides alike) and whether each target is met:

- `check APP_JSON --url URL` (its 14 conformance fires at the built-in sample endpoint, which this script
  starts on 127.0.0.1; a fresh SQLite database already migrated to head) within 2x the same 14 requests
  sent by curl. curl is timed two ways: one curl process per request, as a shell script would send them
  (the target's baseline), and one curl process sending all 14 (`--next`), the floor of HTTP itself.
- `validate assets/demo_app.json` within 1.2x `python -c "import jsonschema"`.
- the start-up of `--help` within 1.2x a one-option argparse tool's `--help`, and of `check APP_JSON` without
  --url (reads the stored fires, no network) within 1.5x `python -c "import jsonschema, sqlalchemy"`.

    .venv/bin/python bench/cli.py [--runs 11]

Traffic goes to the loopback sample endpoint only; every loop is bounded by --runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEMO = "assets/demo_app.json"
CURL = "/usr/bin/curl"
MAX_RUNS = 101
# The smallest command-line tool: what `--help` is compared with.
HELLO_TOOL = ("import argparse; p = argparse.ArgumentParser(prog='tool'); p.add_argument('--name'); "
              "p.parse_args(['--help'])")


@dataclass(frozen=True)
class Timing:
    """Medians of one side: wall time (the target's measure) and CPU time (user + system of the processes;
    less sensitive to other work on a shared machine, shown beside it)."""

    wall: float
    cpu: float


@dataclass(frozen=True)
class Row:
    name: str
    measured: Timing
    baseline_name: str
    baseline: Timing
    target: float

    @property
    def ratio(self) -> float:
        return self.measured.wall / self.baseline.wall

    def line(self) -> str:
        verdict = "ok" if self.ratio <= self.target else "OVER"
        cpu_ratio = self.measured.cpu / self.baseline.cpu if self.baseline.cpu else float("nan")
        return (f"{self.name:<32} {self.measured.wall * 1000:>6.0f} ms  {self.baseline_name:<40} "
                f"{self.baseline.wall * 1000:>6.0f} ms  {self.ratio:>5.2f}x  {verdict:<4} (<= {self.target:g}x)  "
                f"cpu {self.measured.cpu * 1000:>4.0f}/{self.baseline.cpu * 1000:>4.0f} ms = {cpu_ratio:.2f}x")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(command: Sequence[str], env: dict[str, str], expect: int | None = 0) -> tuple[float, float]:
    """One run's wall and CPU time; a run that ends with another exit code stops the bench (its stderr shown)."""
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if expect is not None and done.returncode != expect:
        raise SystemExit(f"{' '.join(command)[:200]} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return elapsed, children_cpu() - cpu


def alternate(runs: int, sides: dict[str, Callable[[], tuple[float, float]]]) -> dict[str, Timing]:
    """Medians of each side, the sides run in turn (one warm-up round first, not counted)."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for round_ in range(runs + 1):
        for name, side in sides.items():
            measured = side()
            if round_:
                times[name].append(measured)
    return {name: Timing(statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
            for name, values in times.items()}


def curl_commands(url: str) -> list[list[str]]:
    """The 14 requests `check --url` sends, as curl arguments: the install request of the demo App JSON,
    rendered the way the console renders it (its own keys: 1 + 2 with the same key + 1 + 10 fresh)."""
    import json

    from console import keys
    from console.fire.prepare import FireContext, fill_params, render_request, template_values
    from console.manifest.document import param_names

    manifest = json.loads((ROOT / DEMO).read_text())
    context = FireContext(params=fill_params(param_names(manifest), {}))
    repeated = keys.generate_app_key()
    app_keys = [keys.generate_app_key(), repeated, repeated] + [keys.generate_app_key() for _ in range(11)]
    commands = []
    for key in app_keys:
        rendered = render_request(manifest["auth"]["request"], template_values(key, context), url)
        args = ["-s", "-o", "/dev/null", "-X", rendered.method]
        for name, value in rendered.headers:
            args += ["-H", f"{name}: {value}"]
        if rendered.body is not None:
            args += ["--data-binary", rendered.body]
        commands.append([*args, rendered.url])
    return commands


def one_curl(commands: list[list[str]]) -> list[str]:
    """All the requests in one curl process (``--next`` between them)."""
    joined = [CURL]
    for index, args in enumerate(commands):
        joined += (["--next"] if index else []) + args
    return joined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="runs of each side (median; default 11, at least 9)")
    args = parser.parse_args()
    runs = min(max(args.runs, 9), MAX_RUNS)
    if not Path(CURL).exists():
        raise SystemExit(f"{CURL} is needed for the check --url baseline (apt-get install curl).")
    from console.sandbox.sample_endpoint import SampleEndpoint

    folder = Path(tempfile.mkdtemp(prefix="console-bench-cli-"))
    env = {**os.environ, "CONSOLE_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "CONSOLE_MODE": "local"}
    env.pop("CONSOLE_DEBUG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' runs read compiled modules: the warm-up round writes them
    python = [sys.executable]
    wall([*python, "-m", "console", "db", "upgrade"], env)  # fresh, migrated to head before any timing
    endpoint = SampleEndpoint("127.0.0.1", 0).start()
    try:
        rows = measure(python, env, endpoint.install_url("ok"), runs)
    finally:
        endpoint.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'command':<32} {'median':>9}  {'baseline':<40} {'median':>9}  {'ratio':>6}  target (wall)     "
          "cpu (median, command/baseline)")
    for row in rows:
        print(row.line())
    print(f"(median of {runs} alternating runs each, after one warm-up round; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]})")


def measure(python: list[str], env: dict[str, str], url: str, runs: int) -> list[Row]:
    requests = curl_commands(url)
    check = [*python, "-m", "console", "check", DEMO, "--url", url]

    def each_curl() -> tuple[float, float]:
        runs = [wall([CURL, *request], env) for request in requests]
        return sum(w for w, _ in runs), sum(c for _, c in runs)

    fires = alternate(runs, {"check": lambda: wall(check, env), "each": each_curl,
                             "one": lambda: wall(one_curl(requests), env)})
    validate = alternate(runs, {"validate": lambda: wall([*python, "-m", "console", "validate", DEMO], env),
                                "jsonschema": lambda: wall([*python, "-c", "import jsonschema"], env)})
    start = alternate(runs, {
        "help": lambda: wall([*python, "-m", "console", "--help"], env),
        "argparse": lambda: wall([*python, "-c", HELLO_TOOL], env),
        "offline": lambda: wall([*python, "-m", "console", "check", DEMO], env, expect=None),
        "imports": lambda: wall([*python, "-c", "import jsonschema, sqlalchemy"], env),
    })
    return [
        Row("check --url (14 fires)", fires["check"], "14 curl processes, one request each", fires["each"], 2),
        Row("check --url (14 fires)", fires["check"], "1 curl process, 14 requests (--next)", fires["one"], 2),
        Row("validate demo_app.json", validate["validate"], "python -c 'import jsonschema'",
            validate["jsonschema"], 1.2),
        Row("--help", start["help"], "a one-option argparse tool's --help", start["argparse"], 1.2),
        Row("check demo_app.json (no --url)", start["offline"], "python -c 'import jsonschema, sqlalchemy'",
            start["imports"], 1.5),
    ]


if __name__ == "__main__":
    main()
