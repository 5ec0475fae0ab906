"""Two processes writing at once lose nothing: 2 processes x 1,000 fires each, on SQLite and PostgreSQL.

One process fires the way a page does (firing.fire_for_app, signed-in person "Ada"), the other the
way `python -m console fire` does (fire, then record_cli_fires as "cli"), both at the real sample
endpoint on loopback, at the same time, into one database. Bounded: 1,000 fires and 240 s each.
"""

from __future__ import annotations

import subprocess
import sys
import time

from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps
from console.store import FireFilter, Store
from tests.conftest import ROOT

FIRES = 1000
WORKER = """
import sys, time
from console import service
from console.service import firing
from console.fire.send import fire_install_request
from console.manifest.document import request_or_default
from console.netpolicy import AddressPolicy

url, app_ref, base, how, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
store = service.open_console_store(url)
app = service.get_app(store, app_ref)
policy = AddressPolicy("local", ())
deadline, done = time.monotonic() + 240, 0
while done < count and time.monotonic() < deadline:
    if how == "page":
        firing.fire_for_app(store, app, base, policy, actor="Ada")
    else:
        result = fire_install_request(request_or_default(app.manifest), service.fire_context(app),
                                      url=service.target_url(app, base), policy=policy)
        firing.record_cli_fires(store, [(result, None)], "cli-worker.json", "sample")
    done += 1
print(done)
"""


def test_two_processes_firing_1000_each_lose_nothing(db_url: str, store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    started = time.monotonic()
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, str(app.id), sample.base_url, how, str(FIRES)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for how in ("page", "cli")]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    elapsed = time.monotonic() - started
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]
        assert out.strip() == str(FIRES), err[-2000:]
    page_fires = store.fires.page(FireFilter(app_ref=app.id), limit=3 * FIRES)
    cli_fires = store.fires.page(FireFilter(source="cli"), limit=3 * FIRES)
    assert len(page_fires) == FIRES and {f["actor"] for f in page_fires} == {"Ada"}
    assert len(cli_fires) == FIRES and {f["actor"] for f in cli_fires} == {"cli"}
    assert len({f["id"] for f in page_fires + cli_fires}) == 2 * FIRES
    assert all(f["category"] == "ok" for f in page_fires + cli_fires)
    assert store.fires.count() == 2 * FIRES  # the per-day counts kept up with both writers
    assert len(store.activity.for_app(app.id, limit=3 * FIRES, action="fire")) == FIRES
    assert len(store.activity.for_app(None, limit=3 * FIRES, action="cli_fires")) == FIRES
    print(f"{store.dialect}: 2 x {FIRES} fires in {elapsed:.1f} s")
