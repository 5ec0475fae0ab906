"""One classifier: what an endpoint did becomes a category, a message, a diagnosis and the key-delivery proof.

Both engines (``send.py`` for a single fire, ``http1.py``/``burst.py`` for a burst) only gather
facts: an ``Answer`` (the status, the head read by ``answer.HeadReader``, whether the body was cut)
or a ``Failure`` (what went wrong on the way, as one of ``FAILURES``). Everything they tell the user
comes from here, so the same bytes get the same category in both.

To change how an answer is classified, change this module (and the head rules in ``answer.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console import keys
from console.diagnosis import Diagnosis, diagnose
from console.fire.delivery import SAMPLE_SERVER, key_delivery, missing_delivery
from console.fire.prepare import RenderedRequest
from console.outcome import Category, KeyDelivery

__all__ = ["SAMPLE_SERVER", "Answer", "Failure", "Verdict", "classify_answer", "classify_failure", "key_delivery",
           "missing_delivery", "tls_message"]

BODY_CAP = 64 * 1024
LOCATION_CAP = 2048

# What can go wrong before a whole answer is in (the facts an engine reports):
FAILURES = {
    "invalid": Category.INVALID_REQUEST,  # the request cannot be built; detail says why
    "dns": Category.DNS,  # the name does not resolve
    "dns_deadline": Category.TIMEOUT,  # the lookup outlived the deadline
    "blocked": Category.BLOCKED,  # the address policy refuses; detail says why
    "connect_timeout": Category.TIMEOUT,  # no connection within the connect timeout
    "refused": Category.CONNECT,  # nothing listens there
    "closed": Category.CONNECT,  # the server closed the connection before any byte of an answer
    "failed": Category.CONNECT,  # another socket error before an answer
    "tls": Category.TLS,  # the handshake failed; detail is the TLS error's text
    "not_http": Category.PROTOCOL,  # bytes came, but not HTTP/1.x; detail says what is wrong
    "deadline": Category.TIMEOUT,  # no complete answer within the wall-clock deadline
}


@dataclass(frozen=True)
class Failure:
    """No answer: ``kind`` is one of FAILURES; ``detail`` the engine's words for it (never shown raw for TLS)."""

    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Answer:
    """A whole answer (its head passed answer.HeadReader): the status, its Location and Server, a cut body."""

    status: int
    truncated: bool = False
    location: str = ""
    server: str = ""


@dataclass(frozen=True)
class Verdict:
    category: Category
    message: str
    status: int | None = None
    location: str | None = None
    delivery: KeyDelivery | None = None

    @property
    def diagnosis(self) -> Diagnosis:
        return diagnose(self.category.value, self.status, self.message)


@dataclass(frozen=True)
class Where:
    """What the messages name: the host and port (shown form), and the deadlines in seconds."""

    host: str
    port: int
    total: float
    connect: float = 0.0


def classify_failure(failure: Failure, where: Where) -> Verdict:
    category = FAILURES.get(failure.kind, Category.CONNECT)
    return Verdict(category, _failure_message(failure, where))


def _failure_message(failure: Failure, where: Where) -> str:
    place = f"{where.host}:{where.port}"
    kind = failure.kind
    if kind in ("invalid", "blocked"):
        return failure.detail
    if kind == "dns":
        return f"The host name {where.host} does not resolve (DNS lookup failed)."
    if kind == "dns_deadline":
        return f"The DNS lookup of {where.host} did not finish within the deadline of {where.total:g} s."
    if kind == "connect_timeout":
        return f"No connection within the connect timeout of {where.connect:g} s."
    if kind == "tls":
        return tls_message(failure.detail)
    if kind == "not_http":
        return f"{place} answered, but not in HTTP ManyChat can read: {failure.detail}."
    if kind == "deadline":
        return f"No complete answer within the deadline of {where.total:g} s."
    reason = {"refused": "the connection was refused",
              "closed": "the server closed the connection without answering"}.get(kind, "the connection failed")
    return f"Could not talk to {place}: {reason}."


def classify_answer(answer: Answer, secrets: Sequence[str] = (), rendered: RenderedRequest | None = None,
                    body_text: str = "") -> Verdict:
    """The verdict on a whole answer (``secrets`` masked in it); with the rendered request (whose key is
    ``secrets[0]``) and the body's text, the proof of where the key landed."""
    key = secrets[0] if secrets else ""
    delivery = None if rendered is None else key_delivery(rendered, body_text, key, answer.server)
    status = answer.status
    if 300 <= status < 400:
        location = keys.redact_all(answer.location, secrets)[:LOCATION_CAP]
        return Verdict(Category.REDIRECT, f"HTTP {status} redirect to {location or '(no Location header)'}; "
                       "ManyChat does not follow redirects.", status, location or None, delivery)
    if status != 200:
        return Verdict(Category.HTTP_STATUS, f"HTTP {status}: ManyChat counts only 200 OK as success.", status,
                       delivery=delivery)
    if answer.truncated:
        return Verdict(Category.TOO_LARGE, f"HTTP 200 but the body is over {BODY_CAP // 1024} KiB; the read was cut.",
                       status, delivery=delivery)
    return Verdict(Category.OK, "HTTP 200 OK: ManyChat would show success.", status, delivery=delivery)


def tls_message(exc: Exception | str) -> str:
    text = str(exc)
    lowered = text.lower()
    if "doesn't match" in lowered or "does not match" in lowered or "hostname mismatch" in lowered:
        return "TLS verification failed: the certificate does not match the host name."
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        detail = "the certificate chain is not trusted"
        if "self-signed" in text or "self signed" in text:
            detail = "the certificate is self-signed"
        elif "expired" in lowered:
            detail = "the certificate has expired"
        elif "hostname" in lowered or "mismatch" in lowered:
            detail = "the certificate does not match the host name"
        return f"TLS verification failed: {detail}."
    return "The TLS handshake failed: the server does not speak TLS on that port, or shares no TLS version with us."
