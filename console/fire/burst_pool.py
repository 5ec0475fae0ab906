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


def worker_main() -> int:
    """Read a WorkerJob on stdin, fire, write result frames on stdout; SIGTERM stops new fires."""
    import resource

    _die_with_parent()
    parent = os.getppid()
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    frame = _read_frame(sys.stdin.buffer)
    if frame is None:
        return 2
    job: WorkerJob = frame[1]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = job.concurrency + 256  # a socket per lane, and room for the rest
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY
                                                        else min(wanted, hard), hard))
    try:
        import uvloop

        runner: Callable[..., Any] = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is a pinned dependency
        runner = asyncio.run

    async def main() -> int:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stopping.set)

        def emit(rows: list[ResultRow]) -> None:
            if os.getppid() != parent:
                os._exit(3)  # the coordinator is gone: nobody would store these
            try:
                _write_frame(out, b"R", rows)
            except (BrokenPipeError, OSError):
                os._exit(3)

        def started(taken: int) -> None:
            with contextlib.suppress(BrokenPipeError, OSError):
                _write_frame(out, b"P", taken)

        _write_frame(out, b"S", {"pid": os.getpid()})
        return await fire_many(job.plan, job.installations(), job.concurrency, emit, dict(job.pins), stopping,
                               started)

    fired = runner(main())
    _write_frame(out, b"E", {"fired": fired, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    return 0


@dataclass
class WorkerStats:
    fired: int = 0
    max_rss_kb: int = 0


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

    ``should_stop`` is asked at least every ``poll_s`` seconds (an empty batch is yielded then, so
    the caller can beat its heartbeat); once it says yes the workers start nothing new and the
    fires in flight finish. ``stats`` holds what the workers reported when ``batches()`` ends.
    """

    def __init__(self, plan: BurstPlan, ranges: Sequence[Range], explicit: Sequence[Installation],
                 concurrency: int, workers: int, should_stop: Callable[[], bool],
                 on_ready: Callable[[], None] | None = None, poll_s: float = 0.5):
        self.plan, self.ranges, self.explicit = plan, ranges, explicit
        self.concurrency, self.workers = concurrency, workers
        self.should_stop, self.on_ready, self.poll_s = should_stop, on_ready, poll_s
        self.stats = WorkerStats()
        self.pieces: list[tuple[tuple[Range, ...], tuple[Installation, ...]]] = []
        self.taken: dict[int, int] = {}  # worker index -> installations it has taken (a prefix of its piece)

    def started_ranges(self, margin: int) -> list[Range]:
        """The installations taken by the workers so far, plus ``margin`` more of each (about to be taken)."""
        found: list[Range] = []
        for index, (ranges, explicit) in enumerate(self.pieces):
            left = self.taken.get(index, 0) + margin if index in self.taken else 0
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
                _write_frame(proc.stdin, b"J", WorkerJob(self.plan, max(1, lane_count), piece_ranges,
                                                         piece_explicit, pins))
                proc.stdin.close()
                procs.append(proc)
                selector.register(proc.stdout, selectors.EVENT_READ, len(procs) - 1)
            yield from self._collect(procs, selector)
            for proc in procs:
                proc.wait(timeout=30)
        finally:
            for proc in procs:
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
                    yield payload
                elif kind == b"P":
                    self.taken[index] = int(payload)
                elif kind == b"S":
                    ready += 1
                    if ready == len(procs) and self.on_ready is not None:
                        self.on_ready()
                elif kind == b"E":
                    self.stats.fired += int(payload["fired"])
                    self.stats.max_rss_kb += int(payload["max_rss_kb"])
            if not events:
                yield []
            if not stopped and self.should_stop():
                stopped = True
                for proc in procs:
                    with contextlib.suppress(ProcessLookupError):
                        proc.send_signal(signal.SIGTERM)
