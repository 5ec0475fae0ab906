"""The access gate's rules: tokens compared in constant time, invites stored hashed, a slow-down
per client after repeated failures, and who a signed-in session is.

Everything is in the database (failure counts, sessions, people), so several console processes
behind one load balancer agree on who is signed in and on how long a client must wait.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.config import MIN_ACCESS_TOKEN, access_token, console_mode, trusted_proxies
from console.store import Admission, Person, Store

FREE_FAILURES = 3  # wrong tokens a client may give under one name before that name must wait
MAX_WAIT_S = 300
ADDRESS_BUDGET = 30  # wrong tokens one address may give across all names per window, then it waits
ADDRESS_WINDOW = timedelta(minutes=15)
NAME_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")
RESERVED_NAMES = ("cli", "local")
SHARED_SUFFIX = " (shared token)"
SESSION_MAX_AGE = timedelta(hours=12)  # then the browser session signs in again


class TeamError(ValueError):
    """A refused team operation (bad name, unknown person); the message says what to do."""


class GateRefused(Exception):
    """A refused sign-in: a wrong token, or a client that must wait. Nothing about the token is revealed."""


def hash_token(token: str) -> str:
    """How a token is stored: its SHA-256 (tokens are 256-bit random, so no salt or stretching is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_secret(given: str, expected: str) -> bool:
    """Constant time in the given token's content and length: both are hashed to 32 bytes first."""
    return hmac.compare_digest(hashlib.sha256(given.encode("utf-8")).digest(),
                               hashlib.sha256(expected.encode("utf-8")).digest())


def wait_after(failures: int) -> int:
    """Seconds a client must wait after ``failures`` wrong tokens in a row: 0, then 1, 2, 4 … up to 5 min."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), MAX_WAIT_S))


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RULE.fullmatch(name):
        raise TeamError(f"{name!r} is not a usable name: 1 to 40 letters, digits, spaces, '.', '_' or '-', "
                        "starting with a letter or digit.")
    if name.lower() in RESERVED_NAMES:
        raise TeamError(f"{name!r} is reserved (it marks changes made without a person): pick another name.")
    return name


def forwarded_for(lines: Iterable[str]) -> str:
    """Every X-Forwarded-For line, in the order received, as one list (a repeated header line is the
    same as its values joined by commas): the client writes the first, each proxy appends to the end."""
    return ", ".join(line for line in lines if line.strip())


def client_key(headers: Mapping[str, str], ip_address: str | None) -> str:
    """Who a failure counts against. With CONSOLE_TRUSTED_PROXIES=N (N > 0), the hop the outermost
    trusted proxy appended (the N-th from the end of X-Forwarded-For, all lines in order); what comes
    before it was written by the client and is ignored. With 0 (default), or fewer hops than trusted
    proxies, the connection's own address, else 'localhost'."""
    trusted = trusted_proxies()
    forwarded = forwarded_for(v for k, v in headers.items() if k.lower() == "x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if trusted and len(hops) >= trusted:
        return "xff:" + hops[-trusted][:100]
    return "ip:" + ip_address[:100] if ip_address else "localhost"


def gate_enabled(store: Store) -> bool:
    """The gate is on when there is a shared token or anyone was ever invited (revoking the last person
    must not open the console to everyone)."""
    from console.identity import oidc_configured

    return bool(access_token()) or store.people.count() > 0 or oidc_configured()


def gate_problem(store: Store) -> str | None:
    """Why the console must not start: team mode without a gate, or a guessable shared token."""
    token = access_token()
    if token and len(token) < MIN_ACCESS_TOKEN:
        return (f"CONSOLE_ACCESS_TOKEN is too short ({len(token)} characters): use at least {MIN_ACCESS_TOKEN}, "
                "e.g. the output of `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`.")
    if console_mode() == "team" and not gate_enabled(store):
        return ("CONSOLE_MODE=team needs an access gate and none is set: set CONSOLE_ACCESS_TOKEN "
                "(a shared token), or invite people with `python -m console team invite NAME`.")
    return None


@dataclass(frozen=True)
class SignIn:
    actor: str
    session_token: str  # held by the browser session; the database keeps only its hash


def _wait_message(seconds: float, admission: Admission | None = None, named: bool = True) -> str:
    wait = f"wait {max(1, round(seconds))} s before trying again."
    if admission is not None and admission.by_address:
        return f"Too many wrong tokens from this address: {wait}"
    if named:
        return f"Too many wrong tokens from this client: {wait}"
    return (f"Too many wrong tokens from this client: {wait} If you are not the one who typed them, "
            "enter your name with your token: each name counts on its own.")


def claim_key(client: str, name: str) -> str:
    """The slow-down's counter for one claimed name (or none) from one client."""
    return f"claim:{client}|{name.strip().lower()}"


def address_key(client: str) -> str:
    """The counter of one client address's budget, across every name."""
    return f"address:{client}"


def _actor_for(store: Store, token: str, name: str) -> tuple[str, Person | None] | None:
    """Who the token (and name) sign in as, or None for a wrong token (or a personal token under another name)."""
    shared = access_token()
    if shared and same_secret(token, shared):
        from console.identity import shared_name_refusal, shared_token_allowed

        if not shared_token_allowed(store):
            raise GateRefused("The team's shared token is switched off: sign in with your personal token or "
                              "your company account.")
        if not name:
            raise GateRefused("With the team's shared token, also give your name, so your changes carry it.")
        refused = shared_name_refusal(store, name)
        if refused:
            raise GateRefused(refused)
        return check_name_for_gate(name) + SHARED_SUFFIX, None
    given_hash = hash_token(token)
    found = store.people.active_by_token_hash(given_hash)
    if found is None or not hmac.compare_digest(found[1], given_hash):
        return None
    if name and name.lower() != found[0].name.lower():
        return None  # a personal token belongs to one name: another name is a wrong guess
    return found[0].name, found[0]


def sign_in(store: Store, token: str, name: str, client: str) -> SignIn:
    """Check a token (the shared one, with a name, or a personal invite, with its name or none); a session.

    The attempt is booked as a failure before the token is compared (in one transaction with the
    check of the wait), so concurrent attempts cannot outrun the slow-down; a right token takes the
    booking back. Failures count per (client, name): a colleague behind the same address who signs in
    under their own name is not delayed by someone else's guesses; the address has a budget too.
    """
    now = datetime.now(UTC)
    name = name.strip()
    claim, address = claim_key(client, name), address_key(client)
    admission = store.gate_attempts.admit(claim, address, now, wait_after, ADDRESS_BUDGET, ADDRESS_WINDOW)
    if admission.wait_s > 0:
        raise GateRefused(_wait_message(admission.wait_s, admission, named=bool(name)))
    try:
        found = _actor_for(store, token.strip(), name)
    except GateRefused:
        store.gate_attempts.settle_success(claim, address)  # the token was right: only the name is missing or bad
        raise
    if found is None:
        if admission.wait_if_wrong:
            raise GateRefused("That token is not valid. " + _wait_message(admission.wait_if_wrong, named=bool(name)))
        raise GateRefused("That token is not valid (or it was revoked). Ask the console's owner for yours.")
    store.gate_attempts.settle_success(claim, address)
    actor, person = found
    session = new_token()
    store.people.start_session(hash_token(session), actor, person.id if person else None, client)
    store.activity.record(app_ref=None, app_name="", actor=actor, action="signed_in",
                          summary="signed in with " + ("a personal token" if person else "the shared token"))
    return SignIn(actor, session)


def check_name_for_gate(name: str) -> str:
    try:
        return check_name(name)
    except TeamError as exc:
        raise GateRefused(str(exc)) from None


def session_actor(store: Store, session_token: str) -> str | None:
    """Who the browser session is, while its session is open (signing out, a revoke or 12 hours end it)."""
    if not session_token:
        return None
    return store.people.session_actor(hash_token(session_token), datetime.now(UTC) - SESSION_MAX_AGE)


def sign_out(store: Store, session_token: str) -> None:
    if session_token:
        store.people.end_session(hash_token(session_token))


def invite(store: Store, name: str, by: str) -> str:
    """Invite a person; their token (shown once, stored only hashed)."""
    name = check_name(name)
    token = new_token()
    try:
        store.people.invite(name, hash_token(token), by)
    except ValueError:
        raise TeamError(f"{name} is already invited: `team revoke {name}` first to issue a new token.") from None
    return token


def revoke(store: Store, name: str) -> None:
    """Revoke a person's token; their open sessions end at once, in every console process."""
    if not store.people.revoke(name.strip()):
        raise TeamError(f"Nobody named {name.strip()!r} holds an active invite (see `python -m console team list`).")
