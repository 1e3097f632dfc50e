"""Password hashing with argon2id, run off the event loop, and the strength rule."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from backend.core.errors import Codes, DomainError

MIN_LENGTH = 8
MAX_LENGTH = 128
# Hashing cost grows with input length; anything past this cannot be a password we accepted.
_MAX_INPUT = 1024

# OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. About 20 ms per call on these machines.
_hasher = PasswordHasher(
    time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)


async def hash_password(password: str) -> str:
    """Hash a password in a worker thread so other requests keep running."""
    if not isinstance(password, str) or len(password) > _MAX_INPUT:
        raise ValueError("password must be a string of at most 1024 characters")
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(hashed: str, password: str) -> bool:
    """True when the password matches the hash; False for a mismatch or a malformed hash."""
    if not isinstance(hashed, str) or not isinstance(password, str) or len(password) > _MAX_INPUT:
        return False
    return await asyncio.to_thread(_verify, hashed, password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        # VerificationError covers VerifyMismatchError; a login must never turn into a 500.
        return False


def needs_rehash(hashed: str) -> bool:
    """True when a stored hash uses older parameters and should be replaced at the next login."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except (InvalidHashError, ValueError):
        return True


def validate_password_strength(password: str) -> None:
    """Refuse short, overlong and single-class passwords with WEAK_PASSWORD."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise DomainError(Codes.WEAK_PASSWORD, f"Use at least {MIN_LENGTH} characters", "password")
    if len(password) > MAX_LENGTH:
        raise DomainError(Codes.WEAK_PASSWORD, f"Use at most {MAX_LENGTH} characters", "password")
    if password.isdigit() or password.isalpha():
        raise DomainError(Codes.WEAK_PASSWORD, "Mix letters with digits or symbols", "password")
