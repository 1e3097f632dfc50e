"""Sign-in: passwords, SMS codes, WeChat; sessions with rotated refresh tokens; the request principal."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend.core import orm, validate
from backend.core.context import Principal
from backend.core.crypto import keyed_hash, phone_hash, seal_phone, token_hash
from backend.core.errors import Codes, DomainError
from backend.core.orm import column
from backend.core.passwords import hash_password, validate_password_strength, verify_password
from backend.core.permissions import Perm
from backend.core.ratelimit import Rule
from backend.core.runtime import get_runtime
from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import Role, StaffMember, User
from backend.domains.auth import tokens
from backend.domains.auth.errors import AuthCode
from backend.domains.auth.models import RefreshToken, Session, SmsCode
from backend.domains.auth.sessions import end_other_sessions
from backend.domains.tenancy.models import CompanyStatus
from backend.settings import get_settings

log = logging.getLogger("courtyard.auth")

SMS_TTL = timedelta(minutes=5)
SMS_MAX_TRIES = 5
SMS_PURPOSES = ("login", "reset", "bind", "phone")
# The SMS template each purpose is sent with (core.sms): a new number for an account is confirmed like a WeChat bind.
SMS_TEMPLATES = {"login": "login", "reset": "reset", "bind": "bind", "phone": "bind"}
SMS_PHONE_RULES = (Rule("sms_phone_min", 1, 60), Rule("sms_phone_hour", 5, 3600), Rule("sms_phone_day", 10, 86400))
SMS_IP_RULES = (Rule("sms_ip_hour", 30, 3600), Rule("sms_ip_day", 100, 86400))
# Failed checks of any SMS code of a phone (every purpose), on top of each code's SMS_MAX_TRIES.
SMS_CHECK_PHONE_RULES = (Rule("sms_check_phone", 10, 3600),)
LOGIN_ACCOUNT_RULES = (Rule("login_fail_acct", 5, 900),)
# Failed sign-ins from one address: passwords, SMS codes and WeChat binds share the count.
LOGIN_IP_RULES = (Rule("login_fail_ip", 30, 900),)
RESET_IP_RULES = (Rule("reset_ip", 10, 3600),)  # every password-reset attempt, good or bad
REFRESH_IP_RULES = (Rule("refresh_fail_ip", 30, 900),)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def _now() -> datetime:
    return datetime.now(UTC)


def _ip_key(ip: str) -> str:
    return "ip:" + (ip or "-")


@asynccontextmanager
async def _attempt(key: str, rules: Sequence[Rule], *, field: str | None = None) -> AsyncIterator[None]:
    """Count an attempt before the credential is checked and give it back if the check passes.

    Counting first is what holds the limit under parallel requests: with check-then-count, every request that
    arrives before the first failure is counted passes the check (up to 9 of 30 parallel wrong passwords on one
    account were verified against a limit of 5). A failure, expected or not, keeps its count.
    """
    limiter = get_runtime().limiter
    await limiter.hit(key, rules, field=field)
    yield
    await limiter.refund(key, rules)


async def _default_company(user: User) -> int | None:
    """A staff member signs in to their first active company; owners have none."""
    row = await column(StaffMember.filter(user_id=user.id, is_active=True, company__status=CompanyStatus.ACTIVE)
                       .order_by("id"), "company_id")
    return int(row[0]) if row else None


async def start_session(*, user: User, ip: str = "", user_agent: str = "", company_id: int | None = None) -> TokenPair:
    """Open a session (a refresh-token family) and issue the first token pair."""
    if not user.is_active:
        raise DomainError(AuthCode.ACCOUNT_DISABLED, "This account is disabled")
    if company_id is None:
        company_id = await _default_company(user)
    sid = tokens.new_session_id()
    expires = _now() + timedelta(seconds=get_settings().refresh_token_ttl)
    refresh = tokens.new_refresh_token(sid)
    async with in_transaction():
        await Session.create(
            id=sid, user_id=user.id, company_id=company_id, expires_at=expires, ip=ip[:64], user_agent=user_agent[:255]
        )
        await RefreshToken.create(session_id=sid, token_hash=token_hash(refresh))
    return TokenPair(
        access_token=tokens.issue_access(user_id=user.id, session_id=sid, company_id=company_id),
        refresh_token=refresh,
        expires_in=get_settings().access_token_ttl,
        user=user,
    )


async def _revoke_session(session_id: str, reason: str) -> None:
    await Session.filter(id=session_id, revoked_at=None).update(revoked_at=_now(), revoke_reason=reason)


async def refresh_session(*, refresh_token: str, ip: str = "") -> TokenPair:
    """Rotate a refresh token; presenting a used one revokes its whole family. Failures are limited per IP."""
    async with _attempt(_ip_key(ip), REFRESH_IP_RULES):
        return await _rotate_refresh_token(refresh_token)


async def _rotate_refresh_token(refresh_token: str) -> TokenPair:
    if not isinstance(refresh_token, str) or len(refresh_token) > 200:
        raise DomainError(AuthCode.TOKEN_INVALID, "Unknown refresh token", "refreshToken")
    revoke: tuple[str, str] | None = None  # (session, reason) to end once the savepoint below is rolled back
    try:
        async with in_transaction():
            row = await RefreshToken.filter(token_hash=token_hash(refresh_token)).select_related("session").first()
            if row is None:
                raise DomainError(AuthCode.TOKEN_INVALID, "Unknown refresh token", "refreshToken")
            session: Session = row.session
            if row.used_at is not None:
                revoke = (session.id, "reuse")
                log.warning("refresh token reuse: session %s revoked", session.id)
                raise DomainError(AuthCode.TOKEN_REUSED, "This refresh token was already used", "refreshToken", keep_writes=True)
            if session.revoked_at is not None or session.expires_at <= _now():
                raise DomainError(AuthCode.TOKEN_EXPIRED, "The session has ended", "refreshToken")
            claimed = await RefreshToken.filter(id=row.id, used_at=None).update(used_at=_now())
            if claimed != 1:  # a concurrent refresh won the race: treat as reuse
                revoke = (session.id, "reuse")
                raise DomainError(AuthCode.TOKEN_REUSED, "This refresh token was already used", "refreshToken", keep_writes=True)
            user = await User.get(id=session.user_id)
            if not user.is_active:
                revoke = (session.id, "disabled")
                raise DomainError(AuthCode.ACCOUNT_DISABLED, "This account is disabled", keep_writes=True)
            new_refresh = tokens.new_refresh_token(session.id)
            await RefreshToken.create(session_id=session.id, token_hash=token_hash(new_refresh))
    except DomainError:
        if revoke is not None:  # the error rolled the savepoint back; keep_writes lets run_mutation commit this
            await _revoke_session(*revoke)
        raise
    return TokenPair(
        access_token=tokens.issue_access(user_id=user.id, session_id=session.id, company_id=session.company_id),
        refresh_token=new_refresh,
        expires_in=get_settings().access_token_ttl,
        user=user,
    )


async def logout(*, session_id: str) -> None:
    """End the caller's session: its access and refresh tokens stop working at once."""
    await _revoke_session(session_id, "logout")


async def logout_everywhere(*, user_id: int) -> int:
    """End every session of the caller, this one included; returns how many ended."""
    return await end_other_sessions(user_id=user_id, keep_session_id=None, reason="logout_all")


async def change_phone(*, user_id: int, session_id: str, phone: str, code: str) -> User:
    """Move the caller's account to a new number, proven by the code sent to it (purpose "phone"); the account's other
    sessions end, this one stays. A number that has an account of its own is refused (PHONE_TAKEN), after its code."""
    normalized = accounts.clean_phone(phone)
    user = await User.get(id=user_id)
    h = phone_hash(normalized)
    if h == user.phone_hash:
        raise DomainError(Codes.INVALID, "This is already your number", "phone")
    await _consume_sms_code(phone=normalized, code=code, purpose="phone")
    if await User.filter(phone_hash=h).exists():
        raise DomainError(AuthCode.PHONE_TAKEN, "This number has an account of its own", "phone")
    sealed, _ = seal_phone(normalized)
    try:
        async with in_transaction():
            # Conditional on the number the code was checked against the account's: of two changes at once, one wins.
            changed = await User.filter(id=user_id, phone_hash=user.phone_hash).update(
                phone_hash=h, phone_enc=sealed, updated_at=_now())
            if not changed:
                raise DomainError(Codes.DUPLICATE, "Your number changed meanwhile; try again", "phone")
            await end_other_sessions(user_id=user_id, keep_session_id=session_id, reason="phone_change")
    except IntegrityError:  # the unique phone_hash: someone took the number between the check and the update
        raise DomainError(AuthCode.PHONE_TAKEN, "This number has an account of its own", "phone") from None
    user.phone_hash, user.phone_enc = h, sealed
    return user


async def switch_company(*, principal: Principal, company_id: int) -> TokenPair:
    """Point the caller's session at another company they work for."""
    ok = await StaffMember.filter(
        user_id=principal.user_id, company_id=company_id, is_active=True, company__status=CompanyStatus.ACTIVE
    ).exists()
    if not ok:
        raise DomainError(Codes.FORBIDDEN, "You do not work for that company", "companyId")
    await Session.filter(id=principal.session_id).update(company_id=company_id)
    user = await User.get(id=principal.user_id)
    return TokenPair(
        access_token=tokens.issue_access(user_id=user.id, session_id=principal.session_id, company_id=company_id),
        refresh_token="",
        expires_in=get_settings().access_token_ttl,
        user=user,
    )


async def send_sms_code(*, phone: str, purpose: str, ip: str, user_id: int | None = None) -> None:
    """Send a 6-digit code; limited per phone (1/min, 5/h, 10/day) and per IP. A code for a new number (purpose
    "phone") is only sent for a signed-in person (`user_id`)."""
    if purpose not in SMS_PURPOSES:
        raise DomainError(Codes.INVALID, "Unknown purpose", "purpose")
    if purpose == "phone" and user_id is None:
        raise DomainError(Codes.UNAUTHENTICATED, "Sign in first")
    normalized = accounts.clean_phone(phone)
    limiter = get_runtime().limiter
    h = phone_hash(normalized)
    await limiter.hit("ip:" + (ip or "-"), SMS_IP_RULES)
    await limiter.hit("phone:" + h, SMS_PHONE_RULES)
    code = f"{secrets.randbelow(10**6):06d}"
    async with in_transaction():
        await SmsCode.filter(phone_hash=h, purpose=purpose, consumed_at=None).update(consumed_at=_now())
        await SmsCode.create(
            phone_hash=h, purpose=purpose, code_hash=keyed_hash(code, "sms"), expires_at=_now() + SMS_TTL
        )
    await get_runtime().sms.send_code(normalized, SMS_TEMPLATES[purpose], code)


async def _consume_sms_code(*, phone: str, code: str, purpose: str) -> None:
    """Spend the phone's live code for `purpose`; each check takes one of its tries, and the last wrong one burns it."""
    h = phone_hash(phone)
    async with _attempt("phone:" + h, SMS_CHECK_PHONE_RULES, field="code"):
        row = await SmsCode.filter(phone_hash=h, purpose=purpose, consumed_at=None).order_by("-id").first()
        if row is None or row.expires_at <= _now():
            raise DomainError(AuthCode.CODE_EXPIRED, "Request a new code", "code")
        # Take the try before comparing, in one conditional UPDATE, so that the database hands out the tries: with
        # read, compare, write attempts + 1, 13 to 25 of 30 parallel guesses were compared. The UPDATE waits for
        # the row lock of a concurrent check and then re-evaluates its WHERE on the committed row, under
        # PostgreSQL's READ COMMITTED and MariaDB's REPEATABLE READ alike; SQLite runs one transaction at a time.
        taken = await SmsCode.filter(id=row.id, consumed_at=None, attempts__lt=SMS_MAX_TRIES).update(
            attempts=F("attempts") + 1
        )
        if taken != 1:
            raise DomainError(AuthCode.CODE_EXPIRED, "Request a new code", "code")
        if not isinstance(code, str) or not secrets.compare_digest(row.code_hash, keyed_hash(code.strip(), "sms")):
            await SmsCode.filter(id=row.id, consumed_at=None, attempts__gte=SMS_MAX_TRIES).update(consumed_at=_now())
            raise DomainError(AuthCode.CODE_INVALID, "Wrong code", "code", keep_writes=True)  # keep the try
        claimed = await SmsCode.filter(id=row.id, consumed_at=None).update(consumed_at=_now())
        if claimed != 1:
            raise DomainError(AuthCode.CODE_EXPIRED, "Request a new code", "code")


async def login_password(*, phone: str, password: str, ip: str = "", user_agent: str = "") -> TokenPair:
    """Password sign-in, limited per account and per IP on failures."""
    normalized = accounts.clean_phone(phone)
    limiter = get_runtime().limiter
    acct_key, ip_key = "acct:" + phone_hash(normalized), _ip_key(ip)
    # Both attempts are counted before the password is checked (see _attempt); a good sign-in gives them back.
    try:
        await limiter.hit(acct_key, LOGIN_ACCOUNT_RULES)
    except DomainError:
        raise DomainError(AuthCode.ACCOUNT_LOCKED, "Too many failed sign-ins; try again later") from None
    try:
        await limiter.hit(ip_key, LOGIN_IP_RULES)
    except DomainError:
        await limiter.refund(acct_key, LOGIN_ACCOUNT_RULES)  # nothing was checked against the account
        raise DomainError(Codes.RATE_LIMITED, "Too many failed sign-ins from this address") from None
    user = await accounts.find_user_by_phone(phone=normalized)
    ok = user is not None and bool(user.password_hash) and await verify_password(user.password_hash or "",
                                                                                  password or "")
    if not ok:
        if user is None:  # spend the same time so a wrong phone cannot be told from a wrong password
            await verify_password(_DUMMY_HASH[0] or await _dummy_hash(), password or "")
        raise DomainError(AuthCode.INVALID_CREDENTIALS, "Wrong phone number or password")
    assert user is not None
    await limiter.reset(acct_key, LOGIN_ACCOUNT_RULES)  # the owner is back: earlier failures no longer count
    await limiter.refund(ip_key, LOGIN_IP_RULES)
    return await start_session(user=user, ip=ip, user_agent=user_agent)


_DUMMY_HASH: list[str] = [""]


async def _dummy_hash() -> str:
    _DUMMY_HASH[0] = await hash_password(secrets.token_hex(16))
    return _DUMMY_HASH[0]


async def login_sms(*, phone: str, code: str, ip: str = "", user_agent: str = "") -> TokenPair:
    """Phone + SMS code sign-in; a new phone number becomes a new owner account."""
    normalized = accounts.clean_phone(phone)
    async with _attempt(_ip_key(ip), LOGIN_IP_RULES):
        await _consume_sms_code(phone=normalized, code=code, purpose="login")
    user = await accounts.get_or_create_user(phone=normalized, name="")
    return await start_session(user=user, ip=ip, user_agent=user_agent)


async def reset_password(*, phone: str, code: str, new_password: str, ip: str = "") -> None:
    """Set a new password with an SMS code; every open session of the account ends."""
    normalized = accounts.clean_phone(phone)
    validate_password_strength(new_password)
    await get_runtime().limiter.hit(_ip_key(ip), RESET_IP_RULES)
    await _consume_sms_code(phone=normalized, code=code, purpose="reset")
    user = await accounts.find_user_by_phone(phone=normalized)
    if user is None:
        raise DomainError(Codes.NOT_FOUND, "No account with this phone number", "phone")
    user.password_hash = await hash_password(new_password)
    await user.save(update_fields=["password_hash", "updated_at"])
    await Session.filter(user_id=user.id, revoked_at=None).update(revoked_at=_now(), revoke_reason="password")


async def wechat_session(*, code: str) -> str:
    """Exchange a mini-program login code for the user's openid (the real jscode2session call)."""
    s = get_settings()
    if not code or len(code) > 128:
        raise DomainError(Codes.INVALID, "Missing login code", "code")
    try:
        resp = await get_runtime().http.get(
            f"{s.wechat_api_base}/sns/jscode2session",
            params={"appid": s.wechat_appid, "secret": s.wechat_secret, "js_code": code, "grant_type": "authorization_code"},
        )
        data = resp.json()
    except Exception:  # noqa: BLE001 - any transport or decoding failure means WeChat is unavailable
        log.exception("jscode2session failed")
        raise DomainError(AuthCode.WECHAT_UNAVAILABLE, "WeChat did not answer; try again") from None
    if data.get("errcode") or not data.get("openid"):
        raise DomainError(AuthCode.WECHAT_CODE_INVALID, "WeChat refused the login code", "code")
    return str(data["openid"])


async def login_wechat(
    *, code: str, phone: str | None = None, sms_code: str | None = None, ip: str = "", user_agent: str = ""
) -> TokenPair:
    """WeChat sign-in; the first time, a phone + SMS code ties the openid to an account."""
    openid = await wechat_session(code=code)
    user = await User.filter(wechat_openid=openid).first()
    if user is None:
        if not phone or not sms_code:
            raise DomainError(AuthCode.WECHAT_NOT_BOUND, "Confirm your phone number to finish signing in", "phone")
        normalized = accounts.clean_phone(phone)
        async with _attempt(_ip_key(ip), LOGIN_IP_RULES):
            await _consume_sms_code(phone=normalized, code=sms_code, purpose="bind")
        user = await accounts.get_or_create_user(phone=normalized, name="")
        if user.wechat_openid and user.wechat_openid != openid:
            raise DomainError(Codes.DUPLICATE, "This phone is tied to another WeChat account", "phone")
        user.wechat_openid = openid
        await user.save(update_fields=["wechat_openid", "updated_at"])
        # A new way to sign in is a credential change: sessions opened before it end.
        await end_other_sessions(user_id=user.id, keep_session_id=None, reason="wechat-bound")
    return await start_session(user=user, ip=ip, user_agent=user_agent)


# The caller's session, account and staff grants in the session's company, in one statement built once (core.orm):
# it runs on every request and every live event. Grants of an inactive membership or a suspended company are dropped
# in _principal_rows.
_PRINCIPAL_SQL = (
    'SELECT s."id" AS sid, s."user_id", s."revoked_at", s."expires_at", s."company_id", u."is_active", '
    'u."is_platform_admin", m."id" AS staff_id, m."is_active" AS staff_active, c."status" AS company_status, '
    'r."code" AS role_code, r."permissions" AS role_permissions, g."community_id" '
    'FROM "auth_session" s JOIN "user_account" u ON u."id" = s."user_id" '
    'LEFT JOIN "staff_member" m ON m."user_id" = s."user_id" AND m."company_id" = s."company_id" '
    'LEFT JOIN "staff_grant" g ON g."staff_id" = m."id" '
    'LEFT JOIN "company" c ON c."id" = g."company_id" '
    'LEFT JOIN "role" r ON r."id" = g."role_id" '
    'WHERE s."id" IN ({})'
)


async def _principal_rows(session_ids: list[str]) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Per session id: (the session with its user's flags, the grant rows that count), in one statement."""
    session_fields = Session._meta.fields_map
    permissions = Role._meta.fields_map["permissions"]
    out: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for row in await orm.fetch(Session._meta.db, _PRINCIPAL_SQL.format(orm.placeholders(len(session_ids))),
                               session_ids):
        sid = str(row["sid"])
        if sid not in out:
            out[sid] = ({
                "user_id": row["user_id"],
                "revoked_at": session_fields["revoked_at"].to_python_value(row["revoked_at"]),
                "expires_at": session_fields["expires_at"].to_python_value(row["expires_at"]),
                "company_id": row["company_id"],
                "user__is_active": bool(row["is_active"]),
                "user__is_platform_admin": bool(row["is_platform_admin"]),
            }, [])
        if row["role_code"] is not None and row["staff_active"] and row["company_status"] == CompanyStatus.ACTIVE:
            out[sid][1].append({"staff_id": row["staff_id"], "role__code": row["role_code"],
                                "role__permissions": permissions.to_python_value(row["role_permissions"]),
                                "community_id": row["community_id"]})
    return out


def _principal(claims: dict[str, Any], session: dict[str, Any] | None, grant_rows: list[dict[str, Any]]) -> Principal:
    """The caller of verified token claims, from their session row and their staff grants in the token's company."""
    user_id, sid, cid = int(claims["sub"]), str(claims["sid"]), claims.get("cid")
    if session is None or session["user_id"] != user_id or session["revoked_at"] is not None or validate.aware(
            session["expires_at"]) <= _now():
        raise DomainError(AuthCode.TOKEN_REVOKED, "This session has ended")
    if not session["user__is_active"]:
        raise DomainError(AuthCode.ACCOUNT_DISABLED, "This account is disabled")
    if cid != session["company_id"]:
        raise DomainError(AuthCode.TOKEN_INVALID, "The access token is not valid")
    grants: dict[Perm, frozenset[int] | None] = {}
    codes: list[str] = []
    staff_id = None
    if cid is not None:
        wide: set[Perm] = set()
        partial: dict[Perm, set[int]] = {}
        for r in grant_rows:
            staff_id = r["staff_id"]
            codes.append(r["role__code"])
            for name in r["role__permissions"] or []:
                try:
                    perm = Perm(name)
                except ValueError:
                    continue
                if r["community_id"] is None:
                    wide.add(perm)
                else:
                    partial.setdefault(perm, set()).add(r["community_id"])
        for perm in wide:
            grants[perm] = None
        for perm, ids in partial.items():
            if perm not in grants:
                grants[perm] = frozenset(ids)
    return Principal(
        user_id=user_id,
        session_id=sid,
        company_id=cid if staff_id is not None else None,
        is_platform_admin=bool(session["user__is_platform_admin"]),
        staff_id=staff_id,
        grants=grants,
        role_codes=tuple(dict.fromkeys(codes)),
    )


async def load_principal(token: str) -> Principal:
    """Verify the access token and load the caller from the database (1 statement)."""
    claims = tokens.decode_access(token)
    found = (await _principal_rows([str(claims["sid"])])).get(str(claims["sid"]))
    return _principal(claims, found[0] if found else None, found[1] if found else [])


async def authenticate_many(authorizations: list[str | None]) -> list[tuple[Principal | None, str | None]]:
    """authenticate() for many callers at once, in 1 statement whatever their number: the live sockets that
    handle one event re-check their callers together (each against the state committed before the event)."""
    out: list[tuple[Principal | None, str | None]] = [(None, None)] * len(authorizations)
    claims_at: dict[int, dict[str, Any]] = {}
    for i, authorization in enumerate(authorizations):
        if not authorization:
            continue
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            out[i] = (None, "TOKEN_INVALID")
            continue
        try:
            claims_at[i] = tokens.decode_access(token.strip())
        except DomainError as exc:
            out[i] = (None, exc.code)
    if not claims_at:
        return out
    found = await _principal_rows(list({str(c["sid"]) for c in claims_at.values()}))
    for i, claims in claims_at.items():
        session, grant_rows = found.get(str(claims["sid"]), (None, []))
        try:
            out[i] = (_principal(claims, session, grant_rows), None)
        except DomainError as exc:
            out[i] = (None, exc.code)
    return out


async def authenticate(authorization: str | None) -> tuple[Principal | None, str | None]:
    """(principal, None) for a good bearer token, (None, code) for a bad one, (None, None) for none."""
    if not authorization:
        return None, None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "TOKEN_INVALID"
    try:
        return await load_principal(token.strip()), None
    except DomainError as exc:
        return None, exc.code
