"""The `courtyard` command line: migrate, create-admin, seed-demo, serve, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys
from pathlib import Path

from tortoise import Tortoise

from backend.settings import get_settings, tortoise_config

ROOT = Path(__file__).resolve().parent.parent


async def migrate(database_url: str | None = None) -> None:
    """Apply Tortoise migrations to the configured database (creating a SQLite file's folder first)."""
    from tortoise.migrations.api import migrate as run_migrate

    url = database_url or get_settings().database_url
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://").split("?")[0]).parent.mkdir(parents=True, exist_ok=True)
    await run_migrate(config=tortoise_config(url))
    await Tortoise.close_connections()


async def _with_db(coro_fn):  # noqa: ANN001, ANN202 - small CLI helper
    await Tortoise.init(config=tortoise_config())
    try:
        return await coro_fn()
    finally:
        await Tortoise.close_connections()


async def seed() -> bool:
    from backend.demo import seed_demo

    return await _with_db(seed_demo)


async def create_admin(phone: str, name: str, password: str) -> None:
    from backend.domains.accounts import service

    async def run() -> None:
        await service.ensure_role_templates()
        await service.create_platform_admin(phone=phone, name=name, password=password)

    await _with_db(run)


async def purge() -> dict[str, int]:
    from backend.maintenance import run_once

    return await _with_db(run_once)


def export_schema(path: Path | None = None) -> str:
    from backend.schema import schema

    sdl = schema.as_str().rstrip() + "\n"
    if path is not None:
        path.write_text(sdl)
    return sdl


def _raise_open_files() -> None:
    """Every live socket is a file descriptor: lift the soft limit (often 1,024) to the hard one."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))


def serve() -> None:
    """Migrate, seed demo data on the first start (dev), and serve with graceful socket shutdown."""
    import uvicorn

    from backend.core.logging import configure_logging
    from backend.demo import logins_text
    from backend.main import close_sockets, create_app

    settings = get_settings()
    configure_logging(json_format=settings.log_json)
    _raise_open_files()
    asyncio.run(migrate())
    if settings.dev and asyncio.run(seed()):
        print(logins_text(), flush=True)

    class Server(uvicorn.Server):
        async def shutdown(self, sockets=None):  # noqa: ANN001, ANN201 - uvicorn's signature
            await close_sockets(1001)
            await super().shutdown(sockets=sockets)

    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False,
        ws="websockets-sansio", timeout_graceful_shutdown=10, proxy_headers=False,
        # Events are a few hundred bytes: per-socket compression state (~40 KiB each, measured with
        # scripts/bench/fanout.py) would cost more memory than it saves bandwidth.
        ws_per_message_deflate=False,
    )
    print(f"Courtyard on http://{settings.host}:{settings.port}/  (GraphQL at /graphql)", flush=True)
    Server(config).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="courtyard", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed-demo", help="create the demo data if it is not there")
    sub.add_parser("serve", help="migrate, seed (dev) and serve")
    adm = sub.add_parser("create-admin", help="create or promote a platform administrator")
    adm.add_argument("--phone", required=True)
    adm.add_argument("--name", default="Platform admin")
    adm.add_argument("--password", help="read from the terminal when omitted")
    sub.add_parser("purge", help="delete expired technician positions and uploads nobody attached within a day")
    exp = sub.add_parser("export-schema", help="write the GraphQL SDL")
    exp.add_argument("--output", type=Path, default=ROOT / "schema.graphql")
    args = parser.parse_args(argv)
    if args.cmd == "migrate":
        asyncio.run(migrate())
    elif args.cmd == "seed-demo":
        from backend.demo import logins_text

        print("created" if asyncio.run(seed()) else "demo data already present")
        print(logins_text())
    elif args.cmd == "serve":
        serve()
    elif args.cmd == "create-admin":
        password = args.password or getpass.getpass("Password: ")
        asyncio.run(create_admin(args.phone, args.name, password))
        print("platform admin ready:", args.phone)
    elif args.cmd == "purge":
        print("removed", asyncio.run(purge()))
    elif args.cmd == "export-schema":
        export_schema(args.output)
        print("wrote", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
