"""A free TCP port on loopback, for the servers the tests and benches start (the port can still be taken before
the server binds it: callers that bind later retry or fall back to port 0)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
