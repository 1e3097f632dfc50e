"""Why a bindings and households mutation is refused: the codes the residents service raises, exposed as `ResidentErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class ResidentCode(StrEnum):
    """The residents domain's own error codes."""

    NOT_PENDING = "NOT_PENDING"
    NOT_BOUND = "NOT_BOUND"  # staff unbind a binding that is not (or no longer) approved
    # staff add an owner whose phone already has an account their company does not know: binding it would show them
    # the person's own name for any number they type; the person asks for the unit in the app, staff approve it
    HAS_ACCOUNT = "HAS_ACCOUNT"
