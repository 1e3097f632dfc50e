"""Starlette app factory: lifespan (ORM, runtime services), /graphql over HTTP and WebSocket, /healthz, /metrics, SPA."""

from __future__ import annotations

import contextlib
import gc
import logging
import stat
from collections.abc import AsyncIterator
from datetime import timedelta
from mimetypes import guess_type
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from backend import maintenance
from backend.core import datadir, envelope, metrics, trusted
from backend.core.context import Context
from backend.core.envelope import EnvelopeCode, EnvelopeError
from backend.core.logging import RequestIdMiddleware, configure_logging, request_id_var
from backend.core.runtime import build_runtime, get_runtime, set_runtime
from backend.core.uploads import upload_refusal
from backend.domains.auth.service import authenticate
from backend.domains.registry import DOMAINS
from backend.domains.trusted.service import standing_body
from backend.settings import Settings, get_settings, tortoise_config

log = logging.getLogger("courtyard.app")
GRAPHQL_RESPONSE = "application/graphql-response+json"
FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
# The codegen manifest of the console's and the owner app's operations (committed; no front-end build needed).
TRUSTED_MANIFEST = (Path(__file__).resolve().parent.parent / "frontend" / "src" / "graphql" / "generated"
                    / "persisted-documents.json")
OPEN_SOCKETS: set[WebSocket] = set()


def _client_ip(request: Request | WebSocket) -> str:
    return request.client.host if request.client else ""


def _wants_graphql_response(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if GRAPHQL_RESPONSE not in accept:
        return False
    # Prefer the GraphQL media type unless plain JSON is listed before it.
    return accept.find(GRAPHQL_RESPONSE) <= max(accept.find("application/json"), 0) or "application/json" not in accept


class CourtyardGraphQL(GraphQL):
    """Strawberry's ASGI view with our context, WebSocket auth, media-type negotiation and envelope checks.

    Every refusal, ours or Strawberry's, answers a GraphQL-shaped body with a code (core.envelope).
    """

    websocket_adapter_class = envelope.CheckedWebSocket  # type: ignore[assignment]
    graphql_transport_ws_handler_class = envelope.CheckedTransportWS

    def __init__(self, schema: Any, *, trusted_gate: trusted.Gate, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.trusted_gate = trusted_gate  # what an id runs, and who may send text (core/trusted.py)

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:  # type: ignore[override]
        rid = request.scope.get("state", {}).get("request_id") or request_id_var.get()
        ctx = Context(
            request=request, response=response, ip=_client_ip(request),
            user_agent=request.headers.get("user-agent", "")[:255], request_id=rid if rid != "-" else None,
        )
        ctx.authenticator = authenticate
        ctx.principal_loader = "auth.principal"
        if request.scope["type"] == "http":
            ctx.authorization = request.headers.get("authorization")
            # a multipart request was authenticated by the upload guard already
            auth = getattr(request.state, "auth", None)
            ctx.principal, ctx.auth_error = auth if auth is not None else await authenticate(ctx.authorization)
        return ctx

    async def on_ws_connect(self, context: Context) -> Any:  # type: ignore[override]
        params = context.connection_params or {}
        token = params.get("authorization") or params.get("Authorization") if isinstance(params, dict) else None
        if isinstance(token, str) and token and not token.lower().startswith("bearer "):
            token = "Bearer " + token
        context.authorization = token if isinstance(token, str) else None
        context.principal, context.auth_error = await authenticate(context.authorization)
        if context.auth_error:  # a bad token closes the socket with 4403; no token means anonymous
            raise ConnectionRejectionError({"code": context.auth_error})
        return None

    def should_render_graphql_ide(self, request: Any) -> bool:
        # a GET naming a trusted document by id has no `query` either: it is a request, not a visit to GraphiQL
        return envelope.requested_id() is None and super().should_render_graphql_ide(request)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub = await super().get_sub_response(request)
        if request.scope["type"] == "http" and _wants_graphql_response(request):  # type: ignore[arg-type]
            sub.headers["x-courtyard-media"] = GRAPHQL_RESPONSE
        return sub

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = await super().process_result(request, result)
        # Parse, validation and variable errors happen before execution (no path); with the GraphQL media
        # type such a request error carries no `data` entry and answers 400 (GraphQL over HTTP).
        if (result.data is None and result.errors and all(e.path is None for e in result.errors)
                and _wants_graphql_response(request)):
            data.pop("data", None)
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.headers.get("x-courtyard-media"):
            del response.headers["x-courtyard-media"]
            response.headers["content-type"] = GRAPHQL_RESPONSE + "; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data and response_data.get("errors"):
                response.status_code = 400
        return response

    def decode_json(self, data: str | bytes) -> object:
        found, parsed = envelope.recall_parsed(data)  # parsed (and checked) by the envelope check already
        return parsed if found else super().decode_json(data)

    async def execute_single(self, request: Request, request_adapter: Any, sub_response: Response, context: Any,
                             root_value: Any, request_data: Any) -> ExecutionResult:
        # Strawberry allows subscriptions over HTTP for its SSE and multipart transports, which we do not
        # offer: run one and it ends in an INTERNAL error. Its other refusals here are plain-text 400s.
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            # A trusted document named by id runs as it was parsed and validated when it was trusted
            # (core/trusted.py); text runs only when the caller may send text (TRUSTED_DOCUMENTS).
            query = await self.trusted_gate.query_for(doc_id=envelope.requested_id(), query=request_data.query,
                                                      principal=context.principal)
        except trusted.TrustRefusal as refusal:
            # A request error (GraphQL over HTTP): nothing ran, so 400 like the envelope's other refusals.
            raise EnvelopeError(refusal.code, refusal.message) from None
        try:
            return await self.schema.execute(
                query, root_value=root_value, variable_values=request_data.variables,
                context_value=context, operation_name=request_data.operation_name,
                allowed_operation_types=allowed, operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise EnvelopeError(EnvelopeCode.SUBSCRIPTION_OVER_HTTP,
                                    "Subscriptions run over WebSocket (graphql-transport-ws) at /graphql") from None
            raise EnvelopeError(EnvelopeCode.METHOD_NOT_ALLOWED, "Send mutations with POST", 405,
                                {"allow": "POST"}) from None
        except CannotGetOperationTypeError as error:
            raise EnvelopeError(EnvelopeCode.OPERATION_NOT_FOUND, error.as_http_error_reason()) from None
        except MissingQueryError:
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "No GraphQL query found in the request") from None

    async def run(self, request: Request | WebSocket, **kwargs: Any) -> Any:  # type: ignore[override]
        trusted.SERVING.set(self.trusted_gate)  # this request's (or socket's) task and the tasks it starts
        if isinstance(request, WebSocket):
            OPEN_SOCKETS.add(request)
            metrics.socket_opened()
            try:
                return await super().run(request, **kwargs)
            finally:
                OPEN_SOCKETS.discard(request)
                metrics.socket_closed()
        try:
            await envelope.check_http_request(request)
            if (refusal := await upload_refusal(request, authenticate)) is not None:
                return refusal
            return await super().run(request, **kwargs)
        except EnvelopeError as error:
            return envelope.error_response(error, graphql_media=_wants_graphql_response(request))
        except HTTPException as error:
            return envelope.error_response(envelope.from_http_status(error.status_code, error.reason),
                                           graphql_media=_wants_graphql_response(request))


async def close_sockets(code: int = 1001) -> None:
    """Graceful shutdown: tell every open socket we are going away (1001) so clients reconnect elsewhere."""
    for ws in list(OPEN_SOCKETS):
        with contextlib.suppress(Exception):
            await ws.close(code=code, reason="server shutting down")


async def healthz(request: Request) -> JSONResponse:
    """503 without the database; 200 "degraded" while a configured Redis does not answer (we still serve: rate
    limits count per process, live events pause), so probes keep the process in rotation and dashboards see it."""
    try:
        conn = Tortoise.get_connection("default")
        await conn.execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return JSONResponse({"status": "error", "db": "down"}, status_code=503)
    # A PING with a short timeout, its verdict cached for a second by the broker.
    if await get_runtime().broker.redis_reachable() is False:
        return JSONResponse({"status": "degraded", "redis": "down"})
    return JSONResponse({"status": "ok"})


# Vite names every file under assets/ by its content hash: a new build means new names, so a browser may keep one
# forever. index.html keeps its name and must be revalidated, so a new build reaches everyone at once.
IMMUTABLE = "public, max-age=31536000, immutable"
# Precompressed siblings written by the build (vite.config.ts), in our order of preference.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _accepted_encodings(scope: Any) -> set[str]:
    """The codings an Accept-Encoding header allows (q=0 excluded)."""
    header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-encoding"), "")
    accepted = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(q) > 0:
                accepted.add(name.strip().lower())
        except ValueError:
            continue
    return accepted


class PrecompressedStaticFiles(StaticFiles):
    """Serve `x.js.br` / `x.js.gz` for `x.js` when the client accepts that coding, with long-lived cache headers."""

    def __init__(self, *, directory: Path, cache_control: str, check_dir: bool = True) -> None:
        super().__init__(directory=directory, check_dir=check_dir)
        self.cache_control = cache_control

    async def get_response(self, path: str, scope: Any) -> Response:
        accepted = _accepted_encodings(scope)
        media_type = guess_type(path)[0] or "application/octet-stream"
        for coding, suffix in ENCODINGS:
            if coding not in accepted and not (coding == "gzip" and "*" in accepted):
                continue
            full_path, stat_result = self.lookup_path(path + suffix)
            if stat_result is not None and stat.S_ISREG(stat_result.st_mode) and scope["method"] in ("GET", "HEAD"):
                # StaticFiles' own response: ETag and Last-Modified of the sibling, 304 on a match, ranges.
                response: Response = self.file_response(full_path, stat_result, scope)
                if response.status_code == 200:  # typed by the file it stands for, not by ".br"
                    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
                    response.headers["content-type"] = media_type + charset
                response.headers["content-encoding"] = coding
                break
        else:
            response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = self.cache_control
            response.headers["vary"] = "Accept-Encoding"
        return response


def _spa_routes() -> list[Any]:
    """Serve the built console at / and the owner app at /h5/, each with its history fallback, once built."""
    dist = FRONTEND_DIST
    # check_dir=False: a console built after the server started is served from then on.
    index = PrecompressedStaticFiles(directory=dist, cache_control="no-cache", check_dir=False)

    async def spa(request: Request) -> Response:
        if not (dist / "index.html").exists():
            return JSONResponse({"status": "ok", "console": "not built; run scripts/run"}, status_code=200)
        return await index.get_response("index.html", request.scope)

    # The owner app (frontend/h5/): its own files (manifest, service worker, icons) under /h5/, every other path
    # its own index.html, so a reload of /h5/repairs/42 opens the owner app and not the console.
    h5 = PrecompressedStaticFiles(directory=dist / "h5", cache_control="no-cache", check_dir=False)

    async def owner_app(request: Request) -> Response:
        path = request.path_params.get("path", "")
        if not (dist / "h5" / "index.html").exists():
            return JSONResponse({"status": "ok", "h5": "not built; run scripts/run"}, status_code=200)
        if "." in path.rsplit("/", 1)[-1]:  # a file name: the file itself or 404, never the page
            return await h5.get_response(path, request.scope)
        return await h5.get_response("index.html", request.scope)

    async def to_owner_app(request: Request) -> Response:
        return RedirectResponse("/h5/", status_code=308)

    routes: list[Any] = []
    if (dist / "assets").is_dir():
        assets = PrecompressedStaticFiles(directory=dist / "assets", cache_control=IMMUTABLE)
        routes.append(Mount("/assets", assets, name="assets"))
    routes += [Route("/h5", to_owner_app), Route("/h5/{path:path}", owner_app)]
    routes += [Route("/", spa), Route("/{path:path}", spa)]
    return routes


def create_app(settings: Settings | None = None, *, runtime_transport: Any = None) -> Starlette:
    """Build the ASGI app. `runtime_transport` lets tests replace outbound HTTP (WeChat) with a mock."""
    settings = settings or get_settings()
    configure_logging(json_format=settings.log_json)
    from backend.schema import build

    schema, index = build(production=not settings.dev)
    # Every shipped document is parsed, measured and validated once, here; tests/security/test_trusted_documents.py
    # fails on any entry refused.
    for problem in index.load_manifest(TRUSTED_MANIFEST):
        log.error("trusted document refused: %s", problem)
    if not index.shipped_ids and settings.trusted_documents != "off" and not settings.dev:
        # owners could run nothing at all: refuse to start rather than serve a broken owner app
        raise RuntimeError(f"TRUSTED_DOCUMENTS={settings.trusted_documents} needs the manifest {TRUSTED_MANIFEST}")
    gate = trusted.Gate(index, lambda doc_id: standing_body(document_id=doc_id), lambda: get_settings().trusted_documents)
    trusted.install(gate)
    graphql = CourtyardGraphQL(
        schema,
        trusted_gate=gate,
        graphql_ide="graphiql" if settings.dev else None,
        allow_queries_via_get=True,
        multipart_uploads_enabled=True,  # uploads pass core.uploads.upload_refusal first (CSRF header, auth)
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=20,
        allowed_origins=settings.allowed_origins or (),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        datadir.secure(settings.data_dir)
        runtime = build_runtime(redis_url=settings.redis_url, sms_backend=settings.sms_backend,
                                transport=runtime_transport, data_dir=settings.data_dir)
        await runtime.broker.start()
        set_runtime(runtime)
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            log.info("courtyard started (%s)", settings.env)
            # Jobs (core/jobs.py): run here without Redis; with it this process only schedules and enqueues.
            jobs = await maintenance.start_jobs(settings)
            # Everything loaded so far (modules, the schema) lives as long as the process: move it out of the
            # collector's generations, so a full collection (which holds the GIL, e.g. while an import preview in a
            # worker thread allocates) walks only what requests made. Measured: 60-200 ms pauses became 1-11 ms.
            gc.collect()
            gc.freeze()
            yield
            await jobs.stop()
            await close_sockets()
        await runtime.close()
        set_runtime(None)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/metrics", metrics.metrics_endpoint),
        *(route for d in DOMAINS if d.routes is not None for route in d.routes()),
        *_spa_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(metrics.HttpMetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.state.runtime = get_runtime
    return app
