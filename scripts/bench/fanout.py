"""Benchmark: fan-out of ticket events to many graphql-transport-ws sockets, end to end.

Starts the real server (`python -m backend.cli serve`, which migrates and seeds the demo; one process, or two
sharing Redis), opens N websockets as the demo community manager, each subscribed to
`communityTicketEvents(communityId:)` of the demo community (what a staff dashboard keeps open), then has the
demo owner report repairs through the API at a fixed rate: each `ticketCreate` is one CREATED event on that
channel. With `--communities C` (C > 1) it first adds C - 1 communities to the demo company through the service
layer (each with a building, a unit and the demo owner bound to it), opens the sockets as the demo company
admin spread round-robin over the C communities, and spreads the reports the same way (`--rate` is the total).
For every socket and event it records when the event arrived, and prints the latency from the mutation's
response and from its send (p50, p95, p99, max), delivered / expected counts, the server's memory per socket
(VmRSS after the sockets are open minus before, over N), the CPU of servers and clients, the server's live-event
counters (executions shared by a group of sockets, deliveries) and which of issue 9's targets the run met.
Nothing here asserts on timings. See README.md beside this file.

    .venv/bin/python scripts/bench/fanout.py [--sockets 1000] [--rate 10] [--seconds 10] [--workers 1]
        [--communities 1] [--redis-url redis://127.0.0.1:6379/0 [--servers 2]] [--database-url postgres://...]
        [--drain 60] [--no-compression] [--selection console|minimal]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script: make `backend` and `tests.support` importable
    sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402

ADMIN, MANAGER, OWNER, PASSWORD = "13800000001", "13800000002", "13900000001", "Courtyard2026"
LOGIN = (
    "mutation Login($phone: String!, $password: String!) { authPasswordLogin(phone: $phone, password: $password) "
    "{ tokens { accessToken } errors { code } } }"
)
HOME = "query Home { viewer { bindings { status unit { id } community { id } } } }"
CATEGORIES = "query Cats($c: ID) { repairCategories(communityId: $c) { id } }"
CREATE = (
    "mutation Report($input: TicketCreateInput!) { ticketCreate(input: $input) "
    "{ ticket { id } errors { code field } } }"
)
# What the console's board subscribes to (frontend/src/api/repairs/tickets.graphql, TicketCardFields): every
# push reads the ticket and its community, unit, building, category, reporter and technician.
BOARD = (
    "subscription Board($c: ID!) { communityTicketEvents(communityId: $c) { kind ticket { "
    "id number status urgency description publicArea overdue createdAt acceptDue finishDue completedAt "
    "community { id name timezone } unit { id number building { id name } } category { id name nameEn } "
    "reporter { id name } technician { name staffMemberId } rating { speed quality attitude } } } }"
)
# Scalar fields only (--selection minimal): each push is the ticket read and nothing more.
BOARD_MINIMAL = (
    "subscription Board($c: ID!) { communityTicketEvents(communityId: $c) "
    "{ kind ticket { id number status urgency description createdAt } } }"
)
OPEN_CONCURRENCY = 100  # handshakes in flight per worker
MAX_IN_FLIGHT = 200  # mutations awaiting their response; beyond it the driver falls behind its rate
STALL_SECONDS = 15.0  # the drain ends early when no delivery arrived for this long
FD_MARGIN = 256
# Issue 9's targets: (sockets, communities, events/s in total, p99 from the response in ms).
TARGETS = ((1000, 1, 10.0, 250.0), (10_000, 100, 200.0, 100.0))


# ---------------------------------------------------------------- client worker (its own process)

@dataclass
class WorkerSpec:
    index: int
    urls: list[str]  # websocket URLs; socket i of the run goes to urls[i % len(urls)]
    first: int  # global index of this worker's first socket
    count: int
    token: str
    communities: list[str]  # socket i of the run subscribes to communities[i % len(communities)]
    compression: bool
    query: str = BOARD

    def community_of(self, i: int) -> int:
        """The community index of this worker's socket i."""
        return (self.first + i) % len(self.communities)


@dataclass
class Inbox:
    """Receive times by ticket ID, each socket counted once per ticket."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    duplicates: int = 0
    other: int = 0  # messages that were not a `next` with an event
    closed: int = 0
    first_other: str = ""


async def _open_socket(url: str, spec: WorkerSpec, community: str) -> Any:
    from websockets.asyncio.client import connect

    # Server pings (uvicorn, every 20 s) are answered by the library; the client sends none of its own.
    ws = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=120, ping_interval=None,
                       compression="deflate" if spec.compression else None, close_timeout=2)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {spec.token}"}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 120))
    if ack.get("type") != "connection_ack":
        await ws.close()
        raise RuntimeError(f"connection_init refused: {ack}")
    await ws.send(json.dumps({"id": "1", "type": "subscribe",
                              "payload": {"query": spec.query, "variables": {"c": community}}}))
    return ws


async def _read(ws: Any, inbox: Inbox) -> None:
    from websockets.exceptions import ConnectionClosed

    seen: set[str] = set()
    try:
        async for raw in ws:
            at = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process on the machine
            msg = json.loads(raw)
            try:
                ticket = msg["payload"]["data"]["communityTicketEvents"]["ticket"]["id"]
            except (KeyError, TypeError):
                inbox.other += 1
                inbox.first_other = inbox.first_other or str(raw)[:300]
                continue
            if ticket in seen:
                inbox.duplicates += 1
                continue
            seen.add(ticket)
            inbox.times[ticket].append(at)
    except ConnectionClosed:
        pass
    inbox.closed += 1


async def _wait_for(inbox: Inbox, goals: dict[str, int], limit: float) -> None:
    """Until every ticket reached its goal (the sockets on its community), `limit` seconds passed, or deliveries
    stalled.

    A stall counts only once deliveries have begun: the server wakes every subscriber of an event at once and
    they advance together, so the first socket may hear of an event only when the last nearly does.
    """
    started = last_change = time.monotonic()
    last = 0
    total = sum(goals.values())
    while time.monotonic() - started < limit:
        got = sum(min(len(inbox.times.get(t, ())), goal) for t, goal in goals.items())
        if got >= total:
            return
        if got != last:
            last, last_change = got, time.monotonic()
        elif got and time.monotonic() - last_change > STALL_SECONDS:
            return
        await asyncio.sleep(0.05)


async def _worker(conn: Connection, spec: WorkerSpec) -> None:
    loop = asyncio.get_running_loop()
    inbox = Inbox()
    sockets: list[Any] = []
    failures: list[str] = []
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    readers: list[asyncio.Task[None]] = []
    per_community = [0] * len(spec.communities)  # sockets opened on each community

    async def open_one(i: int) -> None:
        async with gate:
            try:
                ws = await _open_socket(spec.urls[(spec.first + i) % len(spec.urls)], spec,
                                        spec.communities[spec.community_of(i)])
            except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                failures.append(f"{type(exc).__name__}: {exc}")
                return
        per_community[spec.community_of(i)] += 1
        sockets.append(ws)
        readers.append(asyncio.create_task(_read(ws, inbox)))

    t0 = time.monotonic()
    await asyncio.gather(*(open_one(i) for i in range(spec.count)))
    conn.send(("opened", len(sockets), len(failures), failures[:3], time.monotonic() - t0, per_community))
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command[0] == "wait":
            _, tickets, limit = command  # [(ticket ID, community index)]
            goals = {t: per_community[c] for t, c in tickets}
            await _wait_for(inbox, goals, limit)
            tickets = [t for t, _ in tickets]
            times = {t: inbox.times.get(t, []) for t in tickets}
            conn.send(("times", times, time.process_time(), inbox.duplicates, inbox.other, inbox.first_other,
                       inbox.closed))
        elif command[0] == "stop":
            break
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in readers:
        task.cancel()
    conn.send(("stopped",))


def worker_main(conn: Connection, spec: WorkerSpec) -> None:
    """Entry point of a client process: one event loop (uvloop when installed) for its share of the sockets."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(_worker(conn, spec))
    else:
        uvloop.run(_worker(conn, spec))


# ---------------------------------------------------------------- the server side

def _raise_nofile(needed: int) -> tuple[int, int]:
    """Raise this process's open-file limit (inherited by the servers and clients it starts)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + FD_MARGIN
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))  # only root may raise the hard limit
            except (ValueError, OSError):
                raise SystemExit(f"the open-file limit is {soft}/{hard}; {want} are needed: raise the hard limit "
                                 f"(ulimit -Hn, /etc/security/limits.conf or systemd LimitNOFILE)") from None
        else:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _proc_limit_nofile(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    return -1


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _gql(client: httpx.AsyncClient, base: str, query: str, token: str | None = None,
               **variables: Any) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    resp = await client.post(f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = resp.json()
    if body.get("errors"):
        raise RuntimeError(f"{query.split('(')[0]}: {body['errors']}")
    return body["data"]


@dataclass
class Setup:
    board: str  # the token every socket uses: the community manager, or the company admin for C > 1
    owner: str
    units: list[str]  # the owner's unit in each community of the run, the demo community first
    communities: list[str]
    category: str


async def _login(client: httpx.AsyncClient, base: str, phone: str) -> str:
    data = (await _gql(client, base, LOGIN, phone=phone, password=PASSWORD))["authPasswordLogin"]
    if data["errors"]:
        raise RuntimeError(f"login {phone}: {data['errors']}")
    return str(data["tokens"]["accessToken"])


async def _setup(base: str, communities: int) -> Setup:
    async with httpx.AsyncClient(timeout=60) as client:
        board = await _login(client, base, MANAGER if communities == 1 else ADMIN)
        owner = await _login(client, base, OWNER)
        bindings = (await _gql(client, base, HOME, owner))["viewer"]["bindings"]
        home = next(b for b in bindings if b["status"] == "APPROVED")
        unit, community = home["unit"]["id"], home["community"]["id"]
        category = (await _gql(client, base, CATEGORIES, owner, c=community))["repairCategories"][0]["id"]
    return Setup(board, owner, [unit], [community], category)


async def _add_communities(db_url: str, data_dir: Path, count: int) -> list[tuple[str, str]]:
    """Add `count` communities to the demo company through the service layer, each with a building and a unit the
    demo owner is bound to; their (community ID, unit ID). Runs in this process against the server's database,
    with the server's settings (its data dir holds the secrets that IDs and phone lookups are keyed with)."""
    from tortoise import Tortoise
    from tortoise.transactions import in_transaction

    from backend.core.ids import encode_id
    from backend.demo import DEMO_COMPANY
    from backend.domains.accounts import service as accounts
    from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
    from backend.domains.tenancy import service as tenancy
    from backend.domains.tenancy.models import Company, UnitType
    from backend.settings import load_settings, override_settings, tortoise_config

    override_settings(load_settings({"COURTYARD_ENV": "dev", "COURTYARD_DATA_DIR": str(data_dir),
                                     "DATABASE_URL": db_url}))
    await Tortoise.init(config=tortoise_config(db_url))
    try:
        company = await Company.get(name=DEMO_COMPANY)
        owner = await accounts.find_user_by_phone(phone=OWNER)
        assert owner is not None
        made: list[tuple[str, str]] = []
        for i in range(count):
            async with in_transaction():
                community = await tenancy.save_community(
                    company_id=company.id, community_id=None, name=f"压测小区 Bench {i + 2}", address=None,
                    timezone=None, communities=None)
                building = await tenancy.save_building(
                    company_id=company.id, building_id=None, community_id=community.id, name="1号楼", floors=6,
                    communities=None)
                unit = await tenancy.save_unit(
                    company_id=company.id, unit_id=None, building_id=building.id, number="101", floor=1,
                    area="89.50", unit_type=UnitType.RESIDENTIAL, communities=None)
                # An approved owner, as the demo seed makes them (a request and its review would be rate-limited).
                await UnitBinding.create(company_id=company.id, community_id=community.id, unit_id=unit.id,
                                         user_id=owner.id, relation=Relation.OWNER, status=BindingStatus.APPROVED)
            made.append((encode_id("Community", community.id), encode_id("Unit", unit.id)))
        return made
    finally:
        await Tortoise.close_connections()
        override_settings(None)


@dataclass
class Sent:
    ticket: str | None
    sent: float
    answered: float
    community: int = 0  # index into Setup.communities


async def _report(client: httpx.AsyncClient, base: str, s: Setup, n: int, community: int = 0) -> Sent:
    variables = {"input": {"unitId": s.units[community], "categoryId": s.category,
                           "idempotencyKey": uuid.uuid4().hex, "description": f"压测报修 {n} bench report {n}"}}
    sent = time.monotonic()
    try:
        data = await _gql(client, base, CREATE, s.owner, **variables)
    except Exception:  # noqa: BLE001 - a failed change is reported as such, not as a lost event
        return Sent(None, sent, time.monotonic(), community)
    answered = time.monotonic()
    payload = data["ticketCreate"]
    return Sent(None if payload["errors"] else payload["ticket"]["id"], sent, answered, community)


async def _drive(base: str, s: Setup, rate: float, seconds: float) -> list[Sent]:
    """One ticketCreate every 1/rate s for `seconds`, each in its own task (so a slow answer does not
    delay the next send), with at most MAX_IN_FLIGHT outstanding."""
    total = max(1, round(rate * seconds))
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=32)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        gate = asyncio.Semaphore(MAX_IN_FLIGHT)
        start = time.monotonic()
        tasks = []

        async def one(n: int) -> Sent:
            async with gate:
                return await _report(client, base, s, n, n % len(s.communities))

        for n in range(total):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(n)))
        return list(await asyncio.gather(*tasks))


async def _warm_tickets(base: str, s: Setup) -> list[tuple[str, int]]:
    """One ticket in each community: every socket must receive its community's before measuring."""
    out: list[tuple[str, int]] = []
    async with httpx.AsyncClient(timeout=120) as client:
        for community in range(len(s.communities)):
            sent = await _report(client, base, s, -1 - community, community)
            if sent.ticket is None:
                raise RuntimeError("a warm-up ticketCreate failed")
            out.append((sent.ticket, community))
    return out


async def _live_counters(bases: list[str]) -> dict[str, float]:
    """The servers' live-event counters (core.live), summed: executions shared by a group, deliveries, ..."""
    out: dict[str, float] = defaultdict(float)
    async with httpx.AsyncClient(timeout=30) as client:
        for base in bases:
            try:
                text = (await client.get(f"{base}/metrics")).text
            except httpx.HTTPError:
                continue
            for line in text.splitlines():
                if line.startswith("courtyard_live_"):
                    name, _, value = line.partition(" ")
                    out[name.removeprefix("courtyard_live_").removesuffix("_total")] += float(value)
    return out


# ---------------------------------------------------------------- statistics and report

def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _row(label: str, values: list[float]) -> str:
    values = sorted(values)
    if not values:
        return f"  {label:<36} (none)"
    return (f"  {label:<36} {_pct(values, .5):9.1f} {_pct(values, .95):9.1f} {_pct(values, .99):9.1f} "
            f"{values[-1] * 1000:9.1f}")


@dataclass
class Gathered:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: float = 0.0
    duplicates: int = 0
    other: int = 0
    first_other: str = ""
    closed: int = 0


def _ask(conns: list[Connection], tickets: list[tuple[str, int]], limit: float) -> Gathered:
    for conn in conns:
        conn.send(("wait", tickets, limit))
    out = Gathered()
    for conn in conns:
        if not conn.poll(limit + 60):
            raise RuntimeError("a client worker did not answer")
        _, times, cpu, duplicates, other, first_other, closed = conn.recv()
        for ticket, values in times.items():
            out.times[ticket].extend(values)
        out.cpu += cpu
        out.duplicates += duplicates
        out.other += other
        out.first_other = out.first_other or first_other
        out.closed += closed
    return out


def _shares(sockets: int, n: int) -> Iterator[tuple[int, int]]:
    """(first socket, count) of each of n workers."""
    per, extra = divmod(sockets, n)
    first = 0
    for i in range(n):
        count = per + (i < extra)
        yield first, count
        first += count


def run(args: argparse.Namespace) -> None:
    from tests.support.db import create_database, drop_database
    from tests.support.live_server import live_server

    started = time.perf_counter()
    soft, hard = _raise_nofile(max(args.sockets // args.servers, -(-args.sockets // args.workers)))
    tmp = Path(tempfile.mkdtemp(prefix="courtyard-fanout-"))
    db_url, db_name = asyncio.run(create_database(args.database_url, tmp))
    env = {"COURTYARD_ENV": "dev", "DATABASE_URL": db_url, "REDIS_URL": args.redis_url or "", "LOG_FORMAT": "json"}
    processes: list[Any] = []
    conns: list[Connection] = []
    try:
        with ExitStack() as stack:
            servers = [stack.enter_context(live_server(env, data_dir=tmp)) for _ in range(args.servers)]
            # --writer: the reports go to a process of their own (events reach the socket servers through Redis),
            # so the socket servers' figures are the fan-out's alone.
            writer = stack.enter_context(live_server(env, data_dir=tmp)) if args.writer else servers[0]
            pids = [srv.pid for srv in servers]
            limits = [_proc_limit_nofile(pid) for pid in pids]
            broker = f"Redis ({args.redis_url})" if args.redis_url else "in-process"
            print(f"{args.servers} server process(es){' + 1 for the reports' if args.writer else ''}, broker {broker}, "
                  f"database {db_url.split('://')[0]}; open-file limit: bench {soft}/{hard}, server(s) {limits}")
            if min(limits) < args.sockets // args.servers + 64:
                raise SystemExit("a server's open-file limit is below its share of the sockets")
            s = asyncio.run(_setup(servers[0].url, args.communities))
            if args.communities > 1:
                t_made = time.monotonic()
                for community, unit in asyncio.run(_add_communities(db_url, tmp, args.communities - 1)):
                    s.communities.append(community)
                    s.units.append(unit)
                print(f"added {args.communities - 1} communities through the service layer in "
                      f"{time.monotonic() - t_made:.1f} s; sockets sign in as the company admin")
            rss_before = [_rss_kib(pid) for pid in pids]

            ctx = mp.get_context("spawn")
            urls = [srv.url.replace("http", "ws", 1) + "/graphql" for srv in servers]
            t_open = time.monotonic()
            for i, (first, count) in enumerate(_shares(args.sockets, args.workers)):
                parent, child = ctx.Pipe()
                spec = WorkerSpec(i, urls, first, count, s.board, s.communities, not args.no_compression,
                                  BOARD if args.selection == "console" else BOARD_MINIMAL)
                proc = ctx.Process(target=worker_main, args=(child, spec), daemon=True)
                proc.start()
                processes.append(proc)
                conns.append(parent)
            opened = failed = 0
            errors: list[str] = []
            on_community = [0] * len(s.communities)
            for conn in conns:
                if not conn.poll(600):
                    raise RuntimeError("a client worker did not open its sockets in 600 s")
                _, ok, bad, first_errors, _seconds, counts = conn.recv()
                opened, failed, errors = opened + ok, failed + bad, errors + first_errors
                on_community = [a + b for a, b in zip(on_community, counts, strict=True)]
            open_seconds = time.monotonic() - t_open
            print(f"opened {opened} sockets ({failed} failed) in {open_seconds:.1f} s with {args.workers} client "
                  f"process(es); permessage-deflate {'on' if not args.no_compression else 'off'}")
            for error in errors[:3]:
                print(f"  failure: {error}")
            if not opened:
                raise SystemExit("no socket opened")

            # One event per community every socket on it must receive before measuring: proves each
            # subscription is registered.
            warm = asyncio.run(_warm_tickets(writer.url, s))
            got = _ask(conns, warm, 300)
            print(f"warm-up events reached {sum(len(got.times[t]) for t, _ in warm)}/{opened} sockets")
            rss_after = [_rss_kib(pid) for pid in pids]
            fds = [_fds(pid) for pid in pids]
            counters0 = asyncio.run(_live_counters([srv.url for srv in servers]))
            cpu0, client0, own0, wall0 = [_proc_cpu(p) for p in pids], got.cpu, time.process_time(), time.monotonic()

            writer_cpu0 = _proc_cpu(writer.pid)
            sent = asyncio.run(_drive(writer.url, s, args.rate, args.seconds))
            drive_seconds = time.monotonic() - wall0
            tickets = [(x.ticket, x.community) for x in sent if x.ticket]
            got = _ask(conns, tickets, args.drain)
            wall = time.monotonic() - wall0
            server_cpu = [_proc_cpu(p) - c for p, c in zip(pids, cpu0, strict=True)]
            client_cpu, own_cpu = got.cpu - client0, time.process_time() - own0
            if args.writer:
                print(f"reports' server: CPU {_proc_cpu(writer.pid) - writer_cpu0:.1f} s over the run")
            counters = asyncio.run(_live_counters([srv.url for srv in servers]))
            live = {k: v - counters0.get(k, 0.0) for k, v in counters.items()}
            for conn in conns:
                conn.send(("stop",))
            for conn in conns:
                if conn.poll(30):
                    conn.recv()

        _print_report(args, sent, got, opened, on_community, rss_before, rss_after, fds, server_cpu, client_cpu,
                      own_cpu, drive_seconds, wall, live)
    finally:
        for proc in processes:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
        asyncio.run(drop_database(args.database_url, db_name))
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"total {time.perf_counter() - started:.0f} s")


def _print_report(args: argparse.Namespace, sent: list[Sent], got: Gathered, opened: int, on_community: list[int],
                  rss_before: list[int], rss_after: list[int], fds: list[int], server_cpu: list[float],
                  client_cpu: float, own_cpu: float, drive_seconds: float, wall: float,
                  live: dict[str, float]) -> None:
    ok = [x for x in sent if x.ticket]
    from_response: list[float] = []
    from_send: list[float] = []
    last_socket: list[float] = []
    spread: list[float] = []
    for x in ok:
        times = got.times.get(x.ticket or "", [])
        from_response += [t - x.answered for t in times]
        from_send += [t - x.sent for t in times]
        if times:
            last_socket.append(max(times) - x.answered)
            spread.append(max(times) - min(times))
    expected = sum(on_community[x.community] for x in ok)
    delivered = len(from_response)
    per_socket = [(a - b) / opened for a, b in zip(rss_after, rss_before, strict=True)]
    print(f"\n{opened} sockets over {args.communities} communit{'y' if args.communities == 1 else 'ies'} on "
          f"{args.servers} server(s), {len(sent)} ticketCreate at {args.rate:g}/s in total over "
          f"{args.seconds:g} s (sent in {drive_seconds:.1f} s), {len(ok)} succeeded; "
          f"measured until {wall:.1f} s; {os.cpu_count()} CPUs shared by servers and clients\n")
    print(f"  {'latency, ms':<36} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9}")
    print(_row("event, from the mutation's response", from_response))
    print(_row("event, from the mutation's send", from_send))
    print(_row("last socket of each event (resp.)", last_socket))
    print(_row("first-to-last socket spread", spread))
    print(_row("ticketCreate round trip", [x.answered - x.sent for x in sent]))
    missing = expected - delivered
    print(f"\n  delivered {delivered} of {expected}; missing {missing} ({100 * missing / max(expected, 1):.2f} %: "
          f"late beyond --drain {args.drain:g} s, or lost); duplicates {got.duplicates}; other messages "
          f"{got.other}; sockets closed early {got.closed}")
    if got.first_other:
        print(f"  first other message: {got.first_other}")
    print(f"  fan-out throughput: {delivered / wall:,.0f} deliveries/s over the measured {wall:.1f} s")
    for i, (b, a, f, ps, cpu) in enumerate(zip(rss_before, rss_after, fds, per_socket, server_cpu, strict=True)):
        print(f"  server {i + 1}: RSS {b / 1024:.0f} -> {a / 1024:.0f} MiB with its sockets open "
              f"({ps:.1f} KiB per socket of the run), {f} fds, CPU {cpu:.1f} s ({100 * cpu / wall:.0f} % of a core)")
    total = sum(a - b for a, b in zip(rss_after, rss_before, strict=True)) / opened
    print(f"  server memory per socket, all servers: {total:.1f} KiB")
    print(f"  client CPU: workers {client_cpu:.1f} s ({100 * client_cpu / wall:.0f} % of a core), "
          f"driver {own_cpu:.1f} s ({100 * own_cpu / wall:.0f} %)")
    if live:
        print(f"  live events (servers' counters over the run): {live.get('executions', 0):,.0f} executions shared "
              f"by a group of sockets, {live.get('deliveries', 0):,.0f} deliveries from them, "
              f"{live.get('solo', 0):,.0f} executed for one socket alone, {live.get('evictions', 0):,.0f} evictions")
    _print_targets(args, opened, expected, delivered, got.duplicates, sorted(from_response))


def _print_targets(args: argparse.Namespace, opened: int, expected: int, delivered: int, duplicates: int,
                   latencies: list[float]) -> None:
    """Issue 9's targets, for the scenario this run is (as many communities, at least as many sockets and events
    per second, one server process); the rest are not judged."""
    p99 = _pct(latencies, .99)
    whole = delivered == expected and duplicates == 0
    print("\n  targets (issue 9, one server process):")
    judged = False
    for sockets, communities, rate, bound in TARGETS:
        if opened >= sockets and args.communities == communities and args.rate >= rate and args.servers == 1:
            judged = True
            met = whole and p99 <= bound
            print(f"    {sockets:,} sockets over {communities} communit{'y' if communities == 1 else 'ies'} at "
                  f"{rate:g} events/s: p99 {p99:.1f} ms (target <= {bound:g} ms), {delivered} of {expected} "
                  f"delivered, {duplicates} duplicates: {'MET' if met else 'NOT MET'}")
    if not judged:
        print(f"    this run is none of the target scenarios ({', '.join(f'{s:,} sockets over {c} at {r:g}/s' for s, c, r, _ in TARGETS)}); "
              f"no loss and no duplicates: {'met' if whole else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000, help="websocket connections (default 1000)")
    parser.add_argument("--rate", type=float, default=10.0, help="ticket changes per second (default 10)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of changes (default 10)")
    parser.add_argument("--workers", type=int, default=1, help="client processes sharing the sockets (default 1)")
    parser.add_argument("--communities", type=int, default=1,
                        help="communities the sockets and reports are spread over (default 1: the demo community, "
                             "watched by its manager; more are added through the service layer and watched by the "
                             "company admin)")
    parser.add_argument("--redis-url", default=None, help="run the server(s) with this REDIS_URL")
    parser.add_argument("--servers", type=int, default=1, help="server processes, sockets spread round-robin; "
                                                               "more than 1 needs --redis-url")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server URL; a throwaway database is created there and dropped after")
    parser.add_argument("--writer", action="store_true",
                        help="send the reports (ticketCreate) to a server process of their own; needs --redis-url")
    parser.add_argument("--drain", type=float, default=60.0,
                        help="seconds to wait for late deliveries after the last change (default 60; it ends "
                             f"earlier when all arrived or none arrived for {STALL_SECONDS:g} s)")
    parser.add_argument("--selection", choices=("console", "minimal"), default="console",
                        help="what each socket selects: the console board's card (default) or scalars only")
    parser.add_argument("--no-compression", action="store_true",
                        help="do not offer permessage-deflate (browsers offer it, so it is on by default)")
    args = parser.parse_args(argv)
    if not (1 <= args.sockets <= 20_000 and 0 < args.rate <= 200 and 0 < args.seconds <= 120
            and 1 <= args.workers <= 8 and 1 <= args.servers <= 4 and 0 < args.drain <= 1800
            and 1 <= args.communities <= min(500, args.sockets)):
        parser.error("keep --sockets in [1, 20000], --rate in (0, 200], --seconds in (0, 120], --workers in [1, 8], "
                     "--servers in [1, 4], --drain in (0, 1800] and --communities in [1, min(500, --sockets)]")
    if (args.servers > 1 or args.writer) and not args.redis_url:
        parser.error("--servers above 1 and --writer need --redis-url: the processes share events through Redis")
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
