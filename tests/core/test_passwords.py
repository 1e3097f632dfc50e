"""argon2id password hashing off the event loop, and the strength rule."""

from __future__ import annotations

import asyncio

import pytest

from backend.core.errors import DomainError
from backend.core.passwords import hash_password, needs_rehash, validate_password_strength, verify_password


async def test_hash_then_verify() -> None:
    hashed = await hash_password("correct horse 9")
    assert await verify_password(hashed, "correct horse 9")
    assert not await verify_password(hashed, "correct horse 8")


async def test_hash_uses_argon2id_at_owasp_parameters() -> None:
    hashed = await hash_password("pa55word!")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not needs_rehash(hashed)


async def test_same_password_hashes_differently() -> None:
    assert await hash_password("pa55word!") != await hash_password("pa55word!")


@pytest.mark.parametrize("hashed", ["", "plain-text", "$argon2id$v=19$m=19456,t=2,p=1$broken", "$2b$12$abc"])
async def test_verify_is_false_for_malformed_hashes(hashed: str) -> None:
    assert await verify_password(hashed, "pa55word!") is False


async def test_verify_never_raises_on_odd_input() -> None:
    hashed = await hash_password("pa55word!")
    assert await verify_password(hashed, "") is False
    assert await verify_password(hashed, "x" * 100_000) is False
    assert await verify_password(None, "pa55word!") is False  # type: ignore[arg-type]


async def test_hashing_does_not_block_the_event_loop() -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.001)
            ticks += 1

    async def work() -> None:
        await hash_password("pa55word!")
        done.set()

    await asyncio.gather(ticker(), work())
    # argon2 at these parameters takes ~20 ms: the loop ticks meanwhile only if it runs in a thread.
    assert ticks >= 3


@pytest.mark.parametrize("password", ["short1!", "12345678901234", "onlyletters", "ÄÖÜäöüßabc", "a1" * 65])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_password_strength(password)
    assert caught.value.code == "WEAK_PASSWORD"
    assert caught.value.field == "password"


@pytest.mark.parametrize("password", ["pa55word", "correct horse", "12345678!", "a1" * 64, "密码密码密码12"])
def test_acceptable_passwords_pass(password: str) -> None:
    validate_password_strength(password)
