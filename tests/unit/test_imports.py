"""The core never imports streamlit (so the CLI and sandbox run without a UI)."""

import pkgutil
import subprocess
import sys

import console
from tests.conftest import ROOT


def test_console_imports_no_streamlit() -> None:
    modules = [f"console.{m.name}" for m in pkgutil.iter_modules(console.__path__) if m.name != "__main__"]
    assert len(modules) >= 15
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"console pulls in streamlit: {out.stdout}"
