"""Echoes of the key in any form a person or a program would decode are redacted before storage and display."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable
from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from console import keys
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from tests import hostile
from ui.render_fire import pretty_json

CTX = FireContext(params={"workspace": "acme"})
KEYS = st.binary(min_size=keys.KEY_BYTES, max_size=keys.KEY_BYTES).map(bytes.hex) | st.text(
    alphabet="0123456789abcdefABCDEF", min_size=20, max_size=64)


def json_escaped(key: str, draw: st.DrawFn) -> tuple[str, Callable[[str], str]]:
    escaped = "".join(f"\\u{ord(c):04x}" if draw(st.booleans()) else c for c in key)
    return '{"echo": "' + escaped + '"}', lambda text: str(json.loads(text)["echo"])


def percent(key: str, draw: st.DrawFn) -> tuple[str, Callable[[str], str]]:
    upper = draw(st.booleans())
    return "".join(("%%%02X" if upper else "%%%02x") % b for b in key.encode()), unquote


def mime_base64(key: str, draw: st.DrawFn) -> tuple[str, Callable[[str], str]]:
    prefix = draw(st.binary(max_size=5))
    encoded = base64.b64encode(prefix + key.encode()).decode()
    cut = draw(st.integers(1, len(encoded) - 1))
    text = encoded[:cut] + draw(st.sampled_from(["\r\n", "\n", " ", "\r\n\t"])) + encoded[cut:]

    def decode(redacted: str) -> str:
        try:
            return base64.b64decode("".join(redacted.split()), validate=False).decode("latin-1")
        except ValueError:
            return ""

    return text, decode


def entities(key: str, draw: st.DrawFn) -> tuple[str, Callable[[str], str]]:
    forms = [lambda c: f"&#{ord(c)};", lambda c: f"&#x{ord(c):x};", lambda c: f"&#X{ord(c):X};", lambda c: c]
    return "".join(draw(st.sampled_from(forms))(c) for c in key), html.unescape


def hexed(key: str, draw: st.DrawFn) -> tuple[str, Callable[[str], str]]:
    text = key.encode().hex()

    def decode(redacted: str) -> str:
        try:
            return bytes.fromhex(redacted).decode("latin-1")
        except ValueError:
            return ""

    return (text.upper() if draw(st.booleans()) else text), decode


def folded(key: str, draw: st.DrawFn) -> tuple[str, Callable[[str], str]]:
    cut = draw(st.integers(1, len(key) - 1))
    return key[:cut] + "\r\n " + key[cut:], lambda text: "".join(text.split())


ENCODINGS = [json_escaped, percent, mime_base64, entities, hexed, folded]


@settings(max_examples=300, deadline=None)
@given(key=KEYS, encoding=st.sampled_from(ENCODINGS), around=st.tuples(st.text(max_size=20), st.text(max_size=20)),
       data=st.data())
def test_no_decoding_of_a_redacted_text_gives_the_key_back(key: str, encoding: Callable[..., tuple[str, Callable]],
                                                           around: tuple[str, str], data: st.DataObject) -> None:
    text, decode = encoding(key, data.draw)
    assert key.lower() in decode(text).lower()  # the encoding really holds the key
    redacted = keys.redact(around[0] + " " + text + " " + around[1], key)
    assert not keys.holds_key(redacted, key)
    assert keys.mask_key(key) in redacted
    alone = keys.redact(text, key)
    assert key.lower() not in readable(decode, alone).lower()


def readable(decode: Callable[[str], str], text: str) -> str:
    """What the decoder reads in a redacted text ('' when it no longer decodes)."""
    try:
        return decode(text)
    except ValueError:
        return ""


@settings(max_examples=100, deadline=None)
@given(key=KEYS, cut=st.integers(1, 19))
def test_a_key_split_across_two_header_lines_is_redacted(key: str, cut: int) -> None:
    pairs = keys.redact_pairs([("X-A", key[:cut]), ("X-B", key[cut:]), ("X-C", "kept")], [key])
    assert "".join(value for _, value in pairs).lower().find(key.lower()) < 0
    assert not any(key[:cut] == value or key[cut:] == value for _, value in pairs)
    assert pairs[2] == ("X-C", "kept")


def echo_forms() -> hostile.Behaviour:
    """200 echoing the key of the x-token-header in \\u escapes, %XX, entities, hex, MIME base64, two lines."""

    def behave(talk: hostile.Conversation) -> None:
        token = talk.request.header("x-token-header")
        body = json.dumps({"u": token}).replace(token, "".join(f"\\u{ord(c):04x}" for c in token))[:-1]
        body += ', "html": "' + "".join(f"&#{ord(c)};" for c in token) + '"'
        body += ', "hex": "' + token.encode().hex() + '"'
        body += ', "mime": "' + base64.encodebytes(token.encode()).decode().replace("\n", "\\r\\n") + '"}'
        data = body.encode()
        pct = "".join(f"%{b:02X}" for b in token.encode())
        talk.send(b"HTTP/1.1 302 Found\r\nContent-Type: application/json\r\nLocation: /next?k=" + pct.encode()
                  + b"\r\nX-Part-1: " + token[:30].encode() + b"\r\nX-Part-2: " + token[30:].encode()
                  + b"\r\nContent-Length: %d\r\n\r\n" % len(data) + data)

    return behave


def test_an_endpoint_echoing_the_key_in_every_form_stores_and_shows_none(auth_request: dict) -> None:
    key = keys.generate_app_key()
    with hostile.hostile(echo_forms()) as server:
        result = fire_install_request(auth_request, CTX, url=server.url + "/install", app_key=key,
                                      timeouts=Timeouts(1.0, 3.0))
    assert result.category == "redirect"
    stored = json.dumps(result.to_stored(), default=str)
    shown = json.dumps(result.to_dict(), ensure_ascii=False)
    assert result.response is not None and result.location is not None
    for text in (stored, shown, result.response.body, pretty_json(result.response.body), unquote(result.location),
                 html.unescape(pretty_json(result.response.body)), "".join(v for _, v in result.response.headers)):
        assert key not in text and not keys.holds_key(text, key), text[:300]
    assert keys.mask_key(key) in pretty_json(result.response.body)  # the Response tab shows the mask


def test_the_response_tab_never_decodes_an_old_record_to_the_key() -> None:
    """A body stored before escaped forms were redacted: what the Response tab shows still hides the key."""
    key = keys.generate_app_key()
    stored = '{"echo": "' + "".join(f"\\u{ord(c):04x}" for c in key) + '"}'
    assert key in json.loads(stored)["echo"]
    shown = pretty_json(stored, keys.fingerprint(key))
    assert key not in shown and keys.mask_key(key) in shown
    other = keys.generate_app_key()
    assert other in pretty_json(json.dumps({"other": other}), keys.fingerprint(key))  # only this fire's key


@settings(max_examples=300, deadline=None)
@given(key=KEYS | st.text(min_size=1, max_size=24), data=st.data())
def test_the_search_without_a_regex_finds_every_place_the_regex_finds(key: str, data: st.DataObject) -> None:
    """Each fire's key is new, so its forms are found by a case-folded search, not a compiled regex: that search
    covers every match of the regex of the same forms, whatever the case and the text around them (ß, İ, ſ ...)."""
    forms = keys.wire_forms(key)
    pieces = data.draw(st.lists(st.sampled_from(forms) | st.text(alphabet="ßİıſKkIi%&#;\\0aAfF=+/ \n", max_size=6)
                                | st.text(max_size=6), max_size=8))
    text = "".join(piece.upper() if data.draw(st.booleans()) else piece for piece in pieces)
    covered = {i for start, end in keys.key_spans(text, key) for i in range(start, end)}
    for match in keys._pattern(key).finditer(text):
        assert set(range(*match.span())) <= covered, (text, match.span())


def test_a_dotless_i_does_not_hide_a_secret() -> None:
    """An endpoint lowercasing in a Turkish locale echoes I as ı: the regex matched it, so must the search."""
    assert keys.redact('{"echo": "gızlısıfre42"}', "GIZLISIFRE42") == '{"echo": "••••••••••••"}'
    key = keys.generate_app_key()
    base64_form = max(keys.wire_forms(key), key=len)
    echoed = base64_form.replace("i", "\u0131").replace("I", "\u0131")
    assert keys._pattern(key).search(echoed) and keys.holds_key(echoed, key)
