"""The typed outcome of a fire: its Category, the request and response as shown, the stored record.

Two explicit conversions leave these values: ``FireResult.to_dict()`` is the CLI contract's
JSON (README: the CLI), ``FireResult.to_stored()`` / ``FireRecord.from_row()`` are the database's
form. They are kept apart on purpose: the public JSON may not change when storage does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

STORED_BODY_CHARS = 8 * 1024
STORED_FORMAT = 2


class Category(StrEnum):
    """What happened to one install request (the ``category`` of the CLI's JSON, see README)."""

    OK = "ok"
    HTTP_STATUS = "http_status"
    TIMEOUT = "timeout"
    CONNECT = "connect"
    DNS = "dns"
    TLS = "tls"
    PROTOCOL = "protocol"
    REDIRECT = "redirect"
    TOO_LARGE = "too_large"
    INVALID_REQUEST = "invalid_request"
    BLOCKED = "blocked"

    @property
    def was_sent(self) -> bool:
        """False when nothing reached the network (so the fire has no latency to speak of)."""
        return self not in NEVER_SENT

    @property
    def was_answered(self) -> bool:
        """True when the endpoint answered in HTTP (its latency is the endpoint's)."""
        return self in ANSWERED


NEVER_SENT = frozenset({Category.INVALID_REQUEST, Category.BLOCKED, Category.DNS})
ANSWERED = frozenset({Category.OK, Category.HTTP_STATUS, Category.REDIRECT, Category.TOO_LARGE})
CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)


def to_category(value: str) -> Category:
    """A stored or given category string as a Category (unknown ones read as invalid_request)."""
    try:
        return Category(value)
    except ValueError:
        return Category.INVALID_REQUEST


@dataclass(frozen=True)
class SentRequest:
    """The request as sent, with the key masked (safe to show and store)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None


@dataclass(frozen=True)
class ReceivedResponse:
    headers: tuple[tuple[str, str], ...]
    body: str
    truncated: bool


@dataclass(frozen=True)
class KeyDelivery:
    """Where the manifest sends the key, and what the endpoint proves it received."""

    status: str  # "proven" | "mismatch" | "not_provable" | "missing"
    expected: tuple[str, ...]
    received: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class FireResult:
    ok: bool
    status: int | None
    category: Category
    elapsed_ms: float
    key_fingerprint: str
    key_masked: str
    request: SentRequest
    response: ReceivedResponse | None
    message: str = ""
    location: str | None = None
    delivery: KeyDelivery | None = None
    timeline: tuple[tuple[float, str], ...] = ()
    fired_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        """The CLI contract's JSON object (keys masked)."""
        return {
            "ok": self.ok,
            "status": self.status,
            "category": self.category.value,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "key_fingerprint": self.key_fingerprint,
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": dict(self.request.headers),
                "body": self.request.body,
            },
            "response": None if self.response is None else {
                "headers": dict(self.response.headers),
                "body": self.response.body,
                "truncated": self.response.truncated,
            },
            "message": self.message,
            "location": self.location,
            "delivery": None if self.delivery is None else asdict(self.delivery),
            "fired_at": self.fired_at.isoformat(),
        }

    def detail(self) -> FireDetail:
        return FireDetail(self.request, self.response, self.message, self.location, self.delivery,
                          self.timeline, self.key_masked)

    def to_stored(self) -> dict[str, Any]:
        """The column values of the fires table (without app, source, target, run and step)."""
        return {
            "url": self.request.url, "method": self.request.method, "ok": self.ok, "status": self.status,
            "category": self.category.value, "elapsed_ms": float(self.elapsed_ms),
            "key_fingerprint": self.key_fingerprint, "fired_at": self.fired_at,
            "detail": self.detail().to_stored(),
        }


@dataclass(frozen=True)
class FireDetail:
    """What only the detail view of a fire needs (kept out of list queries)."""

    request: SentRequest
    response: ReceivedResponse | None
    message: str
    location: str | None
    delivery: KeyDelivery | None
    timeline: tuple[tuple[float, str], ...]
    key_masked: str
    retry_of: int | None = None  # the fire this one retried (page Retry)
    retry_same_key: bool = False

    @property
    def retry_label(self) -> str:
        if self.retry_of is None:
            return ""
        return (f"retry of #{self.retry_of}, same key" if self.retry_same_key else
                f"retry of #{self.retry_of} with a fresh key: this browser session did not hold the key of "
                f"#{self.retry_of}")

    def to_stored(self) -> dict[str, Any]:
        response = None
        if self.response is not None:
            response = {"headers": [list(h) for h in self.response.headers],
                        "body": self.response.body[:STORED_BODY_CHARS], "truncated": self.response.truncated}
        return {
            "format": STORED_FORMAT,
            "request": {"method": self.request.method, "url": self.request.url,
                        "headers": [list(h) for h in self.request.headers], "body": self.request.body},
            "response": response,
            "message": self.message,
            "location": self.location,
            "delivery": None if self.delivery is None else asdict(self.delivery),
            "timeline": [list(item) for item in self.timeline],
            "key_masked": self.key_masked,
            **({"retry_of": {"fire": self.retry_of, "same_key": self.retry_same_key}} if self.retry_of else {}),
        }

    @staticmethod
    def from_stored(data: Mapping[str, Any]) -> FireDetail:
        """Read a stored detail (format 2, or the first release's, whose headers were objects)."""
        request = data.get("request") or {}
        response = data.get("response")
        delivery = data.get("delivery")
        retry: Mapping[str, Any] = data.get("retry_of") or {} if isinstance(data.get("retry_of"), Mapping) else {}
        return FireDetail(
            request=SentRequest(str(request.get("method", "")), str(request.get("url", "")),
                                _pairs(request.get("headers")), request.get("body")),
            response=None if not response else ReceivedResponse(
                _pairs(response.get("headers")), str(response.get("body", "")), bool(response.get("truncated"))),
            message=str(data.get("message") or ""),
            location=data.get("location"),
            delivery=None if not delivery else KeyDelivery(
                str(delivery.get("status", "")), tuple(delivery.get("expected") or ()),
                tuple(delivery.get("received") or ()), str(delivery.get("message", ""))),
            timeline=tuple((float(at), str(event)) for at, event in data.get("timeline") or ()),
            key_masked=str(data.get("key_masked") or ""),
            retry_of=int(retry["fire"]) if str(retry.get("fire", "")).isdigit() else None,
            retry_same_key=bool(retry.get("same_key")),
        )


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple((str(item[0]), str(item[1])) for item in value if isinstance(item, list | tuple)
                     and len(item) == 2)
    return ()


@dataclass(frozen=True)
class FireRecord:
    """A stored fire. ``detail`` is None when the query did not read it (list views)."""

    id: int
    app_ref: int | None
    app_name: str
    source: str
    target_kind: str
    url: str
    method: str
    ok: bool
    status: int | None
    category: Category
    elapsed_ms: float
    key_fingerprint: str
    run_id: str | None
    step: str | None
    fired_at: datetime
    detail: FireDetail | None = None
    actor: str = "local"  # who fired: the person signed in at the gate, 'cli', or 'local'
    manifest_hash: str | None = None  # sha256 of the App JSON it was fired with (None: not recorded)

    @staticmethod
    def from_row(row: Mapping[str, Any] | Any) -> FireRecord:
        stored = row.get("detail")
        return FireRecord(
            id=int(row["id"]), app_ref=row.get("app_ref"), app_name=str(row.get("app_name") or ""),
            source=str(row.get("source") or ""), target_kind=str(row.get("target_kind") or ""),
            url=str(row.get("url") or ""), method=str(row.get("method") or ""), ok=bool(row.get("ok")),
            status=row.get("status"), category=to_category(str(row.get("category"))),
            elapsed_ms=float(row.get("elapsed_ms") or 0.0), key_fingerprint=str(row.get("key_fingerprint") or ""),
            run_id=row.get("run_id"), step=row.get("step"), fired_at=row["fired_at"],
            detail=None if stored is None else FireDetail.from_stored(stored),
            actor=str(row.get("actor") or "local"), manifest_hash=row.get("manifest_hash"),
        )

    @property
    def delivery_status(self) -> str | None:
        return None if self.detail is None or self.detail.delivery is None else self.detail.delivery.status
