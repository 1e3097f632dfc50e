"""Why a repair tickets mutation is refused: the codes the repairs service raises, exposed as `RepairErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class RepairCode(StrEnum):
    """The repairs domain's own error codes."""

    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    ALREADY_ASSIGNED = "ALREADY_ASSIGNED"
    ALREADY_RATED = "ALREADY_RATED"
    GRAB_DISABLED = "GRAB_DISABLED"
    REOPEN_WINDOW_PASSED = "REOPEN_WINDOW_PASSED"
    LOCATION_NOT_SHARED = "LOCATION_NOT_SHARED"
