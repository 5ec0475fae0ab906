"""Code that reproduces a fire's request: cURL, Python requests and HTTPie, ready to paste.

The request comes masked. Without the plain key, the key's places read ``$APP_KEY`` (or
``APP_KEY`` in Python) and the snippet starts by asking for it: a masked key pasted into a
command would send the wrong key, which is a trap. With the plain key (revealed for one fire
in the browser session that made it), the key stands where it was sent.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from console.outcome import SentRequest

_HOLE = "\x00APP_KEY\x00"  # stands for the key while a snippet is built
TRANSPORT = {"host", "content-length", "connection", "accept-encoding"}
EXPORT = "export APP_KEY='paste the App Key here'  # the key was masked in the console"


@dataclass(frozen=True)
class Snippets:
    curl: str
    python: str
    httpie: str


def _holed(text: str, masked_key: str) -> str:
    return text.replace(masked_key, _HOLE) if masked_key else text


def _shell(text: str) -> str:
    """A shell word: single-quoted when it holds no key, else double-quoted with $APP_KEY in the key's place."""
    if _HOLE not in text:
        return shlex.quote(text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
    return '"' + escaped.replace(_HOLE, "$APP_KEY") + '"'


def _python(text: str) -> str:
    """A Python expression for the text, with the APP_KEY variable in the key's place."""
    if _HOLE not in text:
        return repr(text)
    pieces: list[str] = []
    for index, part in enumerate(text.split(_HOLE)):
        if index:
            pieces.append("APP_KEY")
        if part:
            pieces.append(repr(part))
    return " + ".join(pieces)


def snippets(request: SentRequest, masked_key: str, plain_key: str = "") -> Snippets:
    """The three snippets for ``request`` (as stored: key masked)."""
    def fill(text: str) -> str:
        holed = _holed(text, masked_key)
        return holed.replace(_HOLE, plain_key) if plain_key else holed

    url, body = fill(request.url), None if request.body is None else fill(request.body)
    headers = [(name, fill(value)) for name, value in request.headers
               if name.lower() not in TRANSPORT]  # the client sets these itself (Content-Length must match)
    needs_key = any(_HOLE in text for text in [url, body or "", *(v for _, v in headers)])
    prologue = [EXPORT] if needs_key else []

    curl = [f"curl -i -X {request.method} {_shell(url)}"]
    curl += [f"  -H {_shell(f'{name}: {value}')}" for name, value in headers]
    if body is not None:
        curl.append(f"  --data-raw {_shell(body)}")
    curl_text = "\n".join(prologue + [" \\\n".join(curl)])

    python = ["import os", "", "import requests", ""] if needs_key else ["import requests", ""]
    if needs_key:
        python += ['APP_KEY = os.environ["APP_KEY"]  # export APP_KEY=... first (the key was masked)', ""]
    python.append("headers = {")
    python += [f"    {name!r}: {_python(value)}," for name, value in headers]
    python.append("}")
    data = "None" if body is None else f"({_python(body)}).encode()"
    python += [f"data = {data}",
               f"response = requests.request({request.method!r}, {_python(url)}, headers=headers, data=data,",
               "                            allow_redirects=False, timeout=10)",
               "print(response.status_code, response.text)"]

    httpie = [f"http --print=HhBb {request.method} {_shell(url)}"]
    httpie += [f"  {_shell(f'{name}:{value}')}" for name, value in headers]
    if body is not None:
        httpie.append(f"  --raw {_shell(body)}")
    httpie_text = "\n".join(prologue + [" \\\n".join(httpie)])
    return Snippets(curl_text, "\n".join(python), httpie_text)
