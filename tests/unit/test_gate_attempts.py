"""The gate's slow-down cannot be outrun, trusts only the proxies it is told to, and does not let one
person lock a whole team out.

- 40 processes each send one wrong token for the same client at the same moment, on SQLite and on
  PostgreSQL: exactly FREE_FAILURES tokens are compared (before: 6 on SQLite), the rest are told to wait.
- X-Forwarded-For: every line, in order; with CONSOLE_TRUSTED_PROXIES=N the hop the N-th proxy
  appended counts, with 0 (default) the peer address.
- Wrong tokens under one name (or none) do not delay a colleague who signs in with their own name
  behind the same address; an address has a bounded budget of wrong tokens across all names.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from console import service, team
from console.service import team as team_service
from console.store import Store, open_store

SHARED = "team-shared-token-0123456789"
PROCESSES = 40


def _one_wrong_token(db_url: str, barrier: Any, results: Any) -> None:
    store = open_store(db_url)
    try:
        barrier.wait(timeout=60)
        try:
            team_service.sign_in(store, "wrong-token-xyz", "Mallory", "ip:198.51.100.7")
        except service.ServiceError as exc:
            results.put(str(exc))
        else:
            results.put("signed in")
    finally:
        store.close()


def test_forty_processes_at_once_get_only_the_free_tokens_compared(db_url: str, store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_one_wrong_token, args=(db_url, barrier, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    messages = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    compared = [m for m in messages if m.startswith("That token is not valid")]
    told_to_wait = [m for m in messages if m.startswith("Too many wrong tokens")]
    assert len(compared) == team.FREE_FAILURES, f"{len(compared)} of {PROCESSES} tokens compared"
    assert len(told_to_wait) == PROCESSES - team.FREE_FAILURES


def test_every_forwarded_line_counts_and_only_trusted_hops(monkeypatch: pytest.MonkeyPatch) -> None:
    spoofed = {"x-forwarded-for": "6.6.6.6, 203.0.113.9, 198.51.100.7"}  # client's own line, then proxies'
    monkeypatch.delenv("CONSOLE_TRUSTED_PROXIES", raising=False)
    # default 0: no proxy is trusted; the header is ignored, whoever connects is the client
    assert team.client_key(spoofed, "127.0.0.1") == "ip:127.0.0.1"
    assert team.client_key(spoofed, None) == "localhost"
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "1")
    assert team.client_key(spoofed, "10.0.0.2") == "xff:198.51.100.7"
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "2")
    assert team.client_key(spoofed, "10.0.0.2") == "xff:203.0.113.9"
    # fewer hops than trusted proxies: the request skipped a proxy, the peer address counts
    assert team.client_key({"x-forwarded-for": "1.1.1.1"}, "10.0.0.2") == "ip:10.0.0.2"
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "two")
    with pytest.raises(Exception, match="CONSOLE_TRUSTED_PROXIES"):
        team.client_key(spoofed, "10.0.0.2")


def test_repeated_header_lines_are_read_in_order() -> None:
    # Streamlit keeps repeated lines apart; the first is the client's own, the last the proxy's
    lines = ["6.6.6.6", "203.0.113.9, 198.51.100.7"]
    assert team.forwarded_for(lines) == "6.6.6.6, 203.0.113.9, 198.51.100.7"


def test_one_persons_wrong_tokens_do_not_lock_out_a_colleague(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    grace = team_service.invite_person(store, "Grace")
    office = "ip:192.0.2.10"  # one NAT address for the whole office
    for _ in range(team.FREE_FAILURES + 2):
        with pytest.raises(service.ServiceError):
            team_service.sign_in(store, "guess", "", office)  # someone guessing, no name
    for _ in range(team.FREE_FAILURES):
        with pytest.raises(service.ServiceError):
            team_service.sign_in(store, "guess", "Ada", office)
    with pytest.raises(service.ServiceError, match="wait"):
        team_service.sign_in(store, SHARED, "Ada", office)  # the name that was guessed under waits
    # colleagues behind the same address with the right token are not delayed
    assert team_service.sign_in(store, SHARED, "Bob", office).actor == "Bob (shared token)"
    assert team_service.sign_in(store, grace, "Grace", office).actor == "Grace"
    with pytest.raises(service.ServiceError, match="enter your name"):
        team_service.sign_in(store, grace, "", office)  # the anonymous bucket is the guesser's: the hint says so
    with pytest.raises(service.ServiceError, match="not valid"):
        team_service.sign_in(store, grace, "Bob", "ip:192.0.2.99")  # a personal token under someone else's name


def test_an_address_has_a_bounded_budget_across_names(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    monkeypatch.setattr(team, "ADDRESS_BUDGET", 6)
    client = "ip:203.0.113.50"
    for number in range(6):  # a new name for every guess: each name is under its free failures
        with pytest.raises(service.ServiceError, match="not valid"):
            team_service.sign_in(store, "guess", f"name{number}", client)
    with pytest.raises(service.ServiceError, match="Too many wrong tokens from this address"):
        team_service.sign_in(store, "guess", "name7", client)
    # another address is untouched
    assert team_service.sign_in(store, SHARED, "Ada", "ip:203.0.113.51").actor == "Ada (shared token)"
