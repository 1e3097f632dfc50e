"""JWT access tokens (15 min, HS256 pinned, typ/aud/iss checked) and opaque refresh tokens."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

from backend.core.errors import DomainError
from backend.domains.auth.errors import AuthCode
from backend.settings import get_settings

ALGORITHM = "HS256"
ACCESS_TYP = "access"


def issue_access(*, user_id: int, session_id: str, company_id: int | None) -> str:
    s = get_settings()
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "sid": session_id,
        "cid": company_id,
        "typ": ACCESS_TYP,
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": now,
        "exp": now + s.access_token_ttl,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, s.secret_key, algorithm=ALGORITHM)


# Tokens whose signature and claims were verified, by (key, token): the live sockets of one caller present the same
# token at every event, and verifying its signature again each time was most of re-checking a board's members.
# Only a verified token gets in; its expiry is checked at every use; the session behind it is still read from the
# database each time (revocations apply at once). Bounded: the oldest half goes when it is full.
_VERIFIED: dict[tuple[str, str, str, str], dict[str, Any]] = {}
VERIFIED_KEPT = 20_000


def decode_access(token: str) -> dict[str, Any]:
    """Verify an access token; TOKEN_EXPIRED or TOKEN_INVALID otherwise."""
    s = get_settings()
    if len(token) > 4096:
        raise DomainError(AuthCode.TOKEN_INVALID, "Token too long")
    key = (s.secret_key, s.jwt_audience, s.jwt_issuer, token)
    known = _VERIFIED.get(key)
    if known is not None:
        if known["exp"] <= time.time():
            raise DomainError(AuthCode.TOKEN_EXPIRED, "The access token has expired")
        return dict(known)
    claims = _verify(token, s)
    if len(_VERIFIED) >= VERIFIED_KEPT:
        for old in list(_VERIFIED)[: VERIFIED_KEPT // 2]:
            del _VERIFIED[old]
    _VERIFIED[key] = dict(claims)
    return claims


def _verify(token: str, s: Any) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            s.secret_key,
            algorithms=[ALGORITHM],
            audience=s.jwt_audience,
            issuer=s.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "typ", "aud", "iss", "sid"]},
        )
    except jwt.ExpiredSignatureError:
        raise DomainError(AuthCode.TOKEN_EXPIRED, "The access token has expired") from None
    except jwt.PyJWTError:
        raise DomainError(AuthCode.TOKEN_INVALID, "The access token is not valid") from None
    if claims.get("typ") != ACCESS_TYP or not str(claims.get("sub", "")).isdigit():
        raise DomainError(AuthCode.TOKEN_INVALID, "The access token is not valid")
    cid = claims.get("cid")
    if cid is not None and not isinstance(cid, int):
        raise DomainError(AuthCode.TOKEN_INVALID, "The access token is not valid")
    return claims


def new_refresh_token(session_id: str) -> str:
    return f"rt.{session_id}.{secrets.token_urlsafe(32)}"


def new_session_id() -> str:
    return secrets.token_hex(16)
