"""Why a companies, communities, buildings and units mutation is refused: the codes the tenancy service raises, exposed as `TenancyErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class TenancyCode(StrEnum):
    """The tenancy domain's own error codes."""

    IN_USE = "IN_USE"
    ACCOUNT_EXISTS = "ACCOUNT_EXISTS"
