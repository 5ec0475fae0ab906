"""The built-in sample install endpoint: a real HTTP server on loopback.

``/install/<mode>`` answers like a developer's endpoint in that mode, and echoes what it
received as *fingerprints* (never the values), so the console can prove where the key
landed without the key travelling back in plain text. Modes rehearse failures:

ok, 201, 500, 401, slow/N (answer 200 after N seconds), flaky/K (first K fail with 500,
then 200), redirect (302 to /install/ok), oversized (200 with a 256 KiB body).

``/action/<mode>/<the action's path>`` answers JSON for action rehearsals (see sample_actions.py):
echo, lookup, options, slow[:N], fail.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from console.keys import fingerprint, mask_key
from console.local_ca import ensure_local_ca, forget_origin, trust_for_origin
from console.sandbox.sample_actions import action_answer
from console.templating import escape_pointer

MODES = ("ok", "201", "500", "401", "slow", "flaky", "redirect", "oversized")
MODE_HELP = {
    "ok": "answers 200 OK (success)",
    "201": "answers 201 Created (ManyChat treats it as a failure)",
    "500": "answers 500 Internal Server Error",
    "401": "answers 401 Unauthorized",
    "slow": "waits N seconds, then answers 200",
    "flaky": "the first K requests fail with 500, then 200",
    "redirect": "answers 302 with a Location header",
    "oversized": "answers 200 with a 256 KiB body",
}
MAX_SLOW_SECONDS = 60
OVERSIZED_BYTES = 256 * 1024
RECEIVED_LOG_SIZE = 200
STOP_POLL_SECONDS = 0.05


def install_path(mode: str, arg: int | None = None, series: str = "") -> str:
    """The path of the sample endpoint in a mode (arg: seconds for slow, K for flaky)."""
    if mode not in MODES:
        raise ValueError(f"unknown sample mode {mode!r}; one of {', '.join(MODES)}")
    path = f"/install/{mode}"
    if mode in ("slow", "flaky"):
        path += f"/{int(arg if arg is not None else (3 if mode == 'slow' else 1))}"
    return path + (f"?series={series}" if series else "")


def is_sample_url(url: str) -> bool:
    """True for a URL of a sample endpoint on this machine (loopback, /install/<mode>): a rehearsal target."""
    import ipaddress

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
    segments = [s for s in parts.path.split("/") if s]
    return loopback and len(segments) >= 2 and segments[0] == "install" and segments[1] in MODES


def _leaves(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{pointer}/{escape_pointer(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{index}")
    elif value is not None:
        yield pointer, value if isinstance(value, str) else json.dumps(value)


def summarize_request(method: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """What the endpoint received, with every value replaced by its fingerprint."""
    parts = urlsplit(target)
    try:
        payload = json.loads(body.decode("utf-8")) if body else None
        fields = {pointer: fingerprint(text) for pointer, text in _leaves(payload)}
    except (UnicodeDecodeError, json.JSONDecodeError):
        fields = {"": fingerprint(body.decode("utf-8", errors="replace"))}
    return {
        "method": method,
        "path": parts.path,
        "headers": {name.lower(): fingerprint(value) for name, value in headers.items()},
        "query": {name: fingerprint(value) for name, value in parse_qsl(parts.query)},
        "payload": fields,
        "body_bytes": len(body),
        "received_at": datetime.now(UTC).isoformat(),
    }


INSPECT_LOG_SIZE = 50
INSPECT_BODY_CHARS = 16 * 1024
_SECRET_NAME = re.compile(r"auth|token|key|secret|pass|signature|cookie", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.~]{24,}")


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    digits, letters = sum(c.isdigit() for c in token), sum(c.isalpha() for c in token)
    return mask_key(token) if digits >= 4 and letters >= 4 else token  # random tokens mix both; words do not


def mask_secrets(text: str) -> str:
    """``text`` with every key-like token (24+ characters mixing 4+ letters and 4+ digits) masked."""
    return _TOKEN.sub(_mask_token, text)


def _masked_value(name: str, value: str) -> str:
    return mask_key(value) if _SECRET_NAME.search(name) and value else mask_secrets(value)


def _masked_body(body: bytes) -> str:
    text = body[:INSPECT_BODY_CHARS].decode("utf-8", errors="replace")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return mask_secrets(text)
    masked = text
    for pointer, value in _leaves(document):  # a value under a secret-looking name is masked whole
        name = pointer.rsplit("/", 1)[-1]
        if _SECRET_NAME.search(name) and isinstance(value, str) and len(value) >= 4:
            masked = masked.replace(json.dumps(value)[1:-1], mask_key(value))
    return mask_secrets(masked)


def inspect_entry(method: str, target: str, headers: list[tuple[str, str]], body: bytes, mode: str) -> dict[str, Any]:
    """What the inspector shows of one request: everything as received, with key-like values masked."""
    return {
        "received_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "method": method,
        "target": mask_secrets(target),
        "mode": mode,
        "headers": [(name, _masked_value(name, value)) for name, value in headers],
        "body": _masked_body(body),
        "body_bytes": len(body),
    }


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a timeout, a capped read) is normal here: say nothing."""


@dataclass
class _State:
    flaky_counts: dict[str, int]
    received: deque[dict[str, Any]]
    inspected: deque[dict[str, Any]]
    lock: threading.Lock
    stopping: threading.Event


# The demo app's URLs name the built-in sample endpoint's https origin, known only at runtime: the App JSON
# keeps this placeholder (".invalid" never resolves, so an unresolved one fails clearly), and the console
# resolves it to the running endpoint's https origin (resolve_sample_url) when it fires or rehearses.
SAMPLE_HTTPS_PLACEHOLDER = "https://sample-endpoint.invalid"


def resolve_sample_url(url: str, https_base: str | None) -> str:
    """``url`` with the placeholder origin replaced by the running sample endpoint's https origin."""
    if https_base and (url == SAMPLE_HTTPS_PLACEHOLDER or url.startswith(SAMPLE_HTTPS_PLACEHOLDER + "/")):
        return https_base.rstrip("/") + url[len(SAMPLE_HTTPS_PLACEHOLDER):]
    return url


# The https twin of each running sample endpoint in this process (http base URL -> https base URL): the
# demo's install URL names the sample endpoint's https origin, known only once it runs.
_HTTPS_TWINS: dict[str, str] = {}


def https_base_for(http_base_url: str) -> str | None:
    """The https origin served beside the sample endpoint at ``http_base_url`` in this process, if any."""
    return _HTTPS_TWINS.get(http_base_url.rstrip("/"))


class SampleEndpoint:
    """The sample install endpoint server; start() it, fire at install_url(), stop() it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None,
                 state: _State | None = None):
        self.state = state or _State({}, deque(maxlen=RECEIVED_LOG_SIZE), deque(maxlen=INSPECT_LOG_SIZE),
                                     threading.Lock(), threading.Event())
        self._server = _QuietServer((host, port), _make_handler(self.state))
        self.scheme = "https" if tls is not None else "http"
        if tls is not None:  # the handshake happens in the request's thread, so a slow client stalls no one
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True,
                                                  do_handshake_on_connect=False)
        self._thread: threading.Thread | None = None
        self.https: SampleEndpoint | None = None  # the https twin, once serve_https() started it

    def serve_https(self, base: Path, port: int = 0) -> SampleEndpoint:
        """Also serve https on loopback (same modes, same logs), with a certificate from the local CA under
        ``base`` (created on first use), trusted by the fire engines for this origin alone."""
        if self.https is not None:
            return self.https
        ca = ensure_local_ca(base)
        twin = SampleEndpoint(self.host, port, tls=ca.server_context(), state=self.state).start()
        trust_for_origin(twin.base_url, ca.ca_file)
        self.https = twin
        _HTTPS_TWINS[self.base_url.rstrip("/")] = twin.base_url
        return twin

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host = str(self._server.server_address[0])
        host = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{host}:{self.port}"

    def install_url(self, mode: str = "ok", arg: int | None = None, series: str = "") -> str:
        return self.base_url + install_path(mode, arg, series)

    def received(self) -> list[dict[str, Any]]:
        """The most recent requests received (fingerprints only), newest last."""
        with self.state.lock:
            return list(self.state.received)

    def inspected(self) -> list[dict[str, Any]]:
        """The last requests as received (all headers, raw body), key-like values masked; newest first."""
        with self.state.lock:
            return list(reversed(self.state.inspected))

    def start(self) -> SampleEndpoint:
        self._thread = threading.Thread(target=self.serve_forever, name="sample-endpoint", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        # A stop waits for the serving loop's next look at its flag: every 50 ms, not http.server's 0.5 s.
        self._server.serve_forever(poll_interval=STOP_POLL_SECONDS)

    def stop(self) -> None:
        if self.https is not None:
            _HTTPS_TWINS.pop(self.base_url.rstrip("/"), None)
            forget_origin(self.https.base_url)
            self.https.stop()
        self.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def _make_handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SampleInstallEndpoint/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # never log requests: they carry App Keys

        def _send(self, status: int, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1024 * 1024)) if length else b""
            parts = urlsplit(self.path)
            segments = [s for s in parts.path.split("/") if s]
            if parts.path in ("/", "/health"):
                self._send(200, {"status": "ok", "service": "sample install endpoint", "modes": MODE_HELP})
                return
            if segments[:1] == ["action"]:
                status, answer, delay = action_answer(self.command, self.path, dict(self.headers.items()), body)
                if delay:
                    state.stopping.wait(delay)
                self._send(status, answer)
                return
            if len(segments) < 2 or segments[0] != "install" or segments[1] not in MODES:
                self._send(404, {"status": "error", "message": "Unknown path. Use /install/<mode>.",
                                 "modes": MODE_HELP})
                return
            mode = segments[1]
            arg = int(segments[2]) if len(segments) > 2 and segments[2].isdigit() else None
            summary = summarize_request(self.command, self.path, dict(self.headers.items()), body)
            entry = inspect_entry(self.command, self.path, list(self.headers.items()), body, mode)
            with state.lock:
                state.received.append({**summary, "mode": mode})
                state.inspected.append(entry)
            echo = {"sample_endpoint": True, "mode": mode, "received": summary}
            if mode == "ok":
                self._send(200, {"status": "ok", **echo})
            elif mode in ("201", "500", "401"):
                self._send(int(mode), {"status": "error" if mode != "201" else "created", **echo})
            elif mode == "slow":
                seconds = min(arg if arg is not None else 3, MAX_SLOW_SECONDS)
                state.stopping.wait(seconds)
                self._send(200, {"status": "ok", **echo})
            elif mode == "flaky":
                with state.lock:
                    count = state.flaky_counts.get(self.path, 0) + 1
                    state.flaky_counts[self.path] = count
                failing = arg if arg is not None else 1
                if count <= failing:
                    self._send(500, {"status": "error", "attempt": count, **echo})
                else:
                    self._send(200, {"status": "ok", "attempt": count, **echo})
            elif mode == "redirect":
                self._send(302, {"status": "moved", **echo}, {"Location": "/install/ok"})
            else:
                padding = b" " * OVERSIZED_BYTES
                self._send(200, b'{"status": "ok", "padding": "' + padding + b'"}')

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler
