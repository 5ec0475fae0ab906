"""Classify what came back: the TLS diagnosis and the key-delivery proof."""

from __future__ import annotations

from console import keys, receipt
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


SAMPLE_SERVER = "SampleInstallEndpoint/"  # the Server header of the console's own sample endpoint


def key_delivery(rendered: RenderedRequest, body_text: str, key: str, server: str = "") -> KeyDelivery:
    """What the answer proves about where the key landed. "proven" needs a non-empty set of places."""
    expected = tuple(location for location, _ in rendered.expected_key_locations)
    if not expected:
        return missing_delivery(rendered)
    found = receipt.parse_receipt(body_text)
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
