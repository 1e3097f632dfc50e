"""The request envelope, checked before Strawberry sees it: size, UTF-8, JSON shape, nesting and strings.

Strawberry 0.341 answers 500 (or drops the socket) on a JSON body that is not an object, on invalid UTF-8, on
deep nesting (json raises RecursionError) and on malformed WebSocket frames; NUL characters and unpaired
surrogates in strings reach resolvers and the database. Everything here refuses such input with a stable code.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, StringValueNode, ValidationRule
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.extensions import AddValidationRules
from strawberry.http.exceptions import WebSocketDisconnected as StrawberryWebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import CompleteMessage
from strawberry.utils.aio import aclosing

from backend.core import live, metrics, trusted

MAX_BODY_BYTES = 1024 * 1024  # a JSON body or a GET query string
MAX_DEPTH = 32  # nesting of variables, extensions and connection parameters
MAX_FRAME_CHARS = 64 * 1024  # one WebSocket message
GRAPHQL_RESPONSE = "application/graphql-response+json"
_CLOSE_REASON_BYTES = 123  # a close frame carries at most 125 bytes, 2 of them the code
# Every Python str the JSON decoder builds from a valid surrogate pair holds the joined code point, so any
# surrogate left in a string is unpaired: not Unicode, and not encodable for the database.
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_FRAME_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})


class EnvelopeCode:
    """The codes of refused requests, in `errors[].extensions.code`."""

    BAD_REQUEST = "BAD_REQUEST"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NESTING_TOO_DEEP = "NESTING_TOO_DEEP"
    INVALID_STRING = "INVALID_STRING"
    SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    OPERATION_NOT_FOUND = "OPERATION_NOT_FOUND"
    NOT_FOUND = "NOT_FOUND"


class EnvelopeError(Exception):
    """A request refused before execution: a stable code, a message for people, the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = dict(headers or {})


_HTTP_CODES = {
    404: EnvelopeCode.NOT_FOUND,
    405: EnvelopeCode.METHOD_NOT_ALLOWED,
    413: EnvelopeCode.PAYLOAD_TOO_LARGE,
    415: EnvelopeCode.UNSUPPORTED_MEDIA_TYPE,
}


def from_http_status(status: int, message: str) -> EnvelopeError:
    """Strawberry's own refusals (plain text) as a coded error."""
    return EnvelopeError(_HTTP_CODES.get(status, EnvelopeCode.BAD_REQUEST), message, status if status < 500 else 400)


def error_response(error: EnvelopeError, *, graphql_media: bool) -> JSONResponse:
    """The GraphQL-shaped answer to a refused request, in the media type the client asked for."""
    metrics.record_error_code(error.code)
    message = error.message.encode("utf-8", "replace").decode("utf-8")
    body = {"errors": [{"message": message, "extensions": {"code": error.code}}]}
    media = GRAPHQL_RESPONSE + "; charset=utf-8" if graphql_media else "application/json"
    return JSONResponse(body, status_code=error.status, headers=error.headers, media_type=media)


# ------------------------------------------------------------------------------------------------ values


def _too_deep(what: str) -> EnvelopeError:
    return EnvelopeError(EnvelopeCode.NESTING_TOO_DEEP, f"{what} is nested more than {MAX_DEPTH} levels deep")


def _invalid_string(what: str) -> EnvelopeError:
    return EnvelopeError(EnvelopeCode.INVALID_STRING,
                         f"{what} holds a string with a NUL character or an unpaired surrogate")


def check_string(value: str, what: str) -> None:
    """Refuse a string with a NUL character or an unpaired surrogate."""
    if _BAD_CHARS.search(value):
        raise _invalid_string(what)


def check_value(value: object, what: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH and strings (keys included) that check_string refuses."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_string(item, what)
        elif isinstance(item, dict):
            if depth >= MAX_DEPTH:
                raise _too_deep(what)
            for key, child in item.items():
                check_string(key, what)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth >= MAX_DEPTH:
                raise _too_deep(what)
            stack.extend((child, depth + 1) for child in item)


def parse_json(raw: bytes | str, what: str) -> object:
    """Decode strict UTF-8 JSON; deep nesting is refused, never a RecursionError."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"{what} is not valid UTF-8") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise _too_deep(what) from None
    except ValueError:  # JSONDecodeError, and integers past Python's digit limit
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"{what} is not valid JSON") from None


def parse_object(raw: bytes | str, what: str) -> dict[str, Any]:
    data = parse_json(raw, what)
    if not isinstance(data, dict):
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"{what} must be a JSON object")
    return data


def check_params(data: Mapping[str, Any]) -> str | None:
    """A GraphQL request's parameters: query a string, operationName a string or null, the rest objects or null.

    A trusted document may be named instead of (or as well as) sent: `documentId` ("sha256:<hex>", GraphQL over
    HTTP) or `extensions.persistedQuery` (`{version: 1, sha256Hash}`, Apollo). Returns that id, or None; an id and
    a text that is not the id's document are refused. The id is also kept for this request (requested_id)."""
    for key in ("variables", "extensions"):
        value = data.get(key)
        if value is not None and not isinstance(value, dict):
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"`{key}` must be an object or null")
    try:
        doc_id = trusted.named_id(data)
    except trusted.TrustRefusal as refusal:
        raise EnvelopeError(refusal.code, refusal.message) from None
    query = data.get("query")
    if query is None or (doc_id is not None and query == ""):
        if doc_id is None:
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "`query` must be a non-empty string")
    elif not isinstance(query, str) or not query.strip():
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "`query` must be a non-empty string")
    else:
        check_string(query, "`query`")
        if doc_id is not None and trusted.document_id(query) != doc_id:
            raise EnvelopeError(trusted.TrustedCode.DOCUMENT_ID_MISMATCH,
                                "The document id is not the SHA-256 of the query text sent with it")
    name = data.get("operationName")
    if name is not None:
        if not isinstance(name, str):
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "`operationName` must be a string or null")
        check_string(name, "`operationName`")
    for key in ("variables", "extensions"):
        check_value(data.get(key), f"`{key}`")
    _DOCUMENT_ID.set(doc_id)
    return doc_id


# The trusted document the current HTTP request names (check_params), for the view's execute_single.
_DOCUMENT_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("courtyard_document_id", default=None)


def requested_id() -> str | None:
    """The document id the current HTTP request's parameters named (POST body, GET query, multipart operations)."""
    return _DOCUMENT_ID.get()


# Strawberry parses what we checked again (the body, the GET variables, the multipart operations): its
# decode_json hands back what we parsed for the very same object, so each request is parsed once.
_PARSED: contextvars.ContextVar[tuple[tuple[object, object], ...]] = contextvars.ContextVar(
    "courtyard_envelope_parsed", default=())


def remember_parsed(raw: object, parsed: object) -> None:
    _PARSED.set((*_PARSED.get(), (raw, parsed)))


def recall_parsed(raw: object) -> tuple[bool, object]:
    """(True, parsed) when this very object was parsed by the envelope check of the current request."""
    for seen, parsed in _PARSED.get():
        if seen is raw:
            return True, parsed
    return False, None


# -------------------------------------------------------------------------------------------------- HTTP


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """Read the body once, at most `limit` bytes; Starlette keeps it for Strawberry's own read."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise EnvelopeError(EnvelopeCode.PAYLOAD_TOO_LARGE, f"At most {limit // 1024} KB", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a chunked body has no Content-Length: count as it comes
        size += len(chunk)
        if size > limit:
            raise EnvelopeError(EnvelopeCode.PAYLOAD_TOO_LARGE, f"At most {limit // 1024} KB", 413)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # noqa: SLF001 - Starlette's cache: request.body() returns it without reading again
    return body


async def check_http_request(request: Request) -> None:
    """Refuse a malformed GET or JSON POST; multipart bodies are left to the upload guard."""
    _PARSED.set(())
    _DOCUMENT_ID.set(None)
    if request.method == "GET":
        _check_query_string(request)
    elif request.method == "POST":
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media.startswith("multipart/"):
            return
        if media != "application/json":
            raise EnvelopeError(EnvelopeCode.UNSUPPORTED_MEDIA_TYPE,
                                "Send application/json (multipart/form-data for uploads)", 415)
        body = await read_body(request)
        data = parse_object(body, "The request body")
        check_params(data)
        remember_parsed(body, data)


def _check_query_string(request: Request) -> None:
    if len(request.scope.get("query_string", b"")) > MAX_BODY_BYTES:
        raise EnvelopeError(EnvelopeCode.PAYLOAD_TOO_LARGE, f"At most {MAX_BODY_BYTES // 1024} KB", 413)
    params = request.query_params
    for key in ("query", "operationName", "documentId"):
        if (value := params.get(key)) is not None:
            check_string(value, f"`{key}`")
    extensions = None
    for key in ("variables", "extensions"):
        raw = params.get(key)
        if raw:  # Strawberry skips empty ones too
            parsed = parse_json(raw, f"`{key}`")
            if parsed is not None and not isinstance(parsed, dict):
                raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"`{key}` must be an object or null")
            check_value(parsed, f"`{key}`")
            remember_parsed(raw, parsed)
            if key == "extensions":
                extensions = parsed
    if "documentId" in params or (extensions or {}).get("persistedQuery") is not None:
        # a GET by id: the same rules as a body
        check_params({"query": params.get("query"), "documentId": params.get("documentId"), "extensions": extensions})


# ------------------------------------------------------------------------------------------- WebSocket


def check_frame(text: str | None) -> dict[str, Any]:
    """One graphql-transport-ws message from the client, checked; raises EnvelopeError (413: too large)."""
    if text is None:
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "WebSocket messages must be text")
    if len(text) > MAX_FRAME_CHARS:
        raise EnvelopeError(EnvelopeCode.PAYLOAD_TOO_LARGE, f"At most {MAX_FRAME_CHARS // 1024} K characters", 413)
    message = parse_object(text, "The message")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in _FRAME_TYPES:
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "Unknown message type")
    if kind in ("subscribe", "complete") and not isinstance(message.get("id"), str):
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"A {kind} message needs a string id")
    payload = message.get("payload")
    if kind == "subscribe":
        if not isinstance(payload, dict):
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "A subscribe message needs a payload object")
        check_params(payload)
    elif kind != "complete":
        if payload is None:
            message.pop("payload", None)  # null and absent mean the same (Strawberry refuses a null one)
        elif not isinstance(payload, dict):
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "The payload must be an object or null")
        check_value(payload, "The payload")
    return message


def close_reason(reason: str) -> str:
    """A close reason that fits a close frame: UTF-8, at most 123 bytes (longer ones crash the server)."""
    return reason.encode("utf-8", "replace")[:_CLOSE_REASON_BYTES].decode("utf-8", "ignore")


class CheckedWebSocket(ASGIWebSocketAdapter):
    """Strawberry's WebSocket adapter refusing malformed frames as graphql-transport-ws asks: close 4400.

    Strawberry drops the socket on JSON that is not an object, on a subscribe payload that is not an object
    and on deep nesting; a frame past MAX_FRAME_CHARS closes with 1009 (message too big).
    """

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        while self.ws.application_state != WebSocketState.DISCONNECTED:
            received = await self.ws.receive()
            if received["type"] == "websocket.disconnect":
                return
            try:
                message = check_frame(received.get("text"))
            except EnvelopeError as error:
                metrics.record_error_code(error.code)
                await self.close(1009 if error.status == 413 else 4400, error.message)
                return
            yield message

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return  # closed by us (a malformed message): operations still finishing have nobody to tell
        await super().send_json(message)

    async def send_text(self, text: str) -> None:
        """A message serialized already (core.live: one payload for many sockets, each with its own id)."""
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise StrawberryWebSocketDisconnected from exc

    async def close(self, code: int, reason: str) -> None:
        # Strawberry echoes client input in reasons (syntax errors, operation ids): keep them short.
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
            await self.ws.close(code=code, reason=close_reason(reason))


class CheckedTransportWS(BaseGraphQLTransportWSHandler[Any, Any]):
    """Strawberry's graphql-transport-ws handler, closing 4400 on a document that does not parse, and running
    live fields through core.live: each operation's task holds a `live.Seat`, so a subscription built on
    `live.stream` joins the group of sockets that see the same thing and this task then sends what the group
    executed once for all of them.

    ParserCache parses inside an extension hook, so a syntax error escapes Schema.stream instead of arriving
    as a result: Strawberry then logs a traceback and sends a bare `complete`.
    """

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        # Strawberry's run_operation, with the seat: after the subscribe-time checks (run here, with this socket's
        # caller) a grouped subscription's stream ends without a result, and the group's payloads follow; an
        # evicted socket runs its operation again, alone, from the event it was evicted at (live.Resume).
        seat = live.Seat(self, operation)
        live.SEAT.set(seat)  # this task's context only
        try:
            while True:
                result_source = await self.schema.stream(
                    operation.query, variable_values=operation.variables, context_value=self.context,
                    root_value=self.root_value, operation_name=operation.operation_name,
                )
                async with aclosing(result_source):
                    await self._send_result_stream(operation, result_source)
                member, seat.member = seat.member, None
                if member is None:
                    break
                seat.resume = await member.serve(self._text_sender())
                if seat.resume is None:
                    break
            await operation.send_operation_message(CompleteMessage(id=operation.id, type="complete"))
        except _OperationStreamClosed:
            return
        except StrawberryWebSocketDisconnected:
            return  # the socket closed while a grouped payload was being sent: nobody left to tell
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
        finally:
            if seat.resume is not None:  # evicted, but the operation ended before it carried on alone
                await seat.resume.inbox.aclose()

    async def handle_subscribe(self, message: Any) -> None:
        # A subscribe message may name a trusted document instead of sending one (check_frame checked the id's
        # form); the trusted-document rules answer this operation with an `error` message, the socket stays.
        payload = message["payload"]
        if self.connection_acknowledged and message["id"] not in self.operations:
            try:
                payload["query"] = await trusted.current().query_for(
                    doc_id=trusted.named_id(payload), query=payload.get("query"), principal=self.context.principal)
            except trusted.TrustRefusal as refusal:
                metrics.record_error_code(refusal.code)
                await self.send_message({"id": message["id"], "type": "error", "payload": [
                    {"message": refusal.message, "extensions": {"code": refusal.code}}]})
                return
        await super().handle_subscribe(message)

    def _text_sender(self) -> Callable[[str], Awaitable[None]]:
        """How to send a message serialized already: CheckedWebSocket.send_text, or any adapter's send_json."""
        send_text: Callable[[str], Awaitable[None]] | None = getattr(self.websocket, "send_text", None)
        if send_text is not None:
            return send_text

        async def send(text: str) -> None:
            await self.websocket.send_json(json.loads(text))

        return send

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        try:
            await super()._send_result_stream(operation, result_source)
        except GraphQLSyntaxError as error:
            metrics.record_error_code(EnvelopeCode.BAD_REQUEST)
            await self.websocket.close(code=4400, reason=error.message)


# ------------------------------------------------------------------------------------------- documents


class _StringLiteralRule(ValidationRule):
    """String literals of the document (escapes decoded) must be Unicode without NUL, like variables."""

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if _BAD_CHARS.search(node.value):
            self.report_error(GraphQLError(
                "String values may not hold a NUL character or an unpaired surrogate", node,
                extensions={"code": EnvelopeCode.INVALID_STRING},
            ))


STRING_LITERAL_RULE = _StringLiteralRule


class StringLiteralGuard(AddValidationRules):
    """Refuse documents whose string literals hold NUL (`"\\u0000"`); the validation cache keeps the verdict."""

    def __init__(self) -> None:
        super().__init__([_StringLiteralRule])
