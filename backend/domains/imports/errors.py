"""Why a spreadsheet imports mutation is refused: the codes the imports service raises, exposed as `ImportErrorCode`
(with the common codes of core.errors.Codes)."""

from __future__ import annotations

from enum import StrEnum


class ImportCode(StrEnum):
    """The imports domain's own error codes."""

    NOT_XLSX = "NOT_XLSX"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    EMPTY_FILE = "EMPTY_FILE"
    BAD_HEADER = "BAD_HEADER"
    HAS_ERRORS = "HAS_ERRORS"
    IN_PROGRESS = "IN_PROGRESS"
    IMPORT_FAILED = "IMPORT_FAILED"
