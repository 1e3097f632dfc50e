"""Logs hold no mobile numbers, codes or tokens: the scanner, the redaction filter, a whole sign-in flow, prod SMS."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from backend.core.logging import JsonFormatter, RedactFilter, redact
from backend.settings import SMS_DEV_KEY_SECRET, SettingsError, load_settings
from tests.domains.auth.test_login import (
    PASSWORD_LOGIN,
    PASSWORD_RESET,
    REFRESH,
    SMS_LOGIN,
    SMS_SEND,
)
from tests.factories import make_user, next_phone
from tests.support.live_server import check_log_for_secrets
from tests.support.secrets_scan import capture_logs, scan_line, scan_text

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInNpZCI6ImFiYyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
REFRESH_TOKEN = "rt.0123456789abcdef0123456789abcdef.Zm9vYmFyYmF6cXV4LWZvb2Jhcg"


@pytest.mark.parametrize("line", [
    "SMS to 13812345678: Courtyard code 123456",
    "phone=+8613812345678",
    '{"msg": "user 8613812345678 signed in"}',
    f"Authorization: Bearer {JWT}",
    f"token {JWT[:60]}",  # cut short
    f"refresh {REFRESH_TOKEN}",
])
def test_the_scanner_finds_numbers_and_tokens(line: str) -> None:
    assert scan_line(line), line


@pytest.mark.parametrize("line", [
    "SMS to 138****5678: code ***",
    "took 1732000000000 ms",  # a 13-digit timestamp is not a mobile
    "id 12345678901",  # 11 digits that are not a mainland mobile (12…)
    "order 1381234567 and 138123456789",  # 10 and 12 digits
    "eyJ*** and Bearer ***",
    "rt.*** session 0123456789abcdef0123456789abcdef revoked",
    "POST /graphql 200 in 123456 us",  # six digits that were never sent as a code
    '"request_id": "29d3e17289944096"',  # digits inside a hex id
    "session 13812345678abcdef0123456789abcdef revoked",
])
def test_the_scanner_leaves_harmless_lines_alone(line: str) -> None:
    assert scan_line(line) == []


def test_the_scanner_finds_a_sent_code_only_as_a_whole_number() -> None:
    assert [f.kind for f in scan_line("your code is 482913.", {"482913"})] == ["SMS code"]
    assert scan_line("biz 1482913 and 4829130 and id a482913f", {"482913"}) == []
    assert [f.kind for f in scan_text("a\nb 482913\nc", {"482913"})] == ["SMS code"]


def test_a_server_log_with_a_code_from_its_outbox_fails_at_stop(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    (tmp_path / "sms-outbox.jsonl").write_text(json.dumps({"params": {"code": "604211"}}) + "\n")
    log.write_text('{"msg": "SMS stand-in took a login message for 138****5678"}\n')
    check_log_for_secrets(log, tmp_path)
    log.write_text('{"msg": "checking code 604211"}\n')
    with pytest.raises(AssertionError, match="SMS code"):
        check_log_for_secrets(log, tmp_path)
    log.write_text('{"msg": "user 13812345678"}\n')
    with pytest.raises(AssertionError, match="mobile number"):
        check_log_for_secrets(log, tmp_path)


@pytest.mark.parametrize(("raw", "masked"), [
    ("SMS to 13812345678: Courtyard code 123456, valid", "SMS to 138****5678: Courtyard code ***, valid"),
    ("+86 13812345678", "138****5678"),
    (f"Bearer {JWT}", "Bearer ***"),
    (f"got {JWT}", "got eyJ***"),
    (f"refresh {REFRESH_TOKEN}", "refresh rt.***"),
    ('password=hunter2 "refreshToken": "abc-def" secret: s3', 'password=*** "refreshToken": "***" secret: ***'),
    ("code=482913 js_code=0a3Xb9", "code=*** js_code=***"),
    ("验证码：482913", "验证码：***"),
    ("手机13812345678", "手机138****5678"),
    ("request 29d3e17289944096", "request 29d3e17289944096"),
    # error codes and statuses stay readable
    ("error code TOKEN_INVALID; code=CODE_EXPIRED status_code=429", "error code TOKEN_INVALID; code=CODE_EXPIRED status_code=429"),
])
def test_redact_masks_numbers_tokens_and_secret_values(raw: str, masked: str) -> None:
    assert redact(raw) == masked


def test_the_redaction_filter_masks_message_extras_and_exception() -> None:
    # a private logger: this test logs secrets on purpose, and the run's scan must not see them
    logger = logging.getLogger("tests.redaction")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("bad refresh " + REFRESH_TOKEN)
        except ValueError:
            logger.exception("sign-in for %s with code %s", "13812345678", "482913",
                             extra={"phone": "13812345678", "code": "482913", "access_token": JWT,
                                    "detail": {"password": "hunter2", "to": ["13812345678"]}, "status": 200})
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    line = stream.getvalue()
    entry = json.loads(line)
    assert entry["msg"] == "sign-in for 138****5678 with code ***"
    assert (entry["phone"], entry["code"], entry["access_token"]) == ("138****5678", "***", "***")
    assert entry["detail"] == {"password": "***", "to": ["138****5678"]} and entry["status"] == 200
    assert "rt.***" in entry["exc"] and entry["exc_type"] == "ValueError"
    assert scan_text(line, {"482913"}) == []


async def test_sign_in_reset_refresh_and_a_failure_leave_no_secrets_in_the_logs(api, sms):
    phone, other = next_phone(), next_phone()  # codes go out once a minute per phone: one for each flow
    await make_user("Log Test", phone=phone, password="Corr3ct-horse")
    await make_user("Reset Test", phone=other, password="Corr3ct-horse")
    seen: list[str] = []
    with capture_logs(logging.DEBUG) as logs:
        # sign in by SMS
        assert (await api.gql(SMS_SEND, {"phone": phone, "purpose": "LOGIN"}))["authSmsSend"]["errors"] == []
        code = sms.last_code(phone)
        signed_in = (await api.gql(SMS_LOGIN, {"phone": phone, "code": code}))["authSmsLogin"]
        assert signed_in["errors"] == []
        # a wrong code, a wrong password
        assert (await api.gql(SMS_LOGIN, {"phone": phone, "code": "000000"}))["authSmsLogin"]["errors"]
        failed = (await api.gql(PASSWORD_LOGIN, {"phone": phone, "password": "wrong-password"}))["authPasswordLogin"]
        assert [e["code"] for e in failed["errors"]] == ["INVALID_CREDENTIALS"]
        # refresh, then present the used refresh token again (reuse revokes the family, and is logged)
        refreshed = (await api.gql(REFRESH, {"refreshToken": signed_in["tokens"]["refreshToken"]}))["authRefresh"]
        assert refreshed["errors"] == []
        reused = (await api.gql(REFRESH, {"refreshToken": signed_in["tokens"]["refreshToken"]}))["authRefresh"]
        assert [e["code"] for e in reused["errors"]] == ["TOKEN_REUSED"]
        # reset a password
        assert (await api.gql(SMS_SEND, {"phone": other, "purpose": "RESET"}))["authSmsSend"]["errors"] == []
        reset_code = sms.last_code(other)
        reset = await api.gql(PASSWORD_RESET, {"phone": other, "code": reset_code, "newPassword": "N3w-password!"})
        assert reset["authPasswordReset"] == {"ok": True, "errors": []}
        seen = [phone, phone[-8:], other, other[-8:], code, reset_code, signed_in["tokens"]["accessToken"],
                signed_in["tokens"]["refreshToken"], refreshed["tokens"]["accessToken"],
                refreshed["tokens"]["refreshToken"], "Corr3ct-horse", "wrong-password", "N3w-password!"]
    text = logs.text()
    assert "POST /graphql 200" in text and "refresh token reuse" in text  # the capture did see the flow
    leaked = [value for value in seen if value in text]
    assert leaked == [], leaked
    assert scan_text(text, {code, reset_code}) == []


SECRETS = {"SECRET_KEY": "s" * 40, "FIELD_ENCRYPTION_KEY": "A" * 43, "FIELD_HASH_KEY": "B" * 43}
SMS = {"SMS_BACKEND": "aliyun", "SMS_ACCESS_KEY_ID": "LTAI5tExample", "SMS_ACCESS_KEY_SECRET": "a-real-secret",
       "SMS_SIGN_NAME": "阳光物业", "SMS_TEMPLATE_LOGIN": "SMS_1", "SMS_TEMPLATE_RESET": "SMS_2",
       "SMS_TEMPLATE_BIND": "SMS_3", "SMS_TEMPLATE_NOTICE": "SMS_4"}


def test_production_needs_a_real_sms_provider(tmp_path: Path) -> None:
    base = {"COURTYARD_ENV": "prod", "COURTYARD_DATA_DIR": str(tmp_path), **SECRETS}
    with pytest.raises(SettingsError, match="SMS"):
        load_settings(base)
    for backend in ("standin", "capture", "log"):
        with pytest.raises(SettingsError, match="SMS_BACKEND"):
            load_settings({**base, **SMS, "SMS_BACKEND": backend})
    for name in SMS:
        if name != "SMS_BACKEND":
            with pytest.raises(SettingsError, match=name):
                load_settings({**base, **SMS, name: ""})
    with pytest.raises(SettingsError, match="placeholder"):
        load_settings({**base, **SMS, "SMS_ACCESS_KEY_SECRET": SMS_DEV_KEY_SECRET})
    settings = load_settings({**base, **SMS})
    assert (settings.sms_backend, settings.sms_endpoint, settings.sms_sign_name) == (
        "aliyun", "dysmsapi.aliyuncs.com", "阳光物业")
    assert settings.sms_templates == {"login": "SMS_1", "reset": "SMS_2", "bind": "SMS_3", "notice": "SMS_4"}
    # SMS_BACKEND may be left out in production: it can only be aliyun
    assert load_settings({**base, **{k: v for k, v in SMS.items() if k != "SMS_BACKEND"}}).sms_backend == "aliyun"

