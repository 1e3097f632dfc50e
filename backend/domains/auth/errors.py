"""Why a signing in, tokens and credentials mutation is refused: the codes the auth service raises, exposed as `AuthErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum

from backend.core.sms import SMS_UNAVAILABLE


class AuthCode(StrEnum):
    """The auth domain's own error codes."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    CODE_INVALID = "CODE_INVALID"
    CODE_EXPIRED = "CODE_EXPIRED"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_REUSED = "TOKEN_REUSED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    WECHAT_NOT_BOUND = "WECHAT_NOT_BOUND"
    WECHAT_CODE_INVALID = "WECHAT_CODE_INVALID"
    WECHAT_UNAVAILABLE = "WECHAT_UNAVAILABLE"
    PHONE_TAKEN = "PHONE_TAKEN"  # authPhoneChange: the new number has an account of its own (told only after its code)
    SMS_UNAVAILABLE = SMS_UNAVAILABLE  # raised by core.sms
