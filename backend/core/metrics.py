"""Prometheus metrics in a registry of our own, a Strawberry extension that feeds them, and /metrics."""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from graphql import GraphQLError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from strawberry.extensions import SchemaExtension

from backend.settings import get_settings

# Our own registry: no process/platform collectors from the global one, and tests can import freely.
REGISTRY = CollectorRegistry()

GRAPHQL_DURATION = Histogram(
    "courtyard_graphql_request_duration_seconds",
    "Time spent on a GraphQL operation (for subscriptions: the life of the subscription).",
    ["operation", "type"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GRAPHQL_REQUESTS = Counter(
    "courtyard_graphql_requests",
    "GraphQL operations executed.",
    ["operation", "type"],
    registry=REGISTRY,
)
GRAPHQL_ERRORS = Counter(
    "courtyard_graphql_errors",
    "GraphQL errors and mutation payload errors, by code.",
    ["code"],
    registry=REGISTRY,
)
WEBSOCKET_CONNECTIONS = Gauge(
    "courtyard_websocket_connections",
    "Open GraphQL WebSocket connections.",
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "courtyard_http_requests",
    "HTTP requests answered, by method and status.",
    ["method", "status"],
    registry=REGISTRY,
)
REDIS_ERRORS = Counter(
    "courtyard_redis_errors",
    "Redis calls that failed (connection refused, timeout), by the part that made them.",
    ["part"],
    registry=REGISTRY,
)
for _part in ("ratelimit", "pubsub", "health"):
    REDIS_ERRORS.labels(part=_part)  # exported as 0 from the start, so rate() sees the first error


class _RedisUp(Collector):
    """`courtyard_redis_up`: 1 while the configured Redis answers, 0 while it does not; absent without Redis,
    so a deployment that never configured one does not look like one whose Redis is down."""

    def __init__(self) -> None:
        self.value: float | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.value is not None:
            yield GaugeMetricFamily("courtyard_redis_up", "1 while the configured Redis answers, 0 while it does not.",
                                    value=self.value)


REDIS_UP = _RedisUp()
REGISTRY.register(REDIS_UP)


class RedisOutage:
    """One part's view of Redis: counts its failed calls, logs an outage once when it starts and once when it ends,
    and after a failure tells the caller to skip Redis for `retry_after` seconds, so an outage costs one failed
    call per interval rather than one per request. `up` may use `%d` for `missed`; None logs nothing."""

    def __init__(self, part: str, logger: logging.Logger, *, down: str | None, up: str | None,
                 retry_after: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.part = part
        self._log = logger
        self._down_message, self._up_message = down, up
        self._retry_after = retry_after
        self._clock = clock
        self.down = False
        self._retry_at = 0.0
        self.missed = 0  # what the part could not do during the current outage (e.g. events dropped)

    def should_try(self) -> bool:
        """False for a moment after a failure: use the fallback without waiting for Redis. During an outage one
        caller a `retry_after` gets True (the probe); the others keep using the fallback while it waits."""
        if not self.down:
            return True
        now = self._clock()
        if now < self._retry_at:
            return False
        self._retry_at = now + self._retry_after
        return True

    def retry_now(self) -> None:
        """Another part saw Redis answer: try it at the next call rather than after the interval."""
        self._retry_at = 0.0

    def failed(self, error: BaseException) -> None:
        REDIS_ERRORS.labels(part=self.part).inc()
        REDIS_UP.value = 0.0
        self._retry_at = self._clock() + self._retry_after
        if not self.down:
            self.down = True
            self.missed = 0
            if self._down_message:
                self._log.warning("%s (%s: %s)", self._down_message, type(error).__name__, error)

    def answered(self) -> None:
        REDIS_UP.value = 1.0
        if self.down:
            self.down = False
            if self._up_message:
                self._log.info(self._up_message, self.missed)


# Label values come from clients: only identifier-like values, and only so many distinct ones,
# so a client inventing operation names cannot grow the registry without bound.
_LABEL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_MAX_OPERATION_NAMES = 500
_MAX_ERROR_CODES = 100
_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _BoundedLabels:
    """Admit label values that look like identifiers until `limit` distinct ones were seen."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: object) -> str:
        if not isinstance(value, str) or not _LABEL_RE.fullmatch(value):
            return "other"
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) >= self._limit:
                return "other"
            self._seen.add(value)
        return value


_operation_label = _BoundedLabels(_MAX_OPERATION_NAMES)
_code_label = _BoundedLabels(_MAX_ERROR_CODES)


def operation_label(name: str | None) -> str:
    """The `operation` label for an operation name: anonymous, the name, or other."""
    return "anonymous" if not name else _operation_label(name)


def record_error_code(code: str) -> None:
    """Count one error by code (mutation payload errors; GraphQL errors are counted by the extension)."""
    GRAPHQL_ERRORS.labels(code=_code_label(code)).inc()


def socket_opened() -> None:
    WEBSOCKET_CONNECTIONS.inc()


def socket_closed() -> None:
    WEBSOCKET_CONNECTIONS.dec()


def record_http_request(method: str, status: int) -> None:
    """Count one answered HTTP request (called by the metrics middleware)."""
    HTTP_REQUESTS.labels(method=method if method in _HTTP_METHODS else "other", status=str(status)).inc()


def _error_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    # Parse, validation and variable errors have neither a path nor a cause: the client's mistake,
    # kept apart so INTERNAL only counts failures on our side.
    if error.path is None and error.original_error is None:
        return "BAD_REQUEST"
    return "INTERNAL"


def _count_errors(errors: Iterable[GraphQLError] | None) -> None:
    for error in errors or ():
        record_error_code(_error_code(error))


class MetricsExtension(SchemaExtension):
    """Time and count every operation by name and type, and count its errors by code.

    Pass the class (not an instance) to `Schema(extensions=[...])`, so each operation gets its own.
    """

    def __init__(self, *, execution_context: Any = None) -> None:
        self._streamed = False

    def on_operation(self) -> Iterator[None]:
        # A plain generator: Strawberry runs it in sync and async execution and around the whole
        # life of a subscription, so it must never raise into the operation.
        self._streamed = False
        started = time.perf_counter()
        try:
            yield
        finally:
            self._record(time.perf_counter() - started)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # Subscriptions (and operations over WebSocket) deliver several results: count each one's
        # errors as it goes out, since execution_context.result only holds the last.
        self._streamed = True
        _count_errors(getattr(result, "errors", None))
        yield

    def _record(self, seconds: float) -> None:
        ctx = self.execution_context
        labels = {"operation": operation_label(ctx.operation_name), "type": _operation_type(ctx)}
        GRAPHQL_REQUESTS.labels(**labels).inc()
        GRAPHQL_DURATION.labels(**labels).observe(seconds)
        if self._streamed:
            return
        # The async path stores the result before this hook resumes; a parse error may only be in
        # pre_execution_errors.
        errors = ctx.result.errors if ctx.result is not None else ctx.pre_execution_errors
        _count_errors(errors)


def _operation_type(ctx: Any) -> str:
    if ctx.graphql_document is None:
        return "unknown"
    try:
        return ctx.operation_type.value
    except Exception:  # noqa: BLE001 - unknown operation name, or a document without operations
        return "unknown"


class HttpMetricsMiddleware:
    """Count answered HTTP requests by method and status (pure ASGI: WebSockets pass untouched)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_counted(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            record_http_request(scope.get("method", ""), status)


async def metrics_endpoint(request: Request) -> Response:
    """Serve the registry in the Prometheus text format; in production only to the holder of METRICS_TOKEN."""
    settings = get_settings()
    if not settings.dev and not _scraper_authorized(request, settings.metrics_token):
        # Operation names, error counts and socket numbers are reconnaissance: look like no such page.
        return PlainTextResponse("Not Found", status_code=404)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _scraper_authorized(request: Request, token: str) -> bool:
    if not token:
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
