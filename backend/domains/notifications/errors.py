"""Why a in-app messages mutation is refused: the codes the notifications service raises, exposed as `NotificationErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class NotificationCode(StrEnum):
    """The notifications domain's own error codes."""

    # none of its own yet: the common codes cover it
