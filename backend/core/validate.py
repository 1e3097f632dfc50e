"""Field rules every domain shares: trimmed text with a length limit, mainland mobile numbers, aware datetimes.

Domain-specific rules (a unit number, an area) live as public functions in their domain's service (e.g.
`tenancy.service.clean_unit_number`), so imports and the API check a value the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core.crypto import InvalidPhone, normalize_phone
from backend.core.errors import Codes, DomainError


def text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    """The value trimmed; REQUIRED when empty and required, TOO_LONG past `limit` characters."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(Codes.REQUIRED, "Required", field)
    if len(value) > limit:
        raise DomainError(Codes.TOO_LONG, f"At most {limit} characters", field)
    return value


def phone(value: str, field: str = "phone") -> str:
    """The 11-digit form of a mainland mobile number; INVALID_PHONE otherwise."""
    try:
        return normalize_phone(value)
    except InvalidPhone:
        raise DomainError(Codes.INVALID_PHONE, "Not a valid mobile number", field) from None


def aware(value: datetime) -> datetime:
    """A datetime with its zone: some database drivers return naive UTC values."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
