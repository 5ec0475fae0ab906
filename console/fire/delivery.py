"""The key-delivery proof: what an answer proves about where the App Key landed (classify.py calls it).

An answer proves it with a delivery receipt (console/receipt.py: the documented `app_key_receipt`, or the
sample endpoint's echo of the same shape), or by echoing the key itself; anything else is "not provable"."""

from __future__ import annotations

from console import keys, receipt
from console.fire.prepare import RenderedRequest
from console.outcome import KeyDelivery

SAMPLE_SERVER = "SampleInstallEndpoint/"  # the Server header of the console's own sample endpoint


def key_delivery(rendered: RenderedRequest, body_text: str, key: str, server: str = "") -> KeyDelivery:
    """What the answer proves about where the key landed. "proven" needs a non-empty set of places."""
    expected = tuple(location for location, _ in rendered.expected_key_locations)
    if not expected:
        return missing_delivery(rendered)
    found = receipt.parse_receipt(body_text)  # the documented receipt, or the sample endpoint's echo
    verdict = None if found is None else receipt.prove(found, rendered.expected_key_locations, key)
    if verdict is not None:
        return verdict
    if key and keys.holds_key(body_text, key):
        return KeyDelivery("proven", expected, ("echo",),
                           "Your endpoint echoed the key issued, so it received it.")
    if server.startswith(SAMPLE_SERVER):  # already the sample endpoint, in a mode that echoes nothing
        return KeyDelivery("not_provable", expected, (),
                           "Not provable: in this mode the sample endpoint answers without its echo. Fire in "
                           "its ok mode to see where the key lands.")
    return KeyDelivery("not_provable", expected, (),
                       "Not provable: the endpoint answered without a delivery receipt. Have it answer with "
                       "one (app_key_receipt: the key's fingerprint where it found it; python -m console "
                       "scaffold generates such an endpoint), or fire at the sample endpoint to see where the "
                       "key lands.")


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

