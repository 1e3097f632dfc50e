"""Structured logs: JSON lines on stderr, each carrying the id of the request that wrote it, secrets masked."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

access_log = logging.getLogger("courtyard.access")
error_log = logging.getLogger("courtyard.errors")

# A client-supplied id is echoed into logs and headers: only short, plain tokens are taken as they are.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_HANDLER_MARK = "_courtyard_handler"
# Attributes every LogRecord has; anything else was passed through `extra=` and goes into the JSON line.
_RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class _RequestIdFilter(logging.Filter):
    """Stamp the current request id on every record, whichever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_MASK = "***"
# Names whose values are secrets wherever they appear: `password=…`, `"refresh_token": "…"`, `secret: …`.
_SECRET_NAME = r"[A-Za-z_-]*(?:password|passwd|token|secret|authorization|signature)[A-Za-z_-]*"
# Names of codes: one-time codes are secrets, but error codes (UPPER_SNAKE) and HTTP statuses are not.
_CODE_NAME = r"[A-Za-z_-]*code"
_NOT_A_SECRET_CODE = re.compile(r"[A-Z][A-Z_]*|[1-5][0-9]{2}")
_SEP = r"""(["']?\s*[:=]\s*["']?)"""
_VALUE = r"""([^\s"'&,;}\]]+)"""
_REDACTIONS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"\b((?i:bearer))\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + _MASK),
    # JSON Web Tokens (our access tokens), whole or cut short.
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){0,2}"), "eyJ" + _MASK),
    # Our refresh tokens: rt.<session>.<secret>.
    (re.compile(r"\brt\.[0-9a-f]{32}\.[A-Za-z0-9_-]+"), "rt." + _MASK),
    (re.compile(rf"\b((?i:{_SECRET_NAME})){_SEP}{_VALUE}"), r"\1\2" + _MASK),
    (re.compile(rf"\b((?i:{_CODE_NAME})){_SEP}{_VALUE}"),
     lambda m: m.group(0) if _NOT_A_SECRET_CODE.fullmatch(m.group(3)) else m.group(1) + m.group(2) + _MASK),
    # Free text: "code 123456", "code is 123456", "验证码：123456".
    (re.compile(r"((?i:\bcode)|验证码)(\s*(?:is\s+)?[:：]?\s*)([0-9]{4,8})(?![0-9])"), r"\1\2" + _MASK),
    # Mainland mobiles (with or without +86), as whole words: 138****1234, the way staff screens show them.
    # Digits inside hex ids (request and session ids) are left alone.
    (re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9A-Za-z])"), r"\1****\2"),
)
_SECRET_KEY = re.compile(rf"(?i:{_SECRET_NAME})")
_CODE_KEY = re.compile(rf"(?i:{_CODE_NAME})")


def redact(text: str) -> str:
    """Mask mobiles, JWTs, bearer tokens and the values of code/password/token/secret names in `text`."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key: str, value: Any) -> Any:  # noqa: ANN401 - whatever was passed in `extra`
    if _SECRET_KEY.fullmatch(key):
        return _MASK if value not in (None, "") else value
    if _CODE_KEY.fullmatch(key) and value not in (None, "") and not _NOT_A_SECRET_CODE.fullmatch(str(value)):
        return _MASK
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_value("", v) for v in value]
    return value


class RedactFilter(logging.Filter):
    """Mask secrets in a record's message, `extra` fields, exception and stack text before it is written.

    The record is rewritten in place, so handlers that run after this one (error trackers, test capture) get
    the masked text too. It is a safety net: code should not log these in the first place.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = redact(record.getMessage())
        except Exception:  # noqa: BLE001 - a broken %-format: keep the raw template, masked
            record.msg = redact(str(record.msg))
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and not key.startswith("_"):
                setattr(record, key, _redact_value(key, value))
        if record.exc_info:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, extras, then exc/stack if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            # RedactFilter leaves the masked text in exc_text.
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def configure_logging(*, json_format: bool = True, level: str = "INFO") -> None:
    """Send every log record to stderr, as JSON lines or plain text; safe to call more than once."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(_RequestIdFilter())
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter() if json_format else logging.Formatter(_TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn installs its own handlers when it configures logging; route its records through ours.
    for name in ("uvicorn", "uvicorn.error"):
        uv = logging.getLogger(name)
        uv.handlers.clear()
        uv.propagate = True
    # RequestIdMiddleware writes one access line per request, with the request id and duration.
    uv_access = logging.getLogger("uvicorn.access")
    uv_access.handlers.clear()
    uv_access.propagate = False
    uv_access.disabled = True
    # httpx logs every request's full URL at INFO: WeChat's jscode2session URL carries the app secret and the
    # user's login code in its query.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            try:
                return value.decode("latin-1")
            except (AttributeError, UnicodeDecodeError):
                return None
    return None


def _request_id(scope: Scope) -> str:
    given = _header(scope, b"x-request-id")
    if given is not None and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    """Give each HTTP request and WebSocket a request id, echo it as `x-request-id`, log HTTP access.

    Pure ASGI, so streaming responses and WebSockets pass through untouched. Unhandled HTTP errors
    are logged here with the request id and answered with a bare 500 (if nothing was sent yet).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        if scope.get("state") is None:
            scope["state"] = {}
        scope["state"]["request_id"] = rid
        token = request_id_var.set(rid)
        try:
            if scope["type"] == "websocket":
                try:
                    await self.app(scope, receive, send)
                except Exception:
                    # Re-raised so the server closes the socket with 1011 (or refuses the handshake).
                    error_log.exception("unhandled error in WebSocket %s", scope.get("path", "-"))
                    raise
            else:
                await self._http(scope, receive, send, rid)
        finally:
            request_id_var.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: str) -> None:
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before starting a response
        response_started = False
        header = (b"x-request-id", rid.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"]
                message["headers"] = [*headers, header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Logged here, while the request id is still set; the server would log it without one.
            error_log.exception("unhandled error in %s %s", scope.get("method", "-"), scope.get("path", "-"))
            status = 500
            if not response_started:
                await send_with_id(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
        finally:
            access_log.info(
                "%s %s %s",
                scope.get("method", "-"),
                scope.get("path", "-"),
                status,
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
