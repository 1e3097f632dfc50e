"""Count SQL statements sent through Tortoise, to keep list queries at a constant number of statements."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tortoise import Tortoise

METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script",
           "execute_query_dict_with_affected")


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_statements() -> Iterator[Counter]:
    """Patch the default connection's class so every statement is recorded while the block runs."""
    counter = Counter()
    cls = type(Tortoise.get_connection("default"))
    originals: dict[str, Any] = {}
    for name in METHODS:
        original = getattr(cls, name, None)
        if original is None:
            continue
        originals[name] = original

        def make(orig: Any) -> Any:
            async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
                counter.statements.append(str(query))
                return await orig(self, query, *args, **kwargs)

            return wrapper

        setattr(cls, name, make(original))
    try:
        yield counter
    finally:
        for name, original in originals.items():
            setattr(cls, name, original)
