"""Why a trusted-document mutation is refused: the codes the trusted service raises, exposed as
`TrustedDocumentErrorCode` (with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class TrustedCode(StrEnum):
    """The trusted domain's own error codes."""

    INVALID_DOCUMENT = "INVALID_DOCUMENT"  # does not parse, is over the query budget or does not validate
