"""Expected failures: DomainError carries a stable code that payloads expose as an enum value."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure a client can act on: `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str = "", field: str | None = None, *, keep_writes: bool = False) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code.replace("_", " ").capitalize()
        self.field = field
        # True when the writes made before the failure must commit anyway (a wrong SMS code's attempt, a
        # revoked token family): run_mutation otherwise rolls them back with the rest.
        self.keep_writes = keep_writes


class Codes:
    """Codes shared by every domain's error enum."""

    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_PHONE = "INVALID_PHONE"
    WEAK_PASSWORD = "WEAK_PASSWORD"  # core.passwords: every domain that takes a password answers it


COMMON_CODES: tuple[str, ...] = tuple(v for k, v in vars(Codes).items() if k.isupper())


def not_found(field: str | None = None) -> DomainError:
    return DomainError(Codes.NOT_FOUND, "Not found", field)


def forbidden(message: str = "You may not do this") -> DomainError:
    return DomainError(Codes.FORBIDDEN, message)
