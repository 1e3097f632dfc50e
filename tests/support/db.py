"""Throwaway test databases on PostgreSQL or MySQL (created per run, dropped after), or a SQLite file."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def create_database(base_url: str | None, tmp_dir: Path) -> tuple[str, str | None]:
    """(url of a fresh database, name to drop later or None for SQLite)."""
    if not base_url:
        return f"sqlite://{tmp_dir / 'test.sqlite3'}", None
    name = "courtyard_test_" + uuid.uuid4().hex[:10]
    scheme = urlsplit(base_url).scheme
    if scheme.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
    elif scheme.startswith("mysql"):
        import asyncmy

        p = urlsplit(base_url)
        conn = await asyncmy.connect(host=p.hostname, port=p.port or 3306, user=p.username or "root", password=p.password or "")
        try:
            async with conn.cursor() as cur:
                await cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()
    else:
        raise ValueError(f"unsupported TEST_DATABASE_URL scheme {scheme}")
    return _with_db(base_url, name), name


async def drop_database(base_url: str | None, name: str | None) -> None:
    if not base_url or not name:
        return
    scheme = urlsplit(base_url).scheme
    if scheme.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
    else:
        import asyncmy

        p = urlsplit(base_url)
        conn = await asyncmy.connect(host=p.hostname, port=p.port or 3306, user=p.username or "root", password=p.password or "")
        try:
            async with conn.cursor() as cur:
                await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()
