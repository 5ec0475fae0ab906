"""The delivery receipt: how an install endpoint proves where it found the App Key, without the key.

An endpoint answers the install request with a JSON object that holds this member::

    {"app_key_receipt": {"version": 1,
                         "headers": {"x-token-header": "fp_…"},
                         "payload": {"/app_token": "fp_…"},
                         "query": {"token": "fp_…"}}}

``headers`` maps lowercase header names, ``payload`` maps RFC 6901 pointers into the JSON body,
``query`` maps query parameter names, each to the fingerprint (``console.keys.fingerprint``:
``"fp_"`` + the first 16 hex digits of SHA-256 of the UTF-8 text) of the key found there. Only
the places where the endpoint found the key are listed; other members of the answer are free.
Test fire, conformance and ``check`` read it, so any endpoint that answers with it gets its
delivery "proven". The console's sample endpoint echoes every value it received in the same
shape (under ``received``); both are read here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from console import keys
from console.outcome import KeyDelivery

RECEIPT_MEMBER = "app_key_receipt"
RECEIPT_VERSION = 1


@dataclass(frozen=True)
class Receipt:
    """What an endpoint says it received: place -> name -> fingerprint."""

    headers: Mapping[str, str]
    payload: Mapping[str, str]
    query: Mapping[str, str]
    source: str  # "receipt" (the documented format) | "sample" (the sample endpoint's echo)


def build_receipt(headers: Mapping[str, str] = {}, payload: Mapping[str, str] = {},  # noqa: B006 - read only
                  query: Mapping[str, str] = {}) -> dict[str, object]:  # noqa: B006
    """The receipt member for keys found at these places (name -> the key found there, as received)."""
    return {RECEIPT_MEMBER: {
        "version": RECEIPT_VERSION,
        "headers": {name.lower(): keys.fingerprint(value) for name, value in headers.items()},
        "payload": {pointer: keys.fingerprint(value) for pointer, value in payload.items()},
        "query": {name: keys.fingerprint(value) for name, value in query.items()},
    }}


def _names(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _receipt(places: dict[str, object], source: str) -> Receipt:
    return Receipt(_names(places.get("headers")), _names(places.get("payload")), _names(places.get("query")), source)


def parse_receipt(body_text: str) -> Receipt | None:
    """The receipt in an answer's body (or the sample endpoint's echo); None when there is none."""
    try:
        document = json.loads(body_text)
    except (json.JSONDecodeError, RecursionError, TypeError):
        return None
    if not isinstance(document, dict):
        return None
    member = document.get(RECEIPT_MEMBER)
    if isinstance(member, dict) and member.get("version") == RECEIPT_VERSION:
        return _receipt(member, "receipt")
    if document.get("sample_endpoint") is True and isinstance(document.get("received"), dict):
        return _receipt(document["received"], "sample")
    return None


def prove(receipt: Receipt, expected: Sequence[tuple[str, str]], key: str) -> KeyDelivery | None:
    """Compare a receipt with where the manifest put the key (location, rendered value); None proves nothing."""
    wanted = {keys.fingerprint(key)} if key else set()
    proven: list[str] = []
    wrong: list[str] = []
    for location, value in expected:
        kind, _, where = location.partition(" ")
        if kind == "url":
            continue  # the key in the host, path or user info: no receipt can tell
        accepted = wanted | {keys.fingerprint(value)}
        if kind == "header":
            seen = receipt.headers.get(where.lower()) in accepted
        elif kind == "payload":
            seen = receipt.payload.get(where) in accepted
        else:
            seen = bool(wanted & set(receipt.query.values()))
        (proven if seen else wrong).append(location)
    places = tuple(location for location, _ in expected)
    if wrong:
        return KeyDelivery("mismatch", places, tuple(proven),
                           "The endpoint did not receive the key at: " + ", ".join(wrong) + ".")
    if proven:
        return KeyDelivery("proven", places, tuple(proven), "Your endpoint got the key in "
                           + " and in ".join(proven) + ", and it matches the key issued.")
    return None
