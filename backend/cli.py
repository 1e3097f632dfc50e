"""The `courtyard` command line: migrate, create-admin, seed-demo, serve, sms-outbox, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from tortoise import Tortoise

from backend.settings import get_settings, tortoise_config

ROOT = Path(__file__).resolve().parent.parent


async def migrate(database_url: str | None = None) -> None:
    """Apply Tortoise migrations to the configured database (creating a SQLite file's folder first), then bring the
    role templates to this release's defaults (once per release: accounts.service.ensure_role_templates)."""
    from tortoise.migrations.api import migrate as run_migrate

    from backend.domains.accounts.service import ensure_role_templates

    url = database_url or get_settings().database_url
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://").split("?")[0]).parent.mkdir(parents=True, exist_ok=True)
    await run_migrate(config=tortoise_config(url))
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url))
    try:
        resealed = await reseal_phones()
        await ensure_role_templates()
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


async def seed(size: str = "small", today: date | None = None) -> bool:
    from backend.demo import seed_demo

    return await _with_db(lambda: seed_demo(size=size, today=today))


async def demo_present() -> bool:
    from backend.demo import demo_present as present

    return await _with_db(present)


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
    from backend.demo import DEFAULT_SERVE_SIZE, SIZES
    from backend.main import close_sockets, create_app

    settings = get_settings()
    configure_logging(json_format=settings.log_json)
    # Tortoise logs each of the start-up steps' connections opening and closing (INFO): noise before the first request.
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    _raise_open_files()
    asyncio.run(migrate())
    demo = False
    if settings.dev:
        size = os.environ.get("COURTYARD_DEMO_SIZE") or DEFAULT_SERVE_SIZE
        if size not in SIZES:
            raise SystemExit(f"COURTYARD_DEMO_SIZE must be one of {', '.join(SIZES)} (not {size!r})")
        # The size counts on the first start only: later starts keep the data as it is (seed-demo --size grows it).
        if asyncio.run(demo_present()):
            size = "small"
        else:
            print(f"creating the demo data ({size}: {SIZES[size].summary})", flush=True)
        started = time.perf_counter()
        if asyncio.run(seed(size)):
            print(f"created the demo data in {time.perf_counter() - started:.1f} s", flush=True)
        demo = asyncio.run(demo_present())
    base = f"http://{settings.host}:{settings.port}"
    # Dev: the SDK's real SendSms requests go to a stand-in on its own port (the SDK posts to `/`, the console's).
    standin = StandinServer.from_settings(settings) if settings.sms_backend == "standin" else None

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):  # noqa: ANN001, ANN201 - uvicorn's signature
            if standin is not None:  # before the app, so that its first request can send a code
                await standin.start()
            await super().startup(sockets=sockets)
            if self.started:  # last, so it is what the terminal shows while the server runs
                print(_started_text(base, demo, standin.outbox if standin is not None else None), flush=True)

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
    Server(config).run()


def _started_text(base: str, demo: bool, outbox: Path | None) -> str:
    """What `serve` prints once it listens, on every start: where to sign in and, with demo data, as whom."""
    from backend.demo import logins_text

    lines = ["", f"Courtyard is running: staff sign in at {base}/login, owners at {base}/h5/  "
                 f"(GraphQL at {base}/graphql; Ctrl+C stops it)"]
    if demo:
        lines.append(logins_text())
    if outbox is not None:
        lines.append(f"Text messages (dev) go to {outbox}: python -m backend.cli sms-outbox")
    return "\n".join(lines) + "\n"


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
    seed_parser = sub.add_parser("seed-demo", help="create the demo data if it is not there")
    seed_parser.add_argument("--size", choices=["small", "medium", "large"], default="small",
                             help="small: 2 communities, 48 units; medium and large add communities, thousands of "
                                  "units, households and a year of repairs (default small)")
    seed_parser.add_argument("--today", type=date.fromisoformat, default=None,
                             help="YYYY-MM-DD: the last day of the year of repairs (default today); the same day "
                                  "gives the same data")
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

        started = time.perf_counter()
        created = asyncio.run(seed(args.size, args.today))
        took = time.perf_counter() - started
        print(f"created ({args.size}) in {took:.1f} s" if created else "demo data already present")
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
