"""A burst's workers start only what the coordinator has recorded as started: a slow coordinator never
leaves installations sent that a resume after a kill would not count as resent; a worker whose
coordinator closes its end stops sending."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from console.fire.burst import GENERATED_PAGE_BASE, BurstPlan
from console.fire.burst_credit import MIN_GRANT, PER_LANE
from console.fire.burst_pool import BurstWorkers, WorkerJob, _worker_env, _write_frame
from console.fire.prepare import FireContext
from console.fire.send import Timeouts
from tests.unit.test_burst_resume_keys import Receiver
from tests.unit.test_burst_resume_keys import receiver as receiver  # noqa: F401 - the fixture

CTX = FireContext(params={"workspace": "acme"})


def sent_seqs(server: Receiver) -> set[int]:
    with server.lock:
        return {int(page) - GENERATED_PAGE_BASE for page in server.keys_of}


def covered(marks: list[tuple[int, int]]) -> set[int]:
    return {seq for start, stop in marks for seq in range(start, stop)}


def wait_until(check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not check():
        time.sleep(0.02)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_coordinator_that_stops_reading_has_recorded_everything_its_workers_sent(
        receiver: Receiver, auth_request: dict, workers: int) -> None:
    total, concurrency = 6000, 8
    plan = BurstPlan(auth_request, CTX, receiver.url, Timeouts(2.0, 5.0), key_secret=b"s" * 32)
    recorded: list[list[tuple[int, int]]] = [[]]

    def on_grant(granted: list[tuple[int, int]]) -> None:
        sent_now = sent_seqs(receiver)
        assert sent_now <= covered(recorded[-1])  # nothing was sent before it was recorded
        recorded.append(list(granted))

    engine = BurstWorkers(plan, [(0, total)], [], concurrency, workers, should_stop=lambda: False, on_grant=on_grant)
    batches: Iterator[list] = engine.batches()
    got = 0
    for batch in batches:
        got += len(batch)
        if got >= 300:
            break
    time.sleep(3.0)  # the coordinator is busy elsewhere: results pile up in the pipes, grants wait
    sent = sent_seqs(receiver)
    marks = covered(recorded[-1])
    batches.close()  # the coordinator stops: its workers are killed
    time.sleep(0.5)
    sent_after = sent_seqs(receiver)
    assert got < len(sent) < total, "the burst must still be running while its coordinator is away"
    assert sent_after <= marks, f"{len(sent_after - marks)} installations were sent but never recorded as started"
    lanes = -(-concurrency // workers)
    chunk = max(MIN_GRANT, lanes * PER_LANE, *(share.chunk for share in engine.book.shares))
    assert len(marks) <= len(sent_after) + workers * chunk + concurrency  # a tight bound: about a grant a worker


def test_a_worker_whose_stdin_closes_stops_sending(receiver: Receiver, auth_request: dict) -> None:
    total = 100_000
    plan = BurstPlan(auth_request, CTX, receiver.url, Timeouts(2.0, 5.0), key_secret=b"s" * 32)
    proc = subprocess.Popen([sys.executable, "-m", "console.fire.burst_worker"], env=_worker_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        assert proc.stdin is not None
        _write_frame(proc.stdin, b"J", WorkerJob(plan, 8, ((0, total),)))
        _write_frame(proc.stdin, b"G", (total, -1))  # everything granted: only the closing can stop it
        wait_until(lambda: len(sent_seqs(receiver)) >= 200, 60)
        assert len(sent_seqs(receiver)) >= 200, "the worker did not start"
        proc.stdin.close()
        proc.wait(timeout=10)  # it ends by itself, promptly
        settled = len(sent_seqs(receiver))
        time.sleep(0.5)
        assert len(sent_seqs(receiver)) == settled < total
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
