"""The key-delivery proof: what an answer proves about where the App Key landed (classify.py calls it)."""

from __future__ import annotations

import json

from console import keys
from console.fire.prepare import RenderedRequest
from console.outcome import KeyDelivery

SAMPLE_SERVER = "SampleInstallEndpoint/"  # the Server header of the console's own sample endpoint


def key_delivery(rendered: RenderedRequest, body_text: str, key: str, server: str = "") -> KeyDelivery:
    """What the answer proves about where the key landed. "proven" needs a non-empty set of places."""
    expected = tuple(location for location, _ in rendered.expected_key_locations)
    if not expected:
        return missing_delivery(rendered)
    try:
        echo = json.loads(body_text)
    except (json.JSONDecodeError, RecursionError):
        echo = None
    if isinstance(echo, dict) and echo.get("sample_endpoint") and isinstance(echo.get("received"), dict):
        got = echo["received"]
        proven: list[str] = []
        wrong: list[str] = []
        for location, value in rendered.expected_key_locations:
            kind, _, where = location.partition(" ")
            if kind == "url":
                continue  # the key in the host, path or user info: the sample endpoint cannot tell
            if kind == "header":
                seen = _field(got.get("headers"), where)
            elif kind == "payload":
                seen = _field(got.get("payload"), where)
            else:
                query = got.get("query") if isinstance(got.get("query"), dict) else {}
                seen = keys.fingerprint(value) if keys.fingerprint(key) in query.values() else None
            (proven if seen == keys.fingerprint(value) else wrong).append(location)
        if wrong:
            return KeyDelivery("mismatch", expected, tuple(proven),
                               "The endpoint did not receive the key at: " + ", ".join(wrong) + ".")
        if proven:
            return KeyDelivery("proven", expected, tuple(proven),
                               "Your endpoint got the key in " + " and in ".join(proven)
                               + ", and it matches the key issued.")
    if key and keys.holds_key(body_text, key):
        return KeyDelivery("proven", expected, ("echo",),
                           "Your endpoint echoed the key issued, so it received it.")
    if server.startswith(SAMPLE_SERVER):  # already the sample endpoint, in a mode that echoes nothing
        return KeyDelivery("not_provable", expected, (),
                           "Not provable: in this mode the sample endpoint answers without its echo. Fire in "
                           "its ok mode to see where the key lands.")
    return KeyDelivery("not_provable", expected, (),
                       "Not provable: the endpoint does not echo what it received. Fire at the sample "
                       "endpoint to see where the key lands.")


def missing_delivery(rendered: RenderedRequest) -> KeyDelivery:
    """The fire sent the key nowhere: say where the manifest puts it and why this fire dropped it."""
    if rendered.dropped_key_locations:
        message = ("This fire delivered the App Key nowhere: the manifest puts {{app_token}} only in "
                   + " and ".join(rendered.dropped_key_locations)
                   + ", and the URL this fire went to (the override URL or the sample endpoint) replaces it, "
                   "so the key was dropped. Put {{app_token}} in a header or the payload so it travels with "
                   "any URL.")
    else:
        message = ("This fire delivered the App Key nowhere: {{app_token}} appears nowhere in auth.request. "
                   "Add a header line \"x-app-key: {{app_token}}\" or a payload field \"app_token\".")
    return KeyDelivery("missing", (), (), message)


def _field(values: object, where: str) -> object:
    return values.get(where) if isinstance(values, dict) else None
