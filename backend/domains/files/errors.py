"""Why a uploads mutation is refused: the codes the files service raises, exposed as `FileErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class FileCode(StrEnum):
    """The files domain's own error codes."""

    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    EMPTY_FILE = "EMPTY_FILE"
    TOO_MANY_FILES = "TOO_MANY_FILES"
