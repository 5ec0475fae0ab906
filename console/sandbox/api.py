"""The local ManyChat API: a Starlette app served by uvicorn on loopback.

Every catalog endpoint under /fb/..., the trigger webhook /apps/wh and /openapi.json (the
OpenAPI document of what it serves). An app's code points at it by base URL as it would at
https://api.manychat.com, with ``Authorization: Bearer <App Key>``. State lives in the
database, so every console process serving it answers the same.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from console import __version__
from console.catalog import SCOPES
from console.sandbox.endpoints import ENDPOINTS
from console.sandbox.gateway import MAX_BODY_BYTES, TRIGGER_PATH, Answer, Gateway
from console.store import Store

ERROR_BODY = {"type": "object", "required": ["status", "message"],
              "properties": {"status": {"type": "string"}, "message": {"type": "string"},
                             "code": {"type": "integer"}, "details": {"type": "object"}}}


def _respond(answer: Answer) -> Response:
    return Response(answer.body, status_code=answer.status, media_type="application/json")


async def _body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"x" * (MAX_BODY_BYTES + 1)  # parse_body answers 400 for it
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(store: Store, gateway: Gateway | None = None) -> Starlette:
    """The ASGI app for one store."""
    gate = gateway or Gateway(store)

    def endpoint_for(path: str) -> Any:
        async def handle(request: Request) -> Response:
            raw = await _body(request) if request.method == "POST" else b""
            answer = await run_in_threadpool(gate.call, request.method, path, request.headers.get("authorization"),
                                             list(request.query_params.multi_items()), raw)
            return _respond(answer)
        return handle

    async def trigger(request: Request) -> Response:
        raw = await _body(request)
        return _respond(await run_in_threadpool(gate.trigger, request.headers.get("authorization"), raw))

    async def openapi(_request: Request) -> Response:
        return JSONResponse(openapi_document())

    async def index(_request: Request) -> Response:
        return JSONResponse({"status": "success", "service": "ManyChat API sandbox (local)",
                             "openapi": "/openapi.json", "endpoints": len(ENDPOINTS)})

    methods = {scope.path: scope.method for scope in SCOPES} | {TRIGGER_PATH: "POST", "/openapi.json": "GET",
                                                                  "/": "GET"}

    async def unrouted(request: Request, exc: Exception) -> Response:
        # The key first (ManyChat's 401), then ManyChat's envelope for an unknown path or method; the
        # path is the request's own (scope["path"]), never a URL built from the Host header.
        path = str(request.scope.get("path", ""))
        answer = await run_in_threadpool(gate.unrouted, request.method, path, request.headers.get("authorization"),
                                         methods.get(path))
        return _respond(answer)

    routes = [Route(scope.path, endpoint_for(scope.path), methods=[scope.method]) for scope in SCOPES]
    routes += [Route(TRIGGER_PATH, trigger, methods=["POST"]), Route("/openapi.json", openapi, methods=["GET"]),
               Route("/", index, methods=["GET"])]
    app = Starlette(routes=routes, exception_handlers={404: unrouted, 405: unrouted})
    app.router.redirect_slashes = False  # a redirect would carry a Location built from the client's Host
    return app


def _operation(path: str) -> dict[str, Any]:
    scope = next(s for s in SCOPES if s.path == path)
    endpoint = ENDPOINTS[path]
    responses: dict[str, Any] = {
        "200": {"description": "success", "content": {"application/json": {"schema": {
            "type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["success"]},
                                                                      "data": {}}}}}},
        "400": {"description": "validation error or coded error",
                "content": {"application/json": {"schema": ERROR_BODY}}},
        "401": {"description": "unknown or replaced App Key, or an endpoint outside the granted scopes: "
                               '{"status": "error","message": "Wrong access token"}',
                "content": {"application/json": {"schema": ERROR_BODY}}},
        "429": {"description": "rate limit (only when the app's rate limits are on)",
                "content": {"application/json": {"schema": ERROR_BODY}}},
        "500": {"description": 'the app is uninstalled: {"status": "exception","message": "Something went wrong"}',
                "content": {"application/json": {"schema": ERROR_BODY}}},
    }
    operation: dict[str, Any] = {"operationId": path.strip("/").replace("/", "_"), "summary": scope.description,
                                 "tags": [scope.group], "responses": responses}
    if endpoint.schema is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": endpoint.schema}}}
    else:
        operation["parameters"] = [{"name": p.name, "in": "query", "required": p.required,
                                    "schema": {"type": p.kind, **({"minimum": 1} if p.kind == "integer" else
                                                                  {"minLength": 1, "maxLength": 200})}}
                                   for p in endpoint.params]
    return operation


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of what the sandbox serves."""
    paths: dict[str, Any] = {s.path: {s.method.lower(): _operation(s.path)} for s in SCOPES}
    paths[TRIGGER_PATH] = {"post": {
        "operationId": "apps_wh", "summary": "fire one of the app's declared triggers", "tags": ["triggers"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["version", "subscriber_id", "trigger_name", "context"],
            "properties": {"version": {"type": "integer", "enum": [1]},
                           "subscriber_id": {"type": "integer", "minimum": 1},
                           "trigger_name": {"type": "string", "minLength": 1, "maxLength": 200},
                           "context": {"type": "object"}}}}}},
        "responses": {"200": {"description": "trigger fired"},
                      "400": {"description": "unknown trigger or context not as declared"},
                      "401": {"description": "unknown or replaced App Key"},
                      "500": {"description": "the app is uninstalled"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "ManyChat API sandbox (App Key Console)", "version": __version__,
                 "description": "A local stand-in for https://api.manychat.com: every Public API endpoint of the "
                                "catalog with ManyChat's envelopes, answering per installation App Key."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"AppKey": {"type": "http", "scheme": "bearer"}}},
        "security": [{"AppKey": []}],
        "paths": paths,
    }


class SandboxServer:
    """The API served by uvicorn in a background thread on a socket bound at construction."""

    def __init__(self, store: Store, host: str = "127.0.0.1", port: int = 0, gateway: Gateway | None = None):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError:
            self._socket.close()
            raise
        self._socket.listen(128)
        self.app = create_app(store, gateway)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        host = str(self._socket.getsockname()[0])
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline and self._thread.is_alive():
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()
