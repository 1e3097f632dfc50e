"""The `courtyard` command line: migrate, create-admin, seed-demo, serve, sms-outbox, export-schema."""

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
    await Tortoise.init(config=tortoise_config(url))
    try:
        resealed = await reseal_phones()
    finally:
        await Tortoise.close_connections()
    if resealed:
        print(f"resealed {resealed} encrypted phone(s) to their rows", flush=True)


async def reseal_phones() -> int:
    """Re-encrypt phones stored in the unbound first format, bound to their rows (idempotent; run by migrate)."""
    from backend.core.crypto import decrypt_legacy, is_legacy, seal_phone
    from backend.domains.accounts.models import User

    done = 0
    for row in await User.all().values("id", "phone_enc", "phone_hash"):
        if not is_legacy(row["phone_enc"]):
            continue
        enc, h = seal_phone(decrypt_legacy(row["phone_enc"]))
        if h != row["phone_hash"]:  # a value moved from another row: never bind it to this one
            raise RuntimeError(f"user {row['id']}: the encrypted phone does not match the row's phone hash")
        await User.filter(id=row["id"], phone_enc=row["phone_enc"]).update(phone_enc=enc)
        done += 1
    return done


async def _with_db(coro_fn):  # noqa: ANN001, ANN202 - small CLI helper
    await Tortoise.init(config=tortoise_config())
    try:
        return await coro_fn()
    finally:
        await Tortoise.close_connections()


async def seed() -> bool:
    from backend.demo import seed_demo

    return await _with_db(seed_demo)


async def create_admin(phone: str, name: str, password: str) -> bool:
    """Make a platform admin; True when a new account was created, False when an existing one gained the role."""
    from backend.domains.accounts import service

    async def run() -> bool:
        from backend.core.errors import DomainError
        from backend.domains.accounts.errors import AccountCode

        await service.ensure_role_templates()
        try:
            await service.create_platform_admin(phone=phone, name=name, password=password)
            return True
        except DomainError as exc:  # an existing account keeps its own password: it only gains the role
            if exc.code != AccountCode.ACCOUNT_EXISTS:
                raise
            await service.create_platform_admin(phone=phone, name=name, password=None)
            return False

    return await _with_db(run)


async def purge() -> dict[str, int]:
    from backend.maintenance import run_once

    return await _with_db(run_once)


async def worker() -> None:
    """Run the queued jobs (and schedule them) until interrupted: the job worker when REDIS_URL is set."""
    from backend.core.runtime import build_runtime, set_runtime
    from backend.maintenance import run_worker

    settings = get_settings()
    runtime = build_runtime(redis_url=settings.redis_url, sms_backend=settings.sms_backend,
                            data_dir=settings.data_dir)
    await runtime.broker.start()
    set_runtime(runtime)
    try:
        await _with_db(lambda: run_worker(settings))
    finally:
        await runtime.close()
        set_runtime(None)


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
    from backend.core.sms_standin import StandinServer
    from backend.demo import logins_text
    from backend.main import close_sockets, create_app

    settings = get_settings()
    configure_logging(json_format=settings.log_json)
    _raise_open_files()
    asyncio.run(migrate())
    if settings.dev and asyncio.run(seed()):
        print(logins_text(), flush=True)
    # Dev: the SDK's real SendSms requests go to a stand-in on its own port (the SDK posts to `/`, the console's).
    standin = StandinServer.from_settings(settings) if settings.sms_backend == "standin" else None

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):  # noqa: ANN001, ANN201 - uvicorn's signature
            if standin is not None:  # before the app, so that its first request can send a code
                await standin.start()
            await super().startup(sockets=sockets)

        async def shutdown(self, sockets=None):  # noqa: ANN001, ANN201 - uvicorn's signature
            await close_sockets(1001)
            await super().shutdown(sockets=sockets)
            if standin is not None:
                await standin.stop()

    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False,
        ws="websockets-sansio", timeout_graceful_shutdown=10, proxy_headers=False,
        # Events are a few hundred bytes: per-socket compression state (~40 KiB each, measured with
        # scripts/bench/fanout.py) would cost more memory than it saves bandwidth.
        ws_per_message_deflate=False,
        # graphql-transport-ws frames are small; the socket layer refuses bigger ones before they are buffered
        # (core.envelope checks 64 KiB again per frame).
        ws_max_size=64 * 1024,
    )
    print(f"Courtyard on http://{settings.host}:{settings.port}/  (GraphQL at /graphql)", flush=True)
    if standin is not None:
        print(f"Text messages (dev) go to {standin.outbox}: python -m backend.cli sms-outbox", flush=True)
    Server(config).run()


def sms_outbox_text(last: int) -> str:
    """The last messages the dev SMS stand-in took, one a line, codes included (that is what it is for)."""
    from backend.core.sms_standin import outbox_path, read_outbox

    path = outbox_path(get_settings().data_dir)
    rows = read_outbox(path, last)
    if not rows:
        return f"no text messages in {path}"
    return "\n".join(
        f"{r.get('ts', '?')}  {r.get('phone', '?')}  {r.get('template', '?'):<6}  "
        + " ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
        for r in rows
    )


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
    sub.add_parser("worker", help="run queued background and scheduled jobs (needs REDIS_URL)")
    outbox = sub.add_parser("sms-outbox", help="print the last text messages of the dev SMS stand-in (dev codes)")
    outbox.add_argument("-n", "--last", type=int, default=10, help="how many (default 10)")
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
        created = asyncio.run(create_admin(args.phone, args.name, password))
        print("platform admin ready:", args.phone,
              "" if created else "(an existing account: its own name and password are unchanged)")
    elif args.cmd == "purge":
        print("removed", asyncio.run(purge()))
    elif args.cmd == "worker":
        from backend.core.logging import configure_logging

        configure_logging(json_format=get_settings().log_json)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(worker())
    elif args.cmd == "sms-outbox":
        print(sms_outbox_text(args.last))
    elif args.cmd == "export-schema":
        export_schema(args.output)
        print("wrote", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
