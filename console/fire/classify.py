"""Classify what came back: the TLS diagnosis and the key-delivery proof."""

from __future__ import annotations

import json

from console import keys
from console.fire.prepare import RenderedRequest
from console.outcome import KeyDelivery


def tls_message(exc: Exception) -> str:
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


def key_delivery(rendered: RenderedRequest, body_text: str, key: str) -> KeyDelivery:
    expected = tuple(location for location, _ in rendered.expected_key_locations)
    try:
        echo = json.loads(body_text)
    except json.JSONDecodeError:
        echo = None
    if isinstance(echo, dict) and echo.get("sample_endpoint") and isinstance(echo.get("received"), dict):
        got = echo["received"]
        proven: list[str] = []
        wrong: list[str] = []
        for location, value in rendered.expected_key_locations:
            kind, _, where = location.partition(" ")
            if kind == "header":
                seen = (got.get("headers") or {}).get(where)
            elif kind == "payload":
                seen = (got.get("payload") or {}).get(where)
            else:
                seen = None
                query = got.get("query") or {}
                if keys.fingerprint(key) in query.values():
                    seen = keys.fingerprint(value)
            (proven if seen == keys.fingerprint(value) else wrong).append(location)
        if wrong:
            return KeyDelivery("mismatch", expected, tuple(proven),
                               "The endpoint did not receive the key at: " + ", ".join(wrong) + ".")
        return KeyDelivery("proven", expected, tuple(proven),
                           "Your endpoint got the key in " + " and in ".join(proven)
                           + ", and it matches the key issued.")
    if key and key in body_text:
        return KeyDelivery("proven", expected, ("echo",),
                           "Your endpoint echoed the key issued, so it received it.")
    return KeyDelivery("not_provable", expected, (),
                       "Not provable: the endpoint does not echo what it received. Fire at the sample "
                       "endpoint to see where the key lands.")

