"""Cached resources: one store per database URL, one sample endpoint per process, one sandbox API per database."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from console.config import (
    DEFAULT_DB_DIR,
    ConfigError,
    allowed_hosts,
    console_mode,
    database_url,
    sample_port,
    sandbox_port,
)
from console.netpolicy import AddressPolicy
from console.sandbox.api import SandboxServer
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import open_console_store
from console.store import Store


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_console_store(url)


def get_store() -> Store:
    return _store(database_url())


@st.cache_resource(show_spinner=False)
def _sample_endpoint(port: int) -> SampleEndpoint:
    try:
        endpoint = SampleEndpoint("127.0.0.1", port).start()
    except OSError:
        endpoint = SampleEndpoint("127.0.0.1", 0).start()  # the port is taken: any free one
    try:  # https too, with the local CA's certificate (trusted for this origin alone)
        endpoint.serve_https(Path(DEFAULT_DB_DIR), port + 1 if 0 < port < 65535 else 0)
    except OSError:
        endpoint.serve_https(Path(DEFAULT_DB_DIR), 0)
    return endpoint


def sample_endpoint() -> SampleEndpoint:
    """The built-in sample install endpoint, started on first use (a bad CONSOLE_SAMPLE_PORT stops the page)."""
    try:
        port = sample_port()
    except ConfigError as exc:
        st.error("**The built-in sample endpoint cannot start.**", icon=":material/error:")
        st.text(str(exc))
        st.stop()
    return _sample_endpoint(port)


def address_policy() -> AddressPolicy:
    """The address policy; the console's own sample endpoint is always allowed (only it, on loopback)."""
    sample = sample_endpoint()
    own = ((sample.host, sample.port),) + (((sample.https.host, sample.https.port),) if sample.https else ())
    return AddressPolicy(console_mode(), allowed_hosts(), own_endpoints=own)


@st.cache_resource(show_spinner=False)
def _sandbox_server(url: str, port: int) -> SandboxServer:
    store = _store(url)
    try:
        return SandboxServer(store, "127.0.0.1", port).start()
    except OSError:
        return SandboxServer(store, "127.0.0.1", 0).start()  # the port is taken: any free one


def sandbox_server() -> SandboxServer:
    """The local ManyChat API on 127.0.0.1 (CONSOLE_SANDBOX_PORT), started on first use."""
    return _sandbox_server(database_url(), sandbox_port())
