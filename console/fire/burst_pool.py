"""The worker processes of a burst: each fires a share of the installations and streams results back.

``BurstWorkers`` starts ``python -m console.fire.burst_worker`` processes (one event loop each, a
share of the concurrency), hands each a ``WorkerJob`` on its stdin and reads result frames from
its stdout (length-prefixed pickles between this process and its own children). A worker dies
with the process that started it (Linux parent-death signal), so a kill -9 leaves nothing firing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from console.fire.burst import (
    BurstPlan,
    Installation,
    Pin,
    Range,
    ResultRow,
    generated_page_id,
)
from console.fire.burst_credit import Credit, GrantBook
from console.fire.burst_loop import fire_many


def _write_frame(out: IO[bytes], kind: bytes, payload: Any) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(kind + struct.pack("<I", len(data)) + data)
    out.flush()


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks = b""
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return chunks


def _read_frame(stream: BinaryIO) -> tuple[bytes, Any] | None:
    head = _read_exact(stream, 5)
    if head is None:
        return None
    (size,) = struct.unpack("<I", head[1:])
    data = _read_exact(stream, size)
    return None if data is None else (head[:1], pickle.loads(data))


@dataclass(frozen=True)
class WorkerJob:
    plan: BurstPlan
    concurrency: int
    ranges: tuple[Range, ...] = ()  # generated installations
    explicit: tuple[Installation, ...] = ()
    pins: tuple[tuple[tuple[str, int], Pin], ...] = ()

    def count(self) -> int:
        return sum(stop - start for start, stop in self.ranges) + len(self.explicit)

    def installations(self) -> Iterator[Installation]:
        for start, stop in self.ranges:
            for seq in range(start, stop):
                yield Installation(seq, None, generated_page_id(seq))
        yield from self.explicit


def _die_with_parent() -> None:
    """Linux: this worker is killed when the process that started it dies (kill -9 included)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _read_grants(stream: BinaryIO, loop: asyncio.AbstractEventLoop, credit: Credit) -> None:
    """A thread of the worker: hand the coordinator's grants to the event loop; close the credit at EOF."""
    while True:
        try:
            frame = _read_frame(stream)
        except (OSError, ValueError, pickle.UnpicklingError, EOFError):
            frame = None
        with contextlib.suppress(RuntimeError):  # the loop is closed: the worker is ending
            if frame is None:
                loop.call_soon_threadsafe(credit.close)
                return
            if frame[0] == b"G":
                upto, ask_at = frame[1]
                loop.call_soon_threadsafe(credit.grant, int(upto), int(ask_at))


def _raise_file_limit(concurrency: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = concurrency + 256  # a socket per lane, and room for the rest
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY
                                                        else min(wanted, hard), hard))


def worker_main() -> int:
    """Read a WorkerJob on stdin, then grants; fire what is granted, write result frames on stdout.

    SIGTERM, or the end of stdin (the coordinator stopped or died), stops new fires.
    """
    import resource

    _die_with_parent()
    parent = os.getppid()
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    stdin: Any = open(0, "rb", buffering=0, closefd=False)  # unbuffered: no lock the reader thread could hold at exit
    frame = _read_frame(stdin)
    if frame is None:
        return 2
    job: WorkerJob = frame[1]
    _raise_file_limit(job.concurrency)
    try:
        import uvloop

        runner: Callable[..., Any] = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is a pinned dependency
        runner = asyncio.run

    def send(kind: bytes, payload: Any) -> None:
        if os.getppid() != parent:
            os._exit(3)  # the coordinator is gone: nobody would store these
        try:
            _write_frame(out, kind, payload)
        except (BrokenPipeError, OSError):
            os._exit(3)

    async def main() -> tuple[int, int]:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        credit = Credit(job.count(), lambda used: send(b"W", used))

        def stop() -> None:
            stopping.set()
            credit.wake()

        loop.add_signal_handler(signal.SIGTERM, stop)
        threading.Thread(target=_read_grants, args=(stdin, loop, credit), name="grants",
                         daemon=True).start()
        send(b"S", {"pid": os.getpid()})
        fired = await fire_many(job.plan, job.installations(), job.concurrency, lambda rows: send(b"R", rows),
                                dict(job.pins), stopping, credit)
        return fired, credit.waits

    fired, waits = runner(main())
    send(b"E", {"fired": fired, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "waits": waits})
    return 0


@dataclass
class WorkerStats:
    fired: int = 0
    max_rss_kb: int = 0
    grant_waits: int = 0  # times a worker's lane waited for a grant


def split_work(ranges: Sequence[Range], explicit: Sequence[Installation], workers: int
               ) -> list[tuple[tuple[Range, ...], tuple[Installation, ...]]]:
    """Share ranges and explicit installations evenly between ``workers`` (contiguous pieces)."""
    total = sum(stop - start for start, stop in ranges) + len(explicit)
    workers = max(1, min(workers, total or 1))
    share, extra = divmod(total, workers)
    sizes = [share + (1 if i < extra else 0) for i in range(workers)]
    parts: list[tuple[list[Range], list[Installation]]] = [([], []) for _ in range(workers)]
    index, room = 0, sizes[0]
    for start, stop in ranges:
        while start < stop:
            while room == 0:
                index, room = index + 1, sizes[index + 1]
            take = min(room, stop - start)
            parts[index][0].append((start, start + take))
            start, room = start + take, room - take
    for item in explicit:
        while room == 0:
            index, room = index + 1, sizes[index + 1]
        parts[index][1].append(item)
        room -= 1
    return [(tuple(r), tuple(e)) for r, e in parts if r or e]


def _worker_env() -> dict[str, str]:
    """The environment of a worker: this one, with the console's folder importable wherever we run from."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


class BurstWorkers:
    """Worker processes firing at a share of the installations each; ``batches()`` yields their results.

    A worker starts only what it has been granted (``burst_credit``); ``on_grant`` is called with
    every range granted so far *before* a grant is written to a worker (the caller records them:
    what a resume after a kill may send again). ``should_stop`` is asked at least every ``poll_s``
    seconds (an empty batch is yielded then, so the caller can beat its heartbeat); once it says yes
    the workers start nothing new and the fires in flight finish. ``stats`` holds what the workers
    reported when ``batches()`` ends.
    """

    def __init__(self, plan: BurstPlan, ranges: Sequence[Range], explicit: Sequence[Installation],
                 concurrency: int, workers: int, should_stop: Callable[[], bool],
                 on_ready: Callable[[], None] | None = None, poll_s: float = 0.5,
                 on_grant: Callable[[list[Range]], None] | None = None):
        self.plan, self.ranges, self.explicit = plan, ranges, explicit
        self.concurrency, self.workers = concurrency, workers
        self.should_stop, self.on_ready, self.poll_s, self.on_grant = should_stop, on_ready, poll_s, on_grant
        self.stats = WorkerStats()
        self.pieces: list[tuple[tuple[Range, ...], tuple[Installation, ...]]] = []
        self.book = GrantBook()

    def started_ranges(self) -> list[Range]:
        """The installations granted to the workers so far: all any of them may have started."""
        found: list[Range] = []
        for index, (ranges, explicit) in enumerate(self.pieces):
            left = self.book.granted(index) if index < len(self.book.shares) else 0
            for start, stop in ranges:
                if left <= 0:
                    break
                found.append((start, min(stop, start + left)))
                left -= stop - start
            for item in explicit:
                if left <= 0:
                    break
                found.append((item.seq, item.seq + 1))
                left -= 1
        return found

    def _grant(self, procs: list[subprocess.Popen[bytes]], grants: dict[int, tuple[int, int]]) -> None:
        """Record what is granted (``on_grant``), then tell the workers."""
        if not grants:
            return
        if self.on_grant is not None:
            self.on_grant(self.started_ranges())
        for index, grant in grants.items():
            stdin = procs[index].stdin
            if stdin is not None and not stdin.closed:
                with contextlib.suppress(BrokenPipeError, OSError):
                    _write_frame(stdin, b"G", grant)

    def batches(self) -> Iterator[list[ResultRow]]:
        pieces = self.pieces = split_work(self.ranges, self.explicit, self.workers)
        if not pieces:
            if self.on_ready is not None:
                self.on_ready()
            return
        pins: tuple[tuple[tuple[str, int], Pin], ...] = ()  # each worker resolves each host once, async
        count = len(pieces)
        lanes = [self.concurrency // count + (1 if i < self.concurrency % count else 0) for i in range(count)]
        procs: list[subprocess.Popen[bytes]] = []
        selector = selectors.DefaultSelector()
        try:
            for (piece_ranges, piece_explicit), lane_count in zip(pieces, lanes, strict=True):
                proc = subprocess.Popen([sys.executable, "-m", "console.fire.burst_worker"], env=_worker_env(),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
                assert proc.stdin is not None and proc.stdout is not None
                job = WorkerJob(self.plan, max(1, lane_count), piece_ranges, piece_explicit, pins)
                _write_frame(proc.stdin, b"J", job)
                self.book.add(job.count(), job.concurrency)
                procs.append(proc)
                selector.register(proc.stdout, selectors.EVENT_READ, len(procs) - 1)
            self._grant(procs, {index: self.book.first(index) for index in range(len(procs))})
            yield from self._collect(procs, selector)
            for proc in procs:
                proc.wait(timeout=30)
        finally:
            for proc in procs:
                if proc.stdin is not None:
                    with contextlib.suppress(OSError):
                        proc.stdin.close()
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                if proc.stdout is not None:
                    proc.stdout.close()
            selector.close()

    def _collect(self, procs: list[subprocess.Popen[bytes]], selector: selectors.BaseSelector
                 ) -> Iterator[list[ResultRow]]:
        ready, open_streams, stopped = 0, len(procs), False
        while open_streams:
            events = selector.select(timeout=self.poll_s)
            results: list[list[ResultRow]] = []
            grants: dict[int, tuple[int, int]] = {}
            for selected, _ in events:
                stream: Any = selected.fileobj
                index: int = selected.data
                frame = _read_frame(stream)
                if frame is None:
                    selector.unregister(stream)
                    open_streams -= 1
                    continue
                kind, payload = frame
                if kind == b"R":
                    results.append(payload)
                elif kind == b"W" and not stopped:
                    grant = self.book.asked(index, int(payload))
                    if grant is not None:
                        grants[index] = grant
                elif kind == b"S":
                    ready += 1
                    if ready == len(procs) and self.on_ready is not None:
                        self.on_ready()
                elif kind == b"E":
                    self.stats.fired += int(payload["fired"])
                    self.stats.max_rss_kb += int(payload["max_rss_kb"])
                    self.stats.grant_waits += int(payload.get("waits", 0))
            self._grant(procs, grants)  # before the results are stored: a worker never waits on the database
            yield from results
            if not events:
                yield []
            if not stopped and self.should_stop():
                stopped = True
                for proc in procs:
                    with contextlib.suppress(ProcessLookupError):
                        proc.send_signal(signal.SIGTERM)
