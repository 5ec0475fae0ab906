"""What a page load costs beyond the page itself: the collection after every run, file watching."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own: a freeze lasts as long as the process.
PROBE = """
import gc, json, sys, time, weakref
from streamlit.testing.v1 import AppTest

before = gc.get_freeze_count()
at = AppTest.from_file("Home.py", default_timeout=60)
at.run()
assert not at.exception, [e.value for e in at.exception]
frozen = gc.get_freeze_count()
at.run()  # a rerun of the same page freezes nothing more
again = gc.get_freeze_count()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a reference cycle made after the freeze: garbage for the collector
gone = []
weakref.finalize(a, gone.append, "collected")
del a, b
gc.collect(2)
print(json.dumps({"before": before, "frozen": frozen, "again": again, "cycle": gone}))
"""


def test_a_page_sets_its_imports_aside_once_and_later_garbage_is_still_collected(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
           "CONSOLE_MODE": "local", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0
    assert seen["frozen"] > 50_000  # the libraries' objects (SQLAlchemy, jsonschema, Streamlit, ...)
    assert seen["again"] <= seen["frozen"]  # a rerun freezes nothing more (a frozen object can still be freed)
    assert seen["cycle"] == ["collected"]


def test_a_new_session_watches_no_files() -> None:
    """Watching cost every page load a check of every loaded module's file and a watch per console module
    (about half a second of each load on this project's machine); the console is not edited while it serves."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
