"""Fixtures: a fresh SQLite file per test, a real sample endpoint on loopback."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.demo import DEMO_FILE
from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    monkeypatch.delenv("CONSOLE_MODE", raising=False)
    monkeypatch.delenv("CONSOLE_ALLOWED_HOSTS", raising=False)
    return url


@pytest.fixture
def store(db_url: str) -> Store:
    return open_store(db_url)


@pytest.fixture
def sample() -> Iterator[SampleEndpoint]:
    endpoint = SampleEndpoint().start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    return json.loads(DEMO_FILE.read_text("utf-8"))


@pytest.fixture
def auth_request(demo_doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(demo_doc["auth"]["request"])
