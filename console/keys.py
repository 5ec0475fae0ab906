"""App Key generation, masking, fingerprints and redaction.

An App Key is a secret: it is shown masked and stored only as a fingerprint. ``redact``
hides every form the key takes on the wire: raw, JSON-escaped, URL-encoded, hex and base64
(standard and URL-safe, alone or inside a longer base64 text), and it reads the text as a person
or a program would decode it first: ``\\uXXXX`` escapes, percent-encoding of every byte, HTML
entities (named, decimal, hex), line breaks inside base64 (MIME) or a folded header.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import sys
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, quote_plus

KEY_BYTES = 32  # 64 hex characters, the length of ManyChat-style tokens
FINGERPRINT_PREFIX = "fp_"
MIN_EMBEDDED_BASE64 = 12  # shorter cores would match unrelated base64 text


def generate_app_key() -> str:
    """A fresh, strong random App Key (64 lowercase hex characters)."""
    return secrets.token_hex(KEY_BYTES)


def mask_key(key: str) -> str:
    """The key with all but its first and last four characters hidden."""
    if len(key) <= 12:
        return "•" * len(key)
    return f"{key[:4]}{'•' * 8}{key[-4:]}"


def fingerprint(value: str) -> str:
    """A short, stable, one-way identifier of a key (safe to store and show)."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return FINGERPRINT_PREFIX + digest[:16]


def _base64_cores(raw: bytes) -> set[str]:
    """The part of base64(prefix + key + suffix) that depends only on the key, for each alignment."""
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = 4 if offset else 0
        end = len(encoded) if (offset + len(raw)) % 3 == 0 else len(encoded) - 4
        core = encoded[start:end]
        if offset == 0:
            cores.add(encoded.rstrip("="))
        if len(core) >= MIN_EMBEDDED_BASE64:
            cores.add(core)
    return cores | {c.replace("+", "-").replace("/", "_") for c in cores}


@lru_cache(maxsize=64)
def wire_forms(key: str) -> tuple[str, ...]:
    """Every spelling of ``key`` that may appear in a request or a response, longest first."""
    if not key:
        return ()
    forms = {key, json.dumps(key)[1:-1], json.dumps(key, ensure_ascii=False)[1:-1],
             quote(key, safe=""), quote(key), quote_plus(key), quote_plus(quote(key, safe=""))}
    forms |= _base64_cores(key.encode("utf-8"))
    forms.add(key.encode("utf-8").hex())
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


@lru_cache(maxsize=64)
def _pattern(key: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(form) for form in wire_forms(key)), re.IGNORECASE)


def _fold(text: str) -> str:
    """``text`` as the regex's IGNORECASE compares it: case-folded, and the dotless ı read as i (the regex
    matches i, I and ı alike, ``casefold`` keeps ı apart: an endpoint lowercasing in a Turkish locale)."""
    return text.casefold().replace("\u0131", "i")


@lru_cache(maxsize=64)
def _folded_forms(key: str) -> tuple[str, ...]:
    """The wire forms case-folded, for the search without a regex (empty when folding one changes its length)."""
    forms = wire_forms(key)
    folded = tuple(_fold(form) for form in forms)
    return folded if all(len(a) == len(b) for a, b in zip(forms, folded, strict=True)) else ()


def _form_spans(view: str, key: str) -> list[tuple[int, int]]:
    """Where any wire form of ``key`` occurs in ``view``, ignoring case.

    Each key is new (every fire makes one), so compiling a regex of its dozen forms (about 4 ms) cost more
    than the search: a case-folded ``str.find`` per form finds the same places (and overlapping ones, which
    are merged anyway). Text or forms whose case folding changes their length use the regex.
    """
    forms = _folded_forms(key)
    folded = _fold(view) if forms else ""
    if not forms or len(folded) != len(view):
        return [match.span() for match in _pattern(key).finditer(view)]
    spans: list[tuple[int, int]] = []
    for form in forms:
        at = folded.find(form)
        while at != -1:  # every occurrence, overlapping ones merged as they are found
            if spans and spans[-1][0] <= at <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], at + len(form)))
            else:
                spans.append((at, at + len(form)))
            at = folded.find(form, at + 1)
    return spans


# One escaped character: JSON/JS \uXXXX, \xXX and \c escapes, %XX, HTML entities (hex, decimal, named).
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\([\\/\"'bfnrt])|%([0-9a-fA-F]{2})"
                     r"|&#[xX]([0-9a-fA-F]{1,6});?|&#([0-9]{1,7});?|&([A-Za-z][A-Za-z0-9]{1,31};?)")
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
DECODE_ROUNDS = 3  # an escape inside an escape inside an escape (%255Cu0061…) is still read
_SPACE = re.compile(r"\s")


def _unescape(match: re.Match[str]) -> str:
    uni, hex2, simple, pct, ent_hex, ent_dec, named = match.groups()
    if uni or hex2 or pct or ent_hex:
        code = int(uni or hex2 or pct or ent_hex, 16)
    elif ent_dec:
        code = int(ent_dec)
    elif simple:
        return _SIMPLE.get(simple, simple)
    else:
        decoded = html.unescape("&" + named)
        return decoded if decoded != "&" + named else match.group(0)
    return chr(code) if code <= sys.maxunicode and not 0xD800 <= code <= 0xDFFF else match.group(0)


_View = tuple[str, list[int], list[int]]  # text, and for each of its characters the span it came from


def _decoded(view: _View) -> _View | None:
    """One round of unescaping (None when nothing in ``view`` is escaped)."""
    text, starts, ends = view
    if not _ESCAPE.search(text):
        return None
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    at = 0
    for match in _ESCAPE.finditer(text):
        out.append(text[at:match.start()])
        new_starts.extend(starts[at:match.start()])
        new_ends.extend(ends[at:match.start()])
        piece = _unescape(match)
        out.append(piece)
        new_starts.extend([starts[match.start()]] * len(piece))
        new_ends.extend([ends[match.end() - 1]] * len(piece))
        at = match.end()
    out.append(text[at:])
    new_starts.extend(starts[at:])
    new_ends.extend(ends[at:])
    return "".join(out), new_starts, new_ends


def _squeezed(view: _View) -> _View | None:
    """The view without whitespace (a key split by line breaks or folding), None when it has none."""
    text, starts, ends = view
    if not _SPACE.search(text):
        return None
    kept = [i for i, char in enumerate(text) if not char.isspace()]
    return "".join(text[i] for i in kept), [starts[i] for i in kept], [ends[i] for i in kept]


def _views(text: str) -> list[_View]:
    """What a person or a program reads in ``text``: as is, unescaped (a few rounds), without whitespace."""
    positions = list(range(len(text)))
    views: list[_View] = [(text, positions, [p + 1 for p in positions])]
    for _ in range(DECODE_ROUNDS):
        decoded = _decoded(views[-1])
        if decoded is None:
            break
        views.append(decoded)
    for view in list(views):
        squeezed = _squeezed(view)
        if squeezed is not None:
            views.append(squeezed)
    return views


def key_spans(text: str, key: str) -> list[tuple[int, int]]:
    """The spans of ``text`` that read as ``key`` in any wire form, after any unescaping (merged, in order)."""
    if not key or not text:
        return []
    spans: list[tuple[int, int]] = []
    for index, (view, starts, ends) in enumerate(_views(text)):
        for start, end in _form_spans(view, key):
            spans.append((start, end) if index == 0 else (starts[start], ends[end - 1]))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact(text: str, key: str) -> str:
    """``text`` with every span that reads as ``key`` (raw, escaped, encoded) replaced by the key's masked form."""
    spans = key_spans(text, key)
    if not spans:
        return text
    masked = mask_key(key)
    pieces: list[str] = []
    at = 0
    for start, end in spans:
        pieces += [text[at:start], masked]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def holds_key(text: str, key: str) -> bool:
    """True when ``text`` holds the key in any of its wire forms, after any unescaping."""
    return bool(key_spans(text, key))


def redact_all(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret of ``secrets`` redacted (see ``redact``)."""
    for secret in secrets:
        text = redact(text, secret)
    return text


def redact_pairs(pairs: Iterable[tuple[str, str]], secrets: Iterable[str]) -> list[tuple[str, str]]:
    """Header (name, value) pairs with every secret redacted, a secret split across several lines included."""
    secrets = tuple(s for s in secrets if s)
    kept = [(redact_all(name, secrets), redact_all(value, secrets)) for name, value in pairs]
    for secret in secrets:
        joined = "".join(value for _, value in kept)
        spans = key_spans(joined, secret)
        if not spans:
            continue
        bounds, at = [], 0
        for _, value in kept:
            bounds.append((at, at + len(value)))
            at += len(value)
        touched = {i for start, end in spans for i, (a, b) in enumerate(bounds) if a < end and start < b}
        note = f"{mask_key(secret)} (a part of the App Key, split across header lines)"
        kept = [(name, note if i in touched else value) for i, (name, value) in enumerate(kept)]
    return kept


_HEX_KEY = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{" + str(KEY_BYTES * 2) + r"}(?![0-9A-Fa-f])")


def mask_fingerprinted(text: str, key_fingerprint: str) -> str:
    """``text`` with any key-shaped token whose fingerprint is ``key_fingerprint`` masked.

    For what is shown after decoding (a JSON body's ``\\u`` escapes): a record stored before its key's
    escaped forms were redacted still never shows the key, whose fingerprint alone is known.
    """
    if not key_fingerprint or not text:
        return text
    return _HEX_KEY.sub(lambda m: mask_key(m.group(0)) if key_fingerprint in (fingerprint(m.group(0)),
                                                                              fingerprint(m.group(0).lower()))
                        else m.group(0), text)
