"""Plain-language explanations of a fire's outcome, with the next step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnosis:
    title: str
    explanation: str
    next_step: str


_BY_CATEGORY = {
    "ok": Diagnosis(
        "Success: ManyChat would show the app as installed",
        "Your endpoint answered 200 OK, the only answer ManyChat counts as success.",
        "Keep the key it received: it is the App Key for this installation.",
    ),
    "timeout": Diagnosis(
        "Timed out: ManyChat would show an error and ask the installer to retry",
        "Your endpoint did not answer within the deadline.",
        "Answer first, work later: store the key, reply 200 at once, then do slow work in the background.",
    ),
    "connect": Diagnosis(
        "Could not connect",
        "Nothing accepted the connection at that host and port (refused or unreachable).",
        "Check that your server is running and listening on that port, and that firewalls let ManyChat in.",
    ),
    "dns": Diagnosis(
        "The host name does not resolve",
        "The DNS lookup of the URL's host failed, so nothing could be sent.",
        "Check the spelling of the host and that its DNS record exists publicly.",
    ),
    "tls": Diagnosis(
        "TLS failed",
        "The HTTPS handshake with the endpoint failed.",
        "Check the endpoint's certificate and TLS setup (the message above says what failed).",
    ),
    "protocol": Diagnosis(
        "The answer is not HTTP that ManyChat can read",
        "Something answered at that address, but not with a valid HTTP/1.1 response (a status line that is not "
        "HTTP/1.x, HTTP/0.9, a bare LF line end, a folded header, a body whose length is ambiguous or negative, "
        "a body cut short, or headers that are too long or too many).",
        "Check that an HTTP server (not another protocol, and not a proxy that mangles answers) listens there.",
    ),
    "redirect": Diagnosis(
        "Redirected: ManyChat does not follow redirects",
        "Your endpoint answered with a 3xx redirect; ManyChat treats it as a failure.",
        "Use the final URL (the Location shown) in auth.request.url.",
    ),
    "too_large": Diagnosis(
        "The answer is too large for the console",
        "ManyChat's documented behaviour: a 200 OK is success, so ManyChat would show the installation as "
        "connected. The console's reading: the body is over its 64 KiB cap (the console's own, settable limit, not "
        "a documented ManyChat one), so it stopped reading and could not check the rest of the answer.",
        "Reply with a small body such as {\"status\": \"ok\"}: nothing then depends on how large an answer "
        "ManyChat accepts.",
    ),
    "invalid_request": Diagnosis(
        "The request cannot be sent",
        "The install request could not be built from the auth section and values; nothing was sent.",
        "Fix what the message names, then fire again.",
    ),
    "blocked": Diagnosis(
        "Blocked by the address policy",
        "In team mode the console does not fire at internal addresses; nothing was sent.",
        "Fire at your public endpoint, or ask an admin to add the host to CONSOLE_ALLOWED_HOSTS.",
    ),
}

_BY_STATUS = {
    201: ("ManyChat accepts only 200", "201 Created is a 2xx, but ManyChat counts only 200 OK as success.",
          "Return status 200 (not 201) from your install endpoint."),
    202: ("ManyChat accepts only 200", "202 Accepted is a 2xx, but ManyChat counts only 200 OK as success.",
          "Return status 200 once you have stored the key; do further work later."),
    204: ("ManyChat accepts only 200", "204 No Content is a 2xx, but ManyChat counts only 200 OK as success.",
          "Return status 200 (a small JSON body is fine)."),
    400: ("Your endpoint rejected the request (400)", "It judged the request malformed.",
          "Compare the request tab with what your endpoint expects (field names, Content-Type)."),
    401: ("Your endpoint demands credentials ManyChat does not send (401)",
          "ManyChat sends only what the auth request holds: no cookies, no extra auth.",
          "Authenticate with the App Key in the request, or a shared secret header you add to auth.request."),
    403: ("Your endpoint refused the request (403)",
          "It demands credentials or an origin ManyChat does not send.",
          "Accept the install request with only what auth.request sends (e.g. a secret header)."),
    404: ("The install path does not exist (404)", "Your server answered, but not at that path.",
          "Check the path in auth.request.url and your routes."),
    405: ("Wrong method (405)", "Your endpoint does not accept the request's method.",
          "Make auth.request.method match your route (ManyChat default: POST)."),
    409: ("Conflict (409): the endpoint refuses a repeat",
          "ManyChat re-sends the request on Retry and when keys are re-issued.",
          "Make the endpoint idempotent: accept a repeat or a new key for the same page with 200."),
    429: ("Rate limited (429)", "Your endpoint throttled the request.",
          "Do not rate-limit ManyChat's install requests; re-keying sends one per installation."),
}


_TLS = {  # one cause, one next step: picked by what the TLS failure said
    "host name": Diagnosis(
        "TLS failed: the certificate is for another host name",
        "The certificate's names do not include the host in the URL.",
        "Serve a certificate that lists this host name (or fix the host in the URL).",
    ),
    "self-signed": Diagnosis(
        "TLS failed: the certificate is self-signed",
        "Nothing vouches for a self-signed certificate, so ManyChat cannot trust it.",
        "Serve a certificate from a public CA (e.g. Let's Encrypt) with its full chain.",
    ),
    "expired": Diagnosis(
        "TLS failed: the certificate has expired",
        "The certificate's validity period is over.",
        "Renew the certificate (and automate the renewal).",
    ),
    "not trusted": Diagnosis(
        "TLS failed: the certificate is not trusted",
        "The certificate chain does not lead to a trusted public CA (an unknown CA, or a missing intermediate).",
        "Serve the full chain from a public CA (e.g. Let's Encrypt), intermediates included.",
    ),
    "does not speak TLS": Diagnosis(
        "TLS failed: the server does not speak TLS on that port",
        "The handshake failed before any certificate was checked: plain HTTP on an https:// URL, or a TLS "
        "version or cipher the server does not share.",
        "Use http:// if the server is plain HTTP (then add TLS for a listing), or enable TLS 1.2+ on that port.",
    ),
}


def diagnose(category: str, status: int | None, message: str = "") -> Diagnosis:
    """What happened and what to do next, for a fire's category, HTTP status and (for TLS) message."""
    if category == "tls":
        lowered = message.lower()
        for needle, diagnosis in _TLS.items():
            if needle.lower() in lowered:
                return diagnosis
    if category == "http_status" and status is not None:
        if status in _BY_STATUS:
            return Diagnosis(*_BY_STATUS[status])
        if 500 <= status < 600:
            return Diagnosis(
                f"Your endpoint failed ({status})",
                "Your server raised an error while handling the install request; ManyChat shows an error "
                "and the installer must retry.",
                "Check your server's logs for this request's time; make storing the key robust.",
            )
        return Diagnosis(
            f"ManyChat accepts only 200 (got {status})",
            "Any answer other than 200 OK shows an error to the installer.",
            "Return 200 OK when the key is stored.",
        )
    return _BY_CATEGORY.get(category, _BY_CATEGORY["invalid_request"])
