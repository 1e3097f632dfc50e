"""Why a staff accounts, invitations and role templates mutation is refused: the codes the accounts service raises, exposed as `AccountErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class AccountCode(StrEnum):
    """The accounts domain's own error codes."""

    ACCOUNT_EXISTS = "ACCOUNT_EXISTS"
    NOT_PENDING = "NOT_PENDING"
