"""Text messages from templates: Alibaba Cloud SMS (its official SDK), or a capture list in tests.

Codes and notices go out as a template code plus JSON parameters, never as free text, so the provider
holds the wording and nothing here needs to render (or log) a message that contains a code.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from backend.core.errors import DomainError

# Raised when a text cannot be sent; the auth domain exposes it (auth.errors.AuthCode.SMS_UNAVAILABLE).
SMS_UNAVAILABLE = "SMS_UNAVAILABLE"

if TYPE_CHECKING:
    from backend.settings import Settings

log = logging.getLogger("courtyard.sms")

# The whole call, connection included: a sign-in waits on it, so it is short.
SEND_TIMEOUT = 8.0
_CONNECT_TIMEOUT_MS = 3000
_READ_TIMEOUT_MS = 5000
# Alibaba Cloud refuses template variables longer than this.
MAX_PARAM_LENGTH = 35
CODE_PURPOSES = ("login", "reset", "bind")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def unavailable() -> DomainError:
    return DomainError(SMS_UNAVAILABLE, "The text message could not be sent; try again later")


class SmsSender(Protocol):
    async def send_code(self, phone: str, purpose: str, code: str) -> None:
        """Send a one-time code from the template of `purpose` (login, reset, bind): `${code}`."""

    async def send_notice(self, phone: str, *, subject: str, status: str) -> None:
        """Send the generic notice template: `${subject}` (e.g. "报修 R00000042") and `${status}` ("已完成")."""


def _notice_params(subject: str, status: str) -> dict[str, str]:
    params = {"subject": subject, "status": status}
    for name, value in params.items():
        if not value or len(value) > MAX_PARAM_LENGTH:
            raise ValueError(f"notice {name} must be 1-{MAX_PARAM_LENGTH} characters")
    return params


def _check_purpose(purpose: str) -> None:
    if purpose not in CODE_PURPOSES:
        raise ValueError(f"unknown SMS purpose {purpose!r}")


class AliyunSmsSender:
    """Alibaba Cloud SMS `SendSms` through the official SDK's async call, bounded by a timeout; any failure
    (transport, signature, throttling, a refused template) is SMS_UNAVAILABLE."""

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str, templates: dict[str, str],
                 endpoint: str, timeout: float = SEND_TIMEOUT) -> None:
        # Imported here: the SDK takes ~0.5 s to import, which tests and CLI commands need not pay.
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        missing = [name for name in (*CODE_PURPOSES, "notice") if not templates.get(name)]
        if missing:
            raise ValueError("SMS templates missing: " + ", ".join(missing))
        self.sign_name = sign_name
        self.templates = dict(templates)
        self.timeout = timeout
        # Plain HTTP only to a stand-in on this machine; the provider is always reached over TLS.
        loopback = endpoint.rsplit(":", 1)[0] in _LOOPBACK
        self._client = Client(Config(
            access_key_id=access_key_id, access_key_secret=access_key_secret, endpoint=endpoint,
            protocol="HTTP" if loopback else "HTTPS", connect_timeout=_CONNECT_TIMEOUT_MS,
            read_timeout=_READ_TIMEOUT_MS,
        ))

    @classmethod
    def from_settings(cls, settings: Settings) -> AliyunSmsSender:
        return cls(access_key_id=settings.sms_access_key_id, access_key_secret=settings.sms_access_key_secret,
                   sign_name=settings.sms_sign_name, templates=settings.sms_templates, endpoint=settings.sms_endpoint)

    async def send_code(self, phone: str, purpose: str, code: str) -> None:
        _check_purpose(purpose)
        await self._send(phone, purpose, {"code": code})

    async def send_notice(self, phone: str, *, subject: str, status: str) -> None:
        await self._send(phone, "notice", _notice_params(subject, status))

    async def _send(self, phone: str, template: str, params: dict[str, str]) -> None:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest

        request = SendSmsRequest(
            phone_numbers=phone, sign_name=self.sign_name, template_code=self.templates[template],
            template_param=json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        )
        # Logged by template and error code only: the SDK's exceptions carry the request (number and code).
        try:
            async with asyncio.timeout(self.timeout + 1):
                response = await asyncio.to_thread(self._call, request)
        except Exception as exc:  # noqa: BLE001 - transport, signature, throttling: all mean "not sent"
            inner = getattr(exc, "inner_exception", None)
            log.warning("SMS %s not sent: %s%s %s", template, type(exc).__name__,
                        f"/{type(inner).__name__}" if inner is not None else "", getattr(exc, "code", "") or "")
            raise unavailable() from None
        body = response.body
        if body is None or body.code != "OK":
            log.warning("SMS %s refused by the provider: %s", template, getattr(body, "code", None))
            raise unavailable()

    def _call(self, request: Any) -> Any:  # noqa: ANN401 - the SDK's request and response models
        """The SDK's async call, on a short-lived loop in a worker thread.

        For every call the SDK builds a new aiohttp session and TLS context, loading certifi's CA bundle:
        50-130 ms of CPU that would stall every socket on the app's loop.
        """
        from darabonba.runtime import RuntimeOptions

        async def call() -> Any:  # noqa: ANN401
            async with asyncio.timeout(self.timeout):
                return await self._client.send_sms_with_options_async(request, RuntimeOptions())

        return asyncio.run(call())


@dataclass
class CaptureSmsSender:
    """Test sender: keeps every message (as `(phone, text)` in `sent`) so a test can read the code."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    # Template name and parameters of each message in `sent`, in the same order.
    messages: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # Every code any capture sender was given in this process: the test run's log scan looks for them.
    issued_codes: ClassVar[set[str]] = set()

    async def send_code(self, phone: str, purpose: str, code: str) -> None:
        _check_purpose(purpose)
        CaptureSmsSender.issued_codes.add(code)
        self._keep(phone, purpose, {"code": code}, f"Courtyard {purpose} code {code}, valid for 5 minutes.")

    async def send_notice(self, phone: str, *, subject: str, status: str) -> None:
        params = _notice_params(subject, status)
        self._keep(phone, "notice", params, f"Courtyard: {subject} {status}")

    def _keep(self, phone: str, template: str, params: dict[str, str], text: str) -> None:
        self.sent.append((phone, text))
        self.messages.append((template, params))

    def last_code(self, phone: str) -> str:
        for (to, _), (_, params) in zip(reversed(self.sent), reversed(self.messages), strict=True):
            if to == phone and "code" in params:
                return params["code"]
        raise LookupError(phone)


def build_sms_sender(settings: Settings, backend: str | None = None) -> SmsSender:
    """The sender for `backend` (default: the configured one); the stand-in gets the same SDK calls as Alibaba."""
    if (backend or settings.sms_backend) == "capture":
        return CaptureSmsSender()
    return AliyunSmsSender.from_settings(settings)
