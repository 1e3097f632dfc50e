"""The Alibaba Cloud sender through the real SDK, against the dev stand-in on a real port; and the stand-in's checks."""

from __future__ import annotations

import hashlib
import json
import logging
import stat
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from backend.core.errors import DomainError
from backend.core.sms import AliyunSmsSender, CaptureSmsSender
from backend.core.sms_standin import (
    Refused,
    StandinServer,
    _Nonces,
    append_outbox,
    check_message,
    create_standin_app,
    read_outbox,
    sign,
    string_to_sign,
    verify_signature,
)
from backend.settings import SettingsError, load_settings
from tests.support.live_server import free_port, live_server

KEY_ID, SECRET, SIGN_NAME = "test-key-id", "test-key-secret", "物业通知"
TEMPLATES = {"login": "SMS_100001", "reset": "SMS_100002", "bind": "SMS_100003", "notice": "SMS_100004"}
PHONE = "13912345678"


@pytest.fixture
async def standin(tmp_path: Path) -> AsyncIterator[StandinServer]:
    app = create_standin_app(access_key_id=KEY_ID, access_key_secret=SECRET, sign_name=SIGN_NAME,
                             templates=TEMPLATES, outbox=tmp_path / "sms-outbox.jsonl")
    server = StandinServer(app, f"127.0.0.1:{free_port()}", tmp_path / "sms-outbox.jsonl")
    assert await server.start()
    yield server
    await server.stop()


@pytest.fixture
def quiet_sms_log() -> Iterator[list[logging.LogRecord]]:
    """The sender's and stand-in's records, kept here (they mask numbers, but the run's scan need not see them)."""
    logger = logging.getLogger("courtyard.sms")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    logger.propagate, old_level = False, logger.level
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(old_level)


def sender(endpoint: str, secret: str = SECRET, key_id: str = KEY_ID) -> AliyunSmsSender:
    return AliyunSmsSender(access_key_id=key_id, access_key_secret=secret, sign_name=SIGN_NAME,
                           templates=TEMPLATES, endpoint=endpoint, timeout=5.0)


async def test_a_code_goes_through_the_sdk_and_the_standin_records_it(standin, quiet_sms_log):
    # when the production sender sends a login code to the stand-in
    await sender(standin.endpoint).send_code(PHONE, "login", "482913")
    # then the stand-in verified the SDK's signature and recorded the message, owner-only
    [message] = read_outbox(standin.outbox)
    assert (message["phone"], message["template"], message["template_code"], message["params"]) == (
        PHONE, "login", "SMS_100001", {"code": "482913"})
    assert message["sign_name"] == SIGN_NAME and message["biz_id"] and message["request_id"]
    assert stat.S_IMODE(standin.outbox.stat().st_mode) == 0o600
    # and its log line names neither the number nor the code
    logged = " ".join(r.getMessage() for r in quiet_sms_log)
    assert "139****5678" in logged and PHONE not in logged and "482913" not in logged


async def test_a_notice_goes_out_with_its_template_and_parameters(standin, quiet_sms_log):
    await sender(standin.endpoint).send_notice(PHONE, subject="报修 R00000042", status="已完成，欢迎评价")
    [message] = read_outbox(standin.outbox)
    assert (message["template"], message["params"]) == ("notice", {"subject": "报修 R00000042", "status": "已完成，欢迎评价"})


@pytest.mark.parametrize(("secret", "key_id", "refusal"), [
    ("not-the-secret", KEY_ID, "SignatureDoesNotMatch"),
    (SECRET, "someone-else", "InvalidAccessKeyId.NotFound"),
])
async def test_a_wrong_credential_is_refused_and_the_sender_says_sms_unavailable(
        standin, quiet_sms_log, secret, key_id, refusal):
    with pytest.raises(DomainError) as caught:
        await sender(standin.endpoint, secret=secret, key_id=key_id).send_code(PHONE, "login", "482913")
    assert caught.value.code == "SMS_UNAVAILABLE"
    assert read_outbox(standin.outbox) == []
    logged = [r.getMessage() for r in quiet_sms_log]
    assert any(refusal in line for line in logged), logged
    assert not any(PHONE in line or "482913" in line for line in logged)


async def test_a_business_refusal_is_sms_unavailable(standin, quiet_sms_log):
    # the provider answers 200 with a non-OK code for a template it has not approved
    wrong = sender(standin.endpoint)
    wrong.templates["reset"] = "SMS_NOT_APPROVED"
    with pytest.raises(DomainError) as caught:
        await wrong.send_code(PHONE, "reset", "482913")
    assert caught.value.code == "SMS_UNAVAILABLE"
    assert any("isv.SMS_TEMPLATE_ILLEGAL" in r.getMessage() for r in quiet_sms_log)


async def test_nothing_listening_is_sms_unavailable_quickly(quiet_sms_log):
    started = time.monotonic()
    with pytest.raises(DomainError) as caught:
        await sender(f"127.0.0.1:{free_port()}").send_code(PHONE, "bind", "482913")
    assert caught.value.code == "SMS_UNAVAILABLE"
    assert time.monotonic() - started < 5


async def test_a_replayed_request_is_refused(standin, quiet_sms_log, monkeypatch):
    # given a request the SDK signed, copied on its way out
    import aiohttp

    seen: dict[str, object] = {}
    real_request = aiohttp.ClientSession._request

    async def copy(self, method, url, **kwargs):  # noqa: ANN001, ANN202 - aiohttp's signature
        seen.update(url=str(url), headers=dict(kwargs.get("headers") or {}))
        return await real_request(self, method, url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "_request", copy)
    await sender(standin.endpoint).send_code(PHONE, "login", "482913")
    monkeypatch.undo()
    # when it is sent again as it was (by aiohttp too: httpx would log the URL, number and code included)
    async with aiohttp.ClientSession() as client, client.post(str(seen["url"]), headers=seen["headers"]) as again:
        status, answer = again.status, await again.json()
    # then its nonce is spent, and only the first one was taken
    assert (status, answer["Code"]) == (400, "SignatureNonceUsed")
    assert len(read_outbox(standin.outbox)) == 1


def _signed(query: list[tuple[str, str]], *, date: str | None = None, body: bytes = b"",
            signed: list[str] | None = None) -> dict[str, list[str]]:
    headers = {
        "host": ["127.0.0.1:1"], "x-acs-action": ["SendSms"], "x-acs-version": ["2017-05-25"],
        "x-acs-date": [date or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())],
        "x-acs-signature-nonce": [str(time.monotonic_ns())], "x-acs-content-sha256": [hashlib.sha256(body).hexdigest()],
    }
    names = signed or sorted(headers)
    text = string_to_sign(method="POST", path="/", query=query, headers=headers, signed=names,
                          payload_hash=hashlib.sha256(body).hexdigest())
    headers["authorization"] = [
        f"ACS3-HMAC-SHA256 Credential={KEY_ID},SignedHeaders={';'.join(names)},Signature={sign(SECRET, text)}"]
    return headers


QUERY = [("PhoneNumbers", PHONE), ("SignName", SIGN_NAME), ("TemplateCode", "SMS_100001"),
         ("TemplateParam", '{"code":"482913"}')]


def _verify(headers: dict[str, list[str]], query: list[tuple[str, str]] = QUERY, body: bytes = b"") -> None:
    verify_signature(method="POST", path="/", query=query, headers=headers, body=body, access_key_id=KEY_ID,
                     access_key_secret=SECRET, nonces=_Nonces())


def test_the_signature_check_accepts_a_good_request_and_catches_tampering() -> None:
    _verify(_signed(QUERY))
    # a changed parameter
    with pytest.raises(Refused, match="SignatureDoesNotMatch"):
        _verify(_signed(QUERY), query=[*QUERY[:3], ("TemplateParam", '{"code":"000000"}')])
    # a body that is not the one hashed
    with pytest.raises(Refused, match="SignatureDoesNotMatch"):
        _verify(_signed(QUERY), body=b"x")
    # an old request
    with pytest.raises(Refused, match="InvalidTimeStamp.Expired"):
        _verify(_signed(QUERY, date="2020-01-01T00:00:00Z"))
    # a signature that leaves the nonce out
    names = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-version"]
    with pytest.raises(Refused, match="IncompleteSignature"):
        _verify(_signed(QUERY, signed=names))
    # no signature at all
    headers = _signed(QUERY)
    del headers["authorization"]
    with pytest.raises(Refused, match="IncompleteSignature"):
        _verify(headers)


@pytest.mark.parametrize(("change", "code"), [
    (("PhoneNumbers", "12345"), "isv.MOBILE_NUMBER_ILLEGAL"),
    (("SignName", "别的签名"), "isv.SMS_SIGNATURE_ILLEGAL"),
    (("TemplateCode", "SMS_999"), "isv.SMS_TEMPLATE_ILLEGAL"),
    (("TemplateParam", "{not json"), "isv.INVALID_JSON_PARAM"),
    (("TemplateParam", '{"subject":"x","status":"y"}'), "isv.TEMPLATE_MISSING_PARAMETERS"),
])
def test_the_standin_checks_the_message_like_the_provider(change: tuple[str, str], code: str) -> None:
    query = dict(QUERY) | dict([change])
    with pytest.raises(Refused) as caught:
        check_message(query, sign_name=SIGN_NAME, templates=TEMPLATES)
    assert (caught.value.status, caught.value.code) == (200, code)


def test_the_outbox_stays_owner_only_and_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import backend.core.sms_standin as standin_module

    monkeypatch.setattr(standin_module, "OUTBOX_MAX_BYTES", 2000)
    path = tmp_path / "sms-outbox.jsonl"
    for i in range(100):
        append_outbox(path, {"n": i, "pad": "x" * 50})
    kept = read_outbox(path)
    assert kept[-1]["n"] == 99 and len(kept) <= standin_module.OUTBOX_KEEP_LINES and path.stat().st_size < 10_000
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [r["n"] for r in read_outbox(path, 2)] == [98, 99]


async def test_the_capture_sender_keeps_codes_and_notices() -> None:
    capture = CaptureSmsSender()
    await capture.send_code(PHONE, "reset", "271828")
    await capture.send_notice(PHONE, subject="报修 R00000007", status="已完成")
    assert capture.last_code(PHONE) == "271828"
    assert [to for to, _ in capture.sent] == [PHONE, PHONE] and "R00000007" in capture.sent[1][1]
    assert "271828" in CaptureSmsSender.issued_codes
    with pytest.raises(ValueError):
        await capture.send_notice(PHONE, subject="x" * 36, status="已完成")


def test_dev_defaults_to_the_standin_next_to_the_app_port(tmp_path: Path) -> None:
    s = load_settings({"COURTYARD_DATA_DIR": str(tmp_path), "PORT": "9100"})
    assert (s.sms_backend, s.sms_endpoint) == ("standin", "127.0.0.1:9101")
    assert set(s.sms_templates) == {"login", "reset", "bind", "notice"} and all(s.sms_templates.values())
    assert load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path)}).sms_backend == "capture"
    for bad in ({"SMS_BACKEND": "log"}, {"SMS_ENDPOINT": "10.0.0.5:9000"}, {"SMS_ENDPOINT": "http://127.0.0.1:9/"},
                {"SMS_BACKEND": "aliyun"}):
        with pytest.raises(SettingsError):
            load_settings({"COURTYARD_DATA_DIR": str(tmp_path), **bad})


@pytest.mark.slow
def test_the_dev_server_sends_codes_to_its_standin(tmp_path: Path) -> None:
    # given the real server in dev, with its stand-in on a free port
    endpoint = f"127.0.0.1:{free_port()}"
    with live_server({"SMS_ENDPOINT": endpoint}, data_dir=tmp_path) as server, \
            httpx.Client(base_url=server.url, timeout=10) as client:
        # when someone asks for a sign-in code
        sent = client.post("/graphql", json={
            "query": 'mutation { authSmsSend(phone: "13800000001", purpose: LOGIN) { ok errors { code } } }'})
        assert sent.json()["data"]["authSmsSend"] == {"ok": True, "errors": []}
        # then the code is in the outbox, and it signs in
        [message] = read_outbox(tmp_path / "sms-outbox.jsonl")
        assert message["phone"] == "13800000001" and message["template"] == "login"
        login = client.post("/graphql", json={
            "query": "mutation($c: String!) { authSmsLogin(phone: \"13800000001\", code: $c) { errors { code } "
                     "tokens { expiresIn } } }", "variables": {"c": message["params"]["code"]}})
        assert login.json()["data"]["authSmsLogin"] == {"errors": [], "tokens": {"expiresIn": 900}}
        # and the server log says a message arrived, masked
        assert any("138****0001" in line and "stand-in took" in line for line in server.log_lines())
    # (live_server's stop then checks the whole log for the number and the code)
    assert json.loads((tmp_path / "sms-outbox.jsonl").read_text().splitlines()[0])["params"]["code"]
