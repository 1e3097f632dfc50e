"""Credential changes by the signed-in user: the account's other sessions end with them."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core.errors import DomainError
from backend.core.passwords import hash_password, validate_password_strength, verify_password
from backend.core.ratelimit import Rule
from backend.core.runtime import get_runtime
from backend.domains.accounts.models import User
from backend.domains.auth.errors import AuthCode
from backend.domains.auth.models import Session

# Wrong current passwords per account: a stolen session must not become a password oracle.
PASSWORD_CHANGE_RULES = (Rule("password_change_acct", 5, 900),)


async def end_other_sessions(*, user_id: int, keep_session_id: str | None, reason: str) -> int:
    """End every open session of the user except `keep_session_id` (None: all); returns how many ended."""
    qs = Session.filter(user_id=user_id, revoked_at=None)
    if keep_session_id is not None:
        qs = qs.exclude(id=keep_session_id)
    return await qs.update(revoked_at=datetime.now(UTC), revoke_reason=reason[:32])


async def change_password(*, user_id: int, session_id: str, current_password: str, new_password: str) -> None:
    """Set a new password after checking the current one; every other session of the account ends, this one stays."""
    try:
        validate_password_strength(new_password)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, "newPassword") from None
    limiter = get_runtime().limiter
    key = f"user:{user_id}"
    # Counted before the check (parallel guesses cannot all pass a peek) and given back when it succeeds.
    await limiter.hit(key, PASSWORD_CHANGE_RULES, field="currentPassword")
    user = await User.get(id=user_id)
    if not (user.password_hash and await verify_password(user.password_hash, current_password or "")):
        raise DomainError(AuthCode.INVALID_CREDENTIALS, "The current password is wrong", "currentPassword")
    await limiter.refund(key, PASSWORD_CHANGE_RULES)
    user.password_hash = await hash_password(new_password)
    await user.save(update_fields=["password_hash", "updated_at"])
    await end_other_sessions(user_id=user_id, keep_session_id=session_id, reason="password_change")

