"""Dev stand-in for Alibaba Cloud SMS: takes the SDK's real signed `SendSms` requests on a loopback port.

It checks what the provider checks first (the ACS3-HMAC-SHA256 signature over method, path, query, signed
headers and body hash; key id; clock skew; nonce reuse), then the sign name, template and parameters, and
answers in the provider's JSON. Accepted messages are appended to `sms-outbox.jsonl` in the data dir (0600),
where a developer reads the codes (`python -m backend.cli sms-outbox`); the log only says that one arrived.

It runs on its own port because the SDK always posts to the root path `/` of its endpoint, which the app
serves the console from.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.core.sms import CODE_PURPOSES, MAX_PARAM_LENGTH

if TYPE_CHECKING:
    import uvicorn

    from backend.settings import Settings

log = logging.getLogger("courtyard.sms")

ALGORITHM = "ACS3-HMAC-SHA256"
ACTION, VERSION = "SendSms", "2017-05-25"
# Headers the SDK always signs; a request that leaves one out of its signature is refused.
REQUIRED_SIGNED = frozenset({"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                             "x-acs-content-sha256"})
MAX_SKEW = 15 * 60  # seconds between x-acs-date and now, as the provider allows
OUTBOX_NAME = "sms-outbox.jsonl"
OUTBOX_MAX_BYTES = 1 << 20
OUTBOX_KEEP_LINES = 500
_AUTH = re.compile(rf"{ALGORITHM} Credential=([^,]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{{64}})")
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_CODE = re.compile(r"[0-9A-Za-z]{4,8}")


class Refused(Exception):
    """The provider's answer to a request it will not take: HTTP status and error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def canonical_query(query: list[tuple[str, str]]) -> str:
    """The query as the SDK signs it: sorted by name, values percent-encoded (only `~` kept)."""
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(query))


def string_to_sign(*, method: str, path: str, query: list[tuple[str, str]], headers: Mapping[str, list[str]],
                   signed: list[str], payload_hash: str) -> str:
    canonical_headers = "".join(f"{name}:{','.join(sorted(v.strip() for v in headers.get(name, [])))}\n"
                                for name in signed)
    canonical = "\n".join([method, path or "/", canonical_query(query), canonical_headers, ";".join(signed),
                           payload_hash])
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


class _Nonces:
    """Nonces seen within the allowed clock skew: a replayed request is refused."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}

    def claim(self, nonce: str, now: float) -> bool:
        if len(self._seen) >= 1000:
            self._seen = {n: t for n, t in self._seen.items() if t >= now - 2 * MAX_SKEW}
        if nonce in self._seen:
            return False
        self._seen[nonce] = now
        return True


def verify_signature(*, method: str, path: str, query: list[tuple[str, str]], headers: Mapping[str, list[str]],
                     body: bytes, access_key_id: str, access_key_secret: str, nonces: _Nonces,
                     now: float | None = None) -> None:
    """Check an SDK request the way the provider does; raises Refused with the provider's code."""
    now = time.time() if now is None else now
    auth = (headers.get("authorization") or [""])[0]
    match = _AUTH.fullmatch(auth.strip())
    if match is None:
        raise Refused(400, "IncompleteSignature", f"The request signature does not conform to {ALGORITHM}.")
    key_id, signed_text, signature = match.groups()
    if not hmac.compare_digest(key_id, access_key_id):
        raise Refused(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    signed = signed_text.split(";")
    if signed != sorted(signed) or not REQUIRED_SIGNED <= set(signed):
        raise Refused(400, "IncompleteSignature", "Required headers are not signed.")
    first = {name: (headers.get(name) or [""])[0] for name in REQUIRED_SIGNED}
    if first["x-acs-action"] != ACTION or first["x-acs-version"] != VERSION:
        raise Refused(400, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
    payload_hash = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(first["x-acs-content-sha256"], payload_hash):
        raise Refused(400, "SignatureDoesNotMatch", "The body does not match x-acs-content-sha256.")
    try:
        stamp = datetime.strptime(first["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise Refused(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.") from None
    if abs(now - stamp) > MAX_SKEW:
        raise Refused(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
    expected = sign(access_key_secret, string_to_sign(method=method, path=path, query=query, headers=headers,
                                                      signed=signed, payload_hash=payload_hash))
    if not hmac.compare_digest(expected, signature):
        raise Refused(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
    if not nonces.claim(first["x-acs-signature-nonce"], now):
        raise Refused(400, "SignatureNonceUsed", "Specified signature nonce was used already.")


def check_message(query: Mapping[str, str], *, sign_name: str, templates: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Validate SendSms's parameters like the provider; returns the template name and its parameters."""
    for name in ("PhoneNumbers", "SignName", "TemplateCode"):
        if not query.get(name):
            raise Refused(400, f"Missing{name}", f"{name} is mandatory for this action.")
    if not _PHONE.fullmatch(query["PhoneNumbers"]):
        raise Refused(200, "isv.MOBILE_NUMBER_ILLEGAL", "The mobile number is not valid.")
    if query["SignName"] != sign_name:
        raise Refused(200, "isv.SMS_SIGNATURE_ILLEGAL", "The sign name is not approved.")
    by_code = {code: name for name, code in templates.items()}
    template = by_code.get(query["TemplateCode"])
    if template is None:
        raise Refused(200, "isv.SMS_TEMPLATE_ILLEGAL", "The template is not approved.")
    try:
        params = json.loads(query.get("TemplateParam") or "{}")
    except ValueError:
        raise Refused(200, "isv.INVALID_JSON_PARAM", "TemplateParam is not valid JSON.") from None
    expected = {"code"} if template in CODE_PURPOSES else {"subject", "status"}
    if not isinstance(params, dict) or set(params) != expected or not all(isinstance(v, str) for v in params.values()):
        raise Refused(200, "isv.TEMPLATE_MISSING_PARAMETERS", "TemplateParam does not match the template.")
    if template in CODE_PURPOSES and not _CODE.fullmatch(params["code"]):
        raise Refused(200, "isv.INVALID_PARAMETERS", "A code is 4-8 letters or digits.")
    if any(len(v) > MAX_PARAM_LENGTH for v in params.values()):
        raise Refused(200, "isv.PARAM_LENGTH_LIMIT", f"A parameter is longer than {MAX_PARAM_LENGTH} characters.")
    return template, params


def outbox_path(data_dir: Path) -> Path:
    return data_dir / OUTBOX_NAME


def append_outbox(path: Path, record: dict[str, Any]) -> None:
    """Append one message (owner-only file); past 1 MiB only the last 500 messages are kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, line)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if size > OUTBOX_MAX_BYTES:
        kept = path.read_bytes().splitlines(keepends=True)[-OUTBOX_KEEP_LINES:]
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.writelines(kept)
        tmp.replace(path)


def read_outbox(path: Path, last: int | None = None) -> list[dict[str, Any]]:
    """The messages the stand-in took (the `last` few, or all), oldest first."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines if last is None else lines[-last:] if last > 0 else []:
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _answer(status: int, request_id: str, **fields: str) -> JSONResponse:
    return JSONResponse({**fields, "RequestId": request_id}, status_code=status)


def _headers(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.headers.raw:
        out.setdefault(key.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return out


def create_standin_app(*, access_key_id: str, access_key_secret: str, sign_name: str, templates: Mapping[str, str],
                       outbox: Path) -> Starlette:
    """The stand-in as an ASGI app: `POST /` as the SDK sends it."""
    nonces = _Nonces()
    lock = asyncio.Lock()

    async def send_sms(request: Request) -> JSONResponse:
        request_id = str(uuid.uuid4()).upper()
        body = await request.body()
        query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        try:
            verify_signature(method=request.method, path=request.scope.get("raw_path", b"/").decode("latin-1"), query=query, headers=_headers(request),
                             body=body, access_key_id=access_key_id, access_key_secret=access_key_secret,
                             nonces=nonces)
            template, params = check_message(dict(query), sign_name=sign_name, templates=templates)
        except Refused as exc:
            log.warning("SMS stand-in refused a request: %s", exc.code)
            fields = {"Code": exc.code, "Message": exc.message}
            if exc.status != 200:
                fields["HostId"] = request.headers.get("host", "")
            return _answer(exc.status, request_id, **fields)
        phone = dict(query)["PhoneNumbers"]
        biz_id = f"{secrets.randbelow(10**6):06d}{int(time.time() * 1000)}"
        record = {"ts": datetime.now(UTC).isoformat(timespec="seconds"), "phone": phone, "template": template,
                  "template_code": dict(query)["TemplateCode"], "sign_name": sign_name, "params": params,
                  "biz_id": biz_id, "request_id": request_id}
        async with lock:
            await asyncio.to_thread(append_outbox, outbox, record)
        log.info("SMS stand-in took a %s message for %s****%s (read it in %s)", template, phone[:3], phone[-4:],
                 outbox.name)
        return _answer(200, request_id, Code="OK", Message="OK", BizId=biz_id)

    return Starlette(routes=[Route("/", send_sms, methods=["POST"])])


def _listen_address(endpoint: str) -> tuple[socket.AddressFamily, str, int]:
    host, _, port = endpoint.rpartition(":")
    if host in ("[::1]", "::1"):
        return socket.AF_INET6, "::1", int(port)
    return socket.AF_INET, "127.0.0.1" if host == "localhost" else host, int(port)


@contextlib.contextmanager
def _no_signal_capture() -> Iterator[None]:
    yield


class StandinServer:
    """The stand-in on its own loopback port, in the event loop of the process that starts it."""

    def __init__(self, app: Starlette, endpoint: str, outbox: Path) -> None:
        self.app, self.endpoint, self.outbox = app, endpoint, outbox
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> StandinServer:
        outbox = outbox_path(settings.data_dir)
        app = create_standin_app(access_key_id=settings.sms_access_key_id,
                                 access_key_secret=settings.sms_access_key_secret, sign_name=settings.sms_sign_name,
                                 templates=settings.sms_templates, outbox=outbox)
        return cls(app, settings.sms_endpoint, outbox)

    async def start(self) -> bool:
        """Listen and serve in the background; False (and a warning) when the port is taken."""
        import uvicorn

        family, host, port = _listen_address(self.endpoint)
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            # Listening now: connections wait in the backlog until the server below takes them, so a code can be
            # sent as soon as this returns.
            sock.listen(128)
        except OSError as exc:
            sock.close()
            log.warning("SMS stand-in cannot listen on %s (%s): text messages will fail with SMS_UNAVAILABLE",
                        self.endpoint, exc.strerror or exc)
            return False
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off",
                                timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        # The serving process owns SIGINT/SIGTERM; this server stops when stop() is awaited.
        server.capture_signals = _no_signal_capture  # type: ignore[method-assign]
        self._server = server
        self._task = asyncio.create_task(server.serve(sockets=[sock]))
        log.info("SMS stand-in on http://%s/ (dev messages: %s)", self.endpoint, self.outbox)
        return True

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._server = self._task = None
