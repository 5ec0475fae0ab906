"""The one set of rules that decides whether an install request can be sent.

``validate`` applies them to the App JSON (with placeholders standing in for values) and
``fire`` applies them to the rendered request, so a request that validates is one that fire
can send, and one that fire refuses is one that validate flags. Each rule returns a Rule
(code, message, hint) or None; the caller adds the JSON pointer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from console.templating import mask_placeholders

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SCHEMES = ("http", "https")
# Possessive (``*+``): a line with a break inside fails at once instead of re-trying every split.
HEADER_LINE = re.compile(r"^([!#$%&'*+\-.^_`|~0-9A-Za-z]++):[ \t]*+(.*+)$")
# Characters that end or corrupt a header line, or that HTTP/1.1 cannot carry (not Latin-1).
_LINE_BREAKS = {"\r": "a carriage return (CR)", "\n": "a line feed (LF)", "\x85": "a next-line character (NEL)",
                "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)",
                "\x00": "a NUL character"}


@dataclass(frozen=True)
class Rule:
    """A broken rule: a stable code, what is wrong, and how to fix it."""

    code: str
    message: str
    hint: str

    def text(self, where: str = "") -> str:
        """One sentence for a message that has no pointer field of its own."""
        return f"{where + ': ' if where else ''}{self.message} {self.hint}".strip()


def without_placeholders(text: str) -> str:
    """``text`` with each {{name}} / [[name]] replaced by a plain letter (for checking the literal parts)."""
    return mask_placeholders(text)


def method_rule(method: Any) -> Rule | None:
    if method is None:
        return None
    if not isinstance(method, str) or method.upper() not in METHODS:
        shown = method if isinstance(method, str) else type(method).__name__
        return Rule("method.invalid", f"The method '{shown}' is not supported.",
                    f"Use one of {', '.join(METHODS)} (ManyChat sends POST by default).")
    return None


def _whitespace(text: str) -> str | None:
    for ch in text:
        if ch in _LINE_BREAKS:
            return _LINE_BREAKS[ch]
        if ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F:
            return "a space or a control character" if ch != " " else "a space"
    return None


def split_url(url: str) -> SplitResult | None:
    """The URL's parts, or None when it cannot be parsed at all (e.g. an unbalanced '[')."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port may raise too
    except ValueError:
        return None
    return parts


def url_rule(url: Any, shown: str | None = None) -> Rule | None:
    """Whether ``url`` is an absolute http(s) URL that can be sent. ``shown`` is the text quoted in messages."""
    if not isinstance(url, str) or not url.strip():
        return Rule("url.missing", "The request URL is missing.",
                    "Enter the full address of your install endpoint, e.g. https://example.com/manychat/installed.")
    quoted = (url if shown is None else shown)[:200]
    bad = _whitespace(url)
    if bad:
        return Rule("url.whitespace", f"The URL '{quoted}' contains {bad}.",
                    "Remove it: a URL has no spaces or line breaks (encode a space as %20).")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return Rule("url.invalid", f"The URL '{quoted}' cannot be parsed ({exc}).",
                    "Check the brackets: only an IPv6 address goes in [ ], e.g. https://[2001:db8::1]/install.")
    scheme = parts.scheme.lower()
    if not scheme or (not parts.netloc and scheme not in SCHEMES):
        return Rule("url.not_absolute", f"'{quoted}' is not an absolute URL.",
                    "Start it with https:// and the host name, e.g. https://example.com/manychat/installed.")
    if scheme not in SCHEMES:
        return Rule("url.scheme", f"The URL scheme must be http or https, not '{parts.scheme[:40]}'.",
                    "ManyChat sends the install request over HTTPS: use an https:// URL.")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        return Rule("url.port", f"The URL '{quoted}' has an invalid port.",
                    "A port is a number from 1 to 65535; leave it out for the default (443 for https).")
    if not parts.hostname:
        return Rule("url.no_host", f"The URL '{quoted}' has no host name.",
                    "Put the host after the scheme, e.g. https://example.com/manychat/installed.")
    return None


def header_line_rule(line: Any) -> Rule | None:
    if not isinstance(line, str):
        return Rule("header.malformed", "A header line must be text 'Name: value'.",
                    "Write it as Name: value, e.g. x-token-header: {{app_token}}.")
    if "\r" in line or "\n" in line:
        return Rule("header.crlf", "The header line contains a line break (CR/LF).",
                    "Put each header on its own line item; line breaks would inject headers.")
    if split_header(line) is None:
        return Rule("header.malformed", f"'{line[:200]}' is not a 'Name: value' header line.",
                    "Write it as Name: value, e.g. x-token-header: {{app_token}}.")
    return None


def header_value_rule(name: str, value: str) -> Rule | None:
    """Whether ``value`` can be sent as the value of header ``name`` (Latin-1, no line breaks or NUL)."""
    for ch in value:
        if ch in _LINE_BREAKS:
            return Rule("header.unsendable", f"The header {name} would contain {_LINE_BREAKS[ch]}.",
                        "Remove it from the value (a line break in a header would inject headers).")
        if ord(ch) > 0xFF:
            return Rule("header.unsendable",
                        f"The header {name} would contain '{ch}' (U+{ord(ch):04X}), which HTTP headers cannot carry "
                        "(only Latin-1).",
                        "Use ASCII in header values, or send the value in the payload (UTF-8) instead.")
        if (ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F:
            return Rule("header.unsendable", f"The header {name} would contain the control character "
                        f"U+{ord(ch):04X}.", "Remove it from the value.")
    return None


def split_header(line: str) -> tuple[str, str] | None:
    """``Name: value`` → (name, value); None when the line is not of that form."""
    if "\r" in line or "\n" in line:
        return None
    match = HEADER_LINE.match(line)
    return (match.group(1), match.group(2)) if match else None
