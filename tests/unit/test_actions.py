"""Actions rehearsed as ManyChat sends them: ManyChat's documented examples against loopback servers,
the mapping's outputs, and hostile answers (not JSON, 5 MB, trickling, silent, blocked)."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.actions.mapping import evaluate, type_problem
from console.actions.rehearse import Rehearsal, Setup, rehearse_action, rehearse_source
from console.actions.render import prepare
from console.fire.prepare import FireContext, render_request, template_values
from console.fire.send import Timeouts
from console.netpolicy import AddressPolicy
from console.outcome import Category
from tests.conftest import ROOT
from tests.hostile import Conversation, hostile, trickle_body

CORPUS = ROOT / "tests" / "corpus"
SECRET = "tok-Secret-7f3a9c2e11"


class Api:
    """A loopback JSON API: answers by path from ``routes``; records every request (path, headers, body)."""

    def __init__(self, routes: dict[str, Any]):
        self.routes = routes
        self.seen: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                api.seen.append({"path": self.path, "headers": dict(self.headers.items()), "body": body.decode()})
                path = self.path.split("?")[0]
                answer = api.routes.get(path)
                data = json.dumps(answer).encode() if answer is not None else b'{"error":"not found"}'
                self.send_response(200 if answer is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[Api]:
    server = Api({})
    yield server
    server.stop()


def corpus(name: str, base: str) -> dict[str, Any]:
    """A corpus document with every https://host of its requests aimed at the loopback ``base``."""
    text = (CORPUS / name).read_text("utf-8")
    for host in ("https://pokeapi.co", "https://api.example.com", "https://example.com",
                 "https://api.manychat.com"):
        text = text.replace(host, base)
    return json.loads(text)


def as_text(rehearsal: Rehearsal) -> str:
    return json.dumps(rehearsal.to_dict(), ensure_ascii=False)


def test_find_pokemon_maps_the_documented_outputs(api: Api) -> None:
    api.routes["/api/v2/pokemon/pikachu"] = {"id": 25, "weight": 60, "name": "pikachu"}
    done = rehearse_action(corpus("spec_find_pokemon.json", api.base), "find_pokemon", {"pokemon_name": "pikachu"},
                           Setup())
    assert done.ok, done.message
    assert done.to_dict()["outputs"] == {"pokemon_id": 25, "pokemon_weight": 60}
    assert done.to_dict()["missing"] == [] and done.to_dict()["type_errors"] == []
    assert api.seen[0]["path"] == "/api/v2/pokemon/pikachu"


def test_a_form_value_is_percent_encoded_in_the_url(api: Api) -> None:
    rehearse_action(corpus("spec_find_pokemon.json", api.base), "find_pokemon", {"pokemon_name": "mr mime/x"},
                    Setup())
    assert api.seen[0]["path"] == "/api/v2/pokemon/mr%20mime%2Fx"


def test_connection_headers_carry_the_installer_secret_and_it_is_redacted(api: Api) -> None:
    api.routes["/v1/me"] = {"email": "ann@example.com", "echo": SECRET}
    done = rehearse_action(corpus("spec_auth_headers.json", api.base), "get_profile", {},
                           Setup(params={"token": SECRET}, secrets=(SECRET,)))
    assert done.ok and done.mapping.values == {"email": "ann@example.com"}
    assert api.seen[0]["headers"]["Authorization"] == f"Basic {SECRET}"  # sent as ManyChat would
    assert SECRET not in as_text(done) and "tok-" in as_text(done)  # shown masked, request and response


def test_connection_query_string_is_added_and_redacted(api: Api) -> None:
    api.routes["/v1/cities"] = {"results": [{"population": 8_300_000}]}
    done = rehearse_action(corpus("spec_auth_qs.json", api.base), "lookup_city", {"city": "New York"},
                           Setup(params={"token": SECRET}, secrets=(SECRET,)))
    assert done.ok and done.mapping.values == {"population": 8_300_000}
    assert api.seen[0]["path"] == f"/v1/cities?q=New%20York&token={SECRET}"
    assert SECRET not in done.result.request.url


def test_quickstart_action_and_rpc_source(api: Api) -> None:
    document = corpus("quickstart_server_side.json", api.base)
    api.routes["/manychat/ask"] = {"choices": [{"text": "42"}]}
    api.routes["/manychat/models"] = {"data": [{"id": "small"}, {"id": "large"}]}
    done = rehearse_action(document, "ask_question", {"question": "Why?", "tone": "formal", "model": "small",
                                                      "max_words": "80"}, Setup(params={"openai_key": SECRET},
                                                                                secrets=(SECRET,)))
    assert done.ok and done.mapping.values == {"answer": "42"}
    assert json.loads(api.seen[0]["body"]) == {"q": "Why?", "tone": "formal", "model": "small", "max": "80"}
    source = rehearse_source(document, "models", Setup())
    assert source.ok and source.options == ("small", "large")
    assert source.to_dict()["options"] == ["small", "large"]


def test_the_app_key_in_an_action_is_redacted(api: Api) -> None:
    api.routes["/fb/subscriber/addTagByName"] = {"status": "success"}
    key = "k" * 20 + "0123456789abcdef"
    done = rehearse_action(corpus("quickstart_server_side.json", api.base), "tag_subscriber",
                           {"subscriber_id": "1", "tag_name": "vip"}, Setup(app_key=key))
    assert done.ok
    assert api.seen[0]["headers"]["Authorization"] == f"Bearer {key}"
    assert key not in as_text(done)


def test_a_missing_output_and_a_wrong_type_are_reported(api: Api) -> None:
    api.routes["/api/v2/pokemon/x"] = {"id": "25"}
    done = rehearse_action(corpus("spec_find_pokemon.json", api.base), "find_pokemon", {"pokemon_name": "x"},
                           Setup())
    assert not done.ok and done.result.ok
    assert done.mapping.missing == ["pokemon_weight"]
    assert done.mapping.type_errors == ["pokemon_id: declared number, but the answer holds a string \"25\""]
    assert "pokemon_weight" in done.message


def test_an_unknown_name_sends_nothing_and_says_where(api: Api) -> None:
    document = corpus("spec_find_pokemon.json", api.base)
    document["actions"][0]["requests"][0]["headers"].append("X-Who: [[nobody]]")
    done = rehearse_action(document, "find_pokemon", {"pokemon_name": "x"}, Setup())
    assert done.result.category is Category.INVALID_REQUEST and not api.seen
    assert "[[nobody]]" in done.message and "/actions/0/requests/0/headers/1" in done.message


def test_a_path_that_is_not_jsonpath_is_named() -> None:
    result = evaluate([{"name": "x", "path": "$..[", "type": "string"}], {"a": 1})
    assert result.missing == ["x"] and "not a JSONPath query" in result.outputs[0].problem


def test_types() -> None:
    assert type_problem(True, "number") and not type_problem(1.5, "number")
    assert not type_problem("2026-01-31T12:00:00Z", "datetime") and type_problem("soon", "date")


def _raw(body: bytes, content_type: str = "text/html") -> Any:
    def behave(talk: Conversation) -> None:
        talk.send(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                  + body)

    return behave


def _pokemon_at(url: str) -> dict[str, Any]:
    return corpus("spec_find_pokemon.json", url)


def test_an_answer_that_is_not_json() -> None:
    with hostile(_raw(b"<html><b>hello</b></html>")) as server:
        done = rehearse_action(_pokemon_at(server.url), "find_pokemon", {"pokemon_name": "x"}, Setup())
    assert done.result.ok and not done.ok
    assert "not JSON" in done.message and done.mapping.missing == ["pokemon_id", "pokemon_weight"]


def test_a_5_mb_answer_is_cut_and_said() -> None:
    with hostile(_raw(b"{" + b" " * (5 * 1024 * 1024) + b"}", "application/json")) as server:
        done = rehearse_action(_pokemon_at(server.url), "find_pokemon", {"pokemon_name": "x"}, Setup())
    assert done.result.category is Category.TOO_LARGE and not done.ok
    assert len(done.result.response.body) <= 64 * 1024 if done.result.response else False


def test_a_trickling_api_ends_at_the_deadline() -> None:
    started = time.monotonic()
    with hostile(trickle_body(0.2)) as server:
        done = rehearse_action(_pokemon_at(server.url), "find_pokemon", {"pokemon_name": "x"},
                               Setup(timeouts=Timeouts(1.0, 1.5)))
    assert done.result.category is Category.TIMEOUT and not done.ok
    assert time.monotonic() - started < 4


def test_an_api_that_never_answers_ends_at_the_deadline() -> None:
    with hostile(lambda talk: talk.stopping.wait(10)) as server:
        done = rehearse_action(_pokemon_at(server.url), "find_pokemon", {"pokemon_name": "x"},
                               Setup(timeouts=Timeouts(1.0, 1.0)))
    assert done.result.category is Category.TIMEOUT and "deadline" in done.message


def test_a_blocked_address_in_team_mode_is_not_sent(api: Api) -> None:
    done = rehearse_action(_pokemon_at(api.base), "find_pokemon", {"pokemon_name": "x"},
                           Setup(policy=AddressPolicy("team")))
    assert done.result.category is Category.BLOCKED and not api.seen and done.message


def test_sample_endpoint_modes(sample: Any) -> None:
    document = copy.deepcopy(_pokemon_at("https://example.com"))
    fail = rehearse_action(document, "find_pokemon", {"pokemon_name": "x"},
                           Setup(sample_base_url=sample.base_url, sample_mode="fail"))
    assert fail.result.status == 500
    slow = rehearse_action(document, "find_pokemon", {"pokemon_name": "x"},
                           Setup(sample_base_url=sample.base_url, sample_mode="slow:5", timeouts=Timeouts(1, 1)))
    assert slow.result.category is Category.TIMEOUT
    echo = rehearse_action(document, "find_pokemon", {"pokemon_name": "x"},
                           Setup(sample_base_url=sample.base_url, sample_mode="echo"))
    assert echo.result.ok and json.loads(echo.result.response.body)["echo"]["path"] == \
        "/action/echo/api/v2/pokemon/x" if echo.result.response else False


@settings(max_examples=150, deadline=None)
@given(value=st.text(max_size=60), param=st.text(min_size=1, max_size=30))
def test_any_value_is_sent_exactly_once_as_given(value: str, param: str) -> None:
    """A form value or param holding [[x]], {{app_token}}, quotes or newlines is sent as it is, never rendered
    again, and never breaks the request."""
    document = {"auth": {"type": "APIKEY", "params": [{"name": "token", "title": "T"}],
                         "connection": {"headers": {"X-Token": "[[token]]"}, "qs": {"t": "[[token]]"}}},
                "actions": []}
    request = {"url": "https://api.example.com/find/[[q]]", "method": "POST",
               "headers": ["Content-Type: application/json"], "payload": {"q": "[[q]]", "page": "{{page_id}}"}}
    prepared = prepare(request, "/actions/0/requests/0", document, {"q": value}, {"token": param})
    try:
        rendered = render_request(prepared.request, template_values("k" * 64, FireContext(params=prepared.values)))
    except Exception as exc:  # noqa: BLE001 - only a header value a server cannot carry may be refused
        assert "header" in str(exc).lower() or "URL" in str(exc), exc
        return
    assert json.loads(rendered.body or "{}") == {"q": value, "page": "100200300"}
    assert rendered.url == f"https://api.example.com/find/{quote(value, safe='')}?t={quote_plus(param)}"
    assert ("X-Token", param) in rendered.headers
