"""Keep Streamlit's collection after every run cheap: the modules' objects are set aside from it.

Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``). With the
console's libraries loaded (SQLAlchemy, pandas, Altair, jsonschema) that walks about 150,000 objects
that live as long as the process: 85-125 ms on this project's 2-core machine, on every page load and
every rerun, while the page waits for the last messages. ``gc.freeze`` moves the objects alive now to
a generation no collection visits; what a run leaves behind is still collected after it.

Each page freezes once per process, right after its imports (a page imports what it needs on its
first run), after a collection so that no garbage is kept: at most one freeze per page.
"""

from __future__ import annotations

import gc
import threading

_frozen: set[str] = set()
_lock = threading.Lock()


def freeze_once(page: str) -> bool:
    """Set aside what is alive after ``page``'s imports, the first time it runs in this process."""
    if page in _frozen:
        return False
    with _lock:
        if page in _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen.add(page)
        return True
