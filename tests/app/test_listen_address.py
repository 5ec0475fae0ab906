"""The console listens on 127.0.0.1 by default; served to the network, its pages need the access gate
or the explicit CONSOLE_LISTEN_ANYWHERE=1, and say where it listens.

Before: `make run` bound every interface (Streamlit printed a Network URL) with no gate in local mode.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator

import pytest
from streamlit import config as streamlit_config

from console.config import listen_problem, listens_on_loopback
from tests.app.test_pages import no_exception
from tests.app.test_team_gate import GATE_TITLE, SHARED, open_app
from tests.conftest import ROOT


@pytest.fixture
def served_to_network() -> Iterator[None]:
    before = streamlit_config.get_option("server.address")
    streamlit_config.set_option("server.address", "0.0.0.0")
    yield
    streamlit_config.set_option("server.address", before)


def test_the_project_config_and_make_run_listen_on_loopback() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "HOST   ?= 127.0.0.1" in makefile and "--server.address $(HOST)" in makefile


def test_streamlit_started_from_the_project_prints_no_network_url(tmp_path) -> None:  # noqa: ANN001
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.stdout is not None:
            line = process.stdout.readline()
            lines.append(line)
            if "URL:" in line or not line:
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
    output = "".join(lines)
    assert "URL: http://127.0.0.1:" in output, output
    assert "Network URL" not in output


def test_every_interface_without_a_gate_refuses_to_serve_pages(sqlite_url: str, served_to_network: None) -> None:
    at = open_app()
    no_exception(at)
    assert "listens on 0.0.0.0 with no access gate" in at.error[0].value
    assert "CONSOLE_LISTEN_ANYWHERE=1" in at.error[0].value
    assert not at.title or at.title[0].value != "App Key Console"
    assert not at.button and not at.text_input


def test_the_explicit_choice_serves_the_pages_and_says_so(sqlite_url: str, served_to_network: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_LISTEN_ANYWHERE", "1")
    at = open_app()
    no_exception(at)
    assert not at.error
    assert any("Reachable from the network: the console listens on 0.0.0.0" in c.value for c in at.sidebar.caption)


def test_with_the_gate_on_the_network_gets_the_sign_in(sqlite_url: str, served_to_network: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    at = open_app()
    assert [t.value for t in at.title] == [GATE_TITLE]


def test_loopback_spellings() -> None:
    assert all(listens_on_loopback(a) for a in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"))
    assert not any(listens_on_loopback(a) for a in (None, "", "0.0.0.0", "::", "192.0.2.2"))
    assert listen_problem("127.0.0.1", gate_on=False) is None
    assert "every interface" in (listen_problem(None, gate_on=False) or "")
