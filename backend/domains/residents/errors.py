"""Why a bindings and households mutation is refused: the codes the residents service raises, exposed as `ResidentErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class ResidentCode(StrEnum):
    """The residents domain's own error codes."""

    NOT_PENDING = "NOT_PENDING"
    NOT_BOUND = "NOT_BOUND"  # staff unbind a binding that is not (or no longer) approved
