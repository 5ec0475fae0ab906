"""One worker process's event loop of a burst: lanes of keep-alive connections, each installation's fire in
named steps (render, pin the host's address, send, classify), results flushed in batches.

Each host is resolved once, in a thread, and every request waits for it only within its own
wall-clock deadline; answers are read by ``http1.py`` (heads by the single fire's rules) and
classified by ``classify.py``, like a single fire's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from requests.utils import requote_uri

from console import keys
from console.fire.burst import (
    FLUSH_ROWS,
    FLUSH_SECONDS,
    BurstPlan,
    Installation,
    Pin,
    RequestTemplate,
    ResultRow,
    decide_host,
)
from console.fire.burst_credit import Credit
from console.fire.classify import (
    FAILURES,
    Answer,
    Failure,
    Verdict,
    Where,
    classify_answer,
    classify_failure,
)
from console.fire.prepare import InvalidRequest, RenderedRequest
from console.fire.send import BODY_CAP, USER_AGENT
from console.outcome import ANSWERED, Category


def _fingerprint(key: str) -> str:
    return keys.FINGERPRINT_PREFIX + sha256(key.encode()).hexdigest()[:16]


class _Pins:
    """Host decisions of this process: given ones first, others decided once on first use and kept.

    The lookup runs in a thread (the event loop never blocks on DNS) and is shared by every request
    for that host; each request waits for it only within its own deadline.
    """

    def __init__(self, plan: BurstPlan, given: Mapping[tuple[str, int], Pin]):
        self.plan = plan
        self.pins: dict[tuple[str, int], Pin] = dict(given)
        self.pending: dict[tuple[str, int], asyncio.Future[Pin]] = {}

    async def get(self, host: str, port: int) -> Pin:
        pin = self.pins.get((host, port))
        if pin is not None:
            return pin
        future = self.pending.get((host, port))
        if future is None:
            future = self.pending[(host, port)] = self._lookup(host, port)
        pin = await asyncio.shield(future)
        self.pins[(host, port)] = pin
        return pin

    def _lookup(self, host: str, port: int) -> asyncio.Future[Pin]:
        """The decision, made in a daemon thread (a hung lookup never holds the loop, nor the process's exit)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Pin] = loop.create_future()

        def settle(pin: Pin) -> None:
            if not future.done():
                future.set_result(pin)

        def run() -> None:
            pin = decide_host(host, port, self.plan.policy, self.plan.resolver, seconds=300.0)
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(settle, pin)

        threading.Thread(target=run, name=f"resolve-{host}", daemon=True).start()
        return future


@dataclass(frozen=True)
class _Target:
    """Where one rendered URL goes: the pinned connection key and the request line's parts."""

    scheme: str
    host: str
    port: int
    host_header: str
    path: str


def _target(url: str) -> _Target:
    parts = urlsplit(requote_uri(url))
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme, parts.hostname or "", port, parts.netloc.rpartition("@")[2], path)


_FRAMING = frozenset({"content-length", "transfer-encoding"})  # the body is framed here, never by the manifest
_DEFAULTS = (("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Accept-Encoding", "identity"),
             ("Connection", "keep-alive"))


def frame_request(rendered: RenderedRequest, target: _Target) -> bytes:
    """The request's bytes as send.py sends them: the console's headers, those of the manifest winning."""
    given = {name.lower() for name, _ in rendered.headers}
    body = b"" if rendered.body is None else rendered.body.encode("utf-8")
    lines = [f"{rendered.method} {target.path} HTTP/1.1"]
    if "host" not in given:
        lines.append(f"Host: {target.host_header}")
    lines.extend(f"{name}: {value}" for name, value in _DEFAULTS if name.lower() not in given)
    lines.extend(f"{name}: {value}" for name, value in rendered.headers if name.lower() not in _FRAMING)
    if rendered.body is not None or rendered.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


async def fire_many(plan: BurstPlan, installations: Iterable[Installation], concurrency: int,
                    emit: Callable[[list[ResultRow]], None], pins: Mapping[tuple[str, int], Pin] | None = None,
                    stopping: asyncio.Event | None = None, credit: Credit | None = None) -> int:
    """Fire at every installation, ``concurrency`` at a time; results go to ``emit`` in batches.

    With a ``credit``, an installation is started only once the credit grants its position (a
    prefix of ``installations``): the coordinator has recorded it as what a resume may send again.

    Each of the ``concurrency`` lanes keeps one keep-alive connection to the pinned address and
    fires its installations one after another on it (a new connection when the server closes it).
    After ``stopping`` is set no new installation is started (those in flight finish). The count fired.
    """
    firing = _Firing(plan, pins or {})
    batch = _Batch(emit)
    pending = iter(installations)
    stop = stopping or asyncio.Event()

    async def lane() -> None:
        held = _Lane()
        try:
            while not stop.is_set():
                if credit is not None and not await credit.take(stop):
                    return
                item = next(pending, None)
                if item is None:
                    return
                batch.add(await firing.one(item, held))
        finally:
            held.drop()

    tick = asyncio.ensure_future(batch.ticker())
    try:
        await asyncio.gather(*(lane() for _ in range(max(1, concurrency))))
    finally:
        tick.cancel()
        batch.flush()
    return batch.fired


class _Batch:
    """Results on their way to ``emit``: in batches of FLUSH_ROWS, or every FLUSH_SECONDS."""

    def __init__(self, emit: Callable[[list[ResultRow]], None]):
        self.emit = emit
        self.rows: list[ResultRow] = []
        self.fired = 0

    def add(self, row: ResultRow) -> None:
        self.rows.append(row)
        self.fired += 1
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.emit(self.rows.copy())
            self.rows.clear()

    async def ticker(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.flush()


class _Lane:
    """One lane's keep-alive connection and where it goes."""

    def __init__(self) -> None:
        self.conn: Any = None
        self.where: tuple[str, int, str, str] | None = None

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


class _Firing:
    """The steps of one installation's fire: render, pin (resolve once per host), send, classify."""

    def __init__(self, plan: BurstPlan, pins: Mapping[tuple[str, int], Pin]):
        from console.fire import http1

        self.http1 = http1
        self.plan = plan
        self.template = RequestTemplate(plan)
        self.pins = _Pins(plan, pins)
        self.tls = http1.tls_context()
        self.targets: dict[str, _Target] = {}

    async def one(self, item: Installation, lane: _Lane) -> ResultRow:
        key = self.plan.key_for(item.seq)
        started, fired_at = time.monotonic(), time.time()
        rendered = self._render(key, item)
        if isinstance(rendered, Failure):
            verdict, target = classify_failure(rendered, Where("", 0, self.plan.timeouts.total)), None
        else:
            request, target = rendered
            verdict = await self._within_deadline(request, target, lane)
        return (item.seq, _fingerprint(key), verdict.category is Category.OK, verdict.status,
                verdict.category.value, (time.monotonic() - started) * 1000, fired_at,
                None if verdict.category in ANSWERED else keys.redact(verdict.message, key)[:300])

    def _render(self, key: str, item: Installation) -> tuple[bytes, _Target] | Failure:
        try:
            rendered = self.template.fill(key, item.page_id)
            target = self.targets.get(rendered.url)
            if target is None:
                target = _target(rendered.url)
                if len(self.targets) < 10_000:
                    self.targets[rendered.url] = target
        except (InvalidRequest, ValueError) as exc:
            return Failure("invalid", str(exc))
        return frame_request(rendered, target), target

    async def _within_deadline(self, request: bytes, target: _Target, lane: _Lane) -> Verdict:
        timeouts = self.plan.timeouts
        where = Where(target.host, target.port, timeouts.total, timeouts.connect)
        try:
            async with asyncio.timeout(timeouts.total):
                pin = await self.pins.get(target.host, target.port)
                if pin.address is None:
                    return classify_failure(Failure(pin.reason if pin.reason in FAILURES else "blocked",
                                                    pin.reason), where)
                head, truncated = await self._send(request, target, pin.address, lane)
        except TimeoutError:
            lane.drop()
            resolved = (target.host, target.port) in self.pins.pins
            return classify_failure(Failure("deadline" if resolved else "dns_deadline"), where)
        except self.http1.AnswerError as exc:
            return classify_failure(Failure(exc.kind, exc.detail), where)
        except ssl.SSLError as exc:
            return classify_failure(Failure("tls", str(exc)), where)
        except ConnectTimeout:
            return classify_failure(Failure("connect_timeout"), where)
        except OSError as exc:
            return classify_failure(Failure("refused" if isinstance(exc, ConnectionRefusedError) else "failed"),
                                    where)
        return classify_answer(Answer(head.status, truncated))

    async def _send(self, request: bytes, target: _Target, address: str, lane: _Lane) -> tuple[Any, bool]:
        """Send on the lane's connection (a new one when needed; once more if a kept-alive one was stale)."""
        where = (address, target.port, target.host, target.scheme)
        for attempt in (1, 2):
            if lane.conn is None or lane.conn.closed or lane.where != where:
                lane.drop()
                try:
                    async with asyncio.timeout(self.plan.timeouts.connect):
                        lane.conn = await self.http1.connect(address, target.port, target.host,
                                                             self.tls if target.scheme == "https" else None, BODY_CAP)
                except TimeoutError as exc:
                    raise ConnectTimeout() from exc
                lane.where = where
            try:
                result: tuple[Any, bool] = await lane.conn.exchange(request)
                return result
            except self.http1.StaleConnection:
                lane.drop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class ConnectTimeout(Exception):
    """No connection within the connect timeout."""
