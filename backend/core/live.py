"""Live events over sockets: each event is executed once per (document, variables, visibility class), and every
socket of the class gets the same bytes.

A subscription field built on `stream()` (a channel, and `on_event`: the per-event checks and the value to send)
runs in one of four ways:

- **solo**: schema.subscribe outside a socket, callers without a class (anonymous, residents: what they see comes
  from who they are), or a socket whose group could not start. The field keeps its own inbox on the channel; per
  event the caller is loaded again (one batch for every subscriber of the event, `auth.principal` through
  `event_loads`), `on_event` checks and builds the value, and graphql-core executes the selection for this caller.
- **member**: a socket's subscription (core.envelope.CheckedTransportWS sets a `Seat` for the operation's task).
  The subscribe-time checks have run with the caller's own context; the socket then joins the group of its
  (field, channel, document, operation name, variables, visibility class) and its resolver ends. The operation's
  task sends what the group hands it, with its own subscription id spliced in.
- **driver**: one task per group executes the document through the schema (parse cache, limits, coded and masked
  errors, visibility rules) with a context holding exactly the class's rights: the company, the platform-admin
  flag, the grants and the role codes, with no user, session or staff member, so rules that grant something to
  "yourself" do not apply and the class never sees more than any of its members. Per event it re-checks every
  member's caller in one batch read after the event's commit, hands the event to the members whose class is
  unchanged, and evicts the others (signed out, session revoked, role or grant changed) before anything is sent.
- **resume**: an evicted member carries on alone from the very event it was evicted at, with an inbox forked from
  the driver's (Broker.fork: what the driver has yet to read, and everything after), so nothing is lost or sent
  twice. Its resolver runs again with the reloaded caller: a caller who lost the right gets the same error a solo
  stream would give at that event, and the operation completes.

Grouping is sound because every visibility rule is monotone in identity and grants (backend/domains/*/access.py:
a rule that looks at the user, session or staff member only ever adds what the caller may see), so the class
context sees at most what each member sees alone. Members see what the class sees: the same as alone, except for
what a rule shows a person because of who they are (a ticket assigned to them, their own binding;
`Ticket.assignedToViewer` is false). The one field that hides something because of who asks, `Ticket.contactPhone`
(null for the ticket's reporter), shows a staff member who reported the ticket their own phone.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from strawberry.utils.aio import aclosing

from backend.core import metrics
from backend.core.context import Context, Principal, event_loads
from backend.core.pubsub import Fork
from backend.core.runtime import get_runtime

log = logging.getLogger("courtyard.live")

Event = dict[str, Any]
OnEvent = Callable[[Context, Event], Awaitable[Any]]
Wants = Callable[[Event], bool]
ClassKey = tuple[Any, ...]
# Messages a slow socket may have waiting; past this the oldest are dropped (as a Broker inbox does).
MAX_BACKLOG = 1000

# Principal's fields that name a person rather than their rights: the class context holds none of them. A field
# added to Principal must be sorted into one or the other here.
_IDENTITY: dict[str, Any] = {"user_id": 0, "session_id": "", "staff_id": None}
_RIGHTS = {"company_id", "is_platform_admin", "grants", "role_codes"}
if {f.name for f in dataclasses.fields(Principal)} != set(_IDENTITY) | _RIGHTS:
    raise RuntimeError("Principal's fields changed: sort each new one into identity or rights in core/live.py")


def visibility_class(p: Principal | None) -> ClassKey | None:
    """What decides what a staff caller sees, without who they are; None for callers who are not grouped
    (anonymous callers and residents: what they see comes from who they are)."""
    if p is None or (p.company_id is None and not p.is_platform_admin):
        return None
    grants = tuple(sorted(((str(perm), None if scope is None else tuple(sorted(scope)))
                           for perm, scope in p.grants.items()), key=lambda g: g[0]))
    return (p.company_id, p.is_platform_admin, grants, tuple(sorted(p.role_codes)))


def class_principal(p: Principal) -> Principal:
    """The principal of a visibility class: the member's rights, nobody's identity."""
    return dataclasses.replace(p, grants=dict(p.grants), **_IDENTITY)


@dataclasses.dataclass
class Stats:
    executions: int = 0  # group executions (one per event per group)
    deliveries: int = 0  # payloads handed to member sockets
    evictions: int = 0  # members that left their group at an event (signed out, rights changed)
    solo: int = 0  # values executed for one caller alone (solo and resumed streams)


STATS = Stats()


class Seat:
    """One operation of a socket, set by the transport for the operation's task (SEAT)."""

    __slots__ = ("handler", "member", "operation", "resume")

    def __init__(self, handler: Any, operation: Any) -> None:
        self.handler = handler  # strawberry's graphql-transport-ws handler: schema, view, websocket
        self.operation = operation  # id, query, variables, operation_name, completed
        self.member: Member | None = None  # set when the operation's resolver joined a group
        self.resume: Resume | None = None  # set when the group evicted it: where to carry on alone


SEAT: contextvars.ContextVar[Seat | None] = contextvars.ContextVar("courtyard_live_seat", default=None)
_DRIVER: contextvars.ContextVar[Group | None] = contextvars.ContextVar("courtyard_live_driver", default=None)
_GROUPS: dict[tuple[Any, ...], Group] = {}


@dataclasses.dataclass
class Resume:
    """An evicted member's way on alone: the event it was evicted at, and an inbox of everything after it."""

    event: Event
    inbox: Fork


class Member:
    """A socket's subscription in a group: an outbox of serialized payloads, sent by the operation's own task."""

    __slots__ = ("ctx", "done", "dropped", "group", "outbox", "seat", "waiter")

    def __init__(self, group: Group, seat: Seat, ctx: Context) -> None:
        self.group = group
        self.seat = seat
        self.ctx = ctx
        self.outbox: list[str | Resume] = []  # a list, not a deque: most of the time it holds nothing or one item
        self.waiter: asyncio.Future[None] | None = None
        self.done = False
        self.dropped = 0

    def push(self, item: str | Resume) -> None:
        if len(self.outbox) >= MAX_BACKLOG:
            del self.outbox[0]  # only payloads come before a Resume, and nothing after it
            self.dropped += 1
        self.outbox.append(item)
        self._wake()

    def finish(self) -> None:
        self.done = True
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def serve(self, send_text: Callable[[str], Awaitable[None]]) -> Resume | None:
        """Send the group's payloads until the group ends (None) or evicts this socket (its Resume); leaves the
        group when the operation is cancelled (the client completed it, or the socket closed)."""
        operation = self.seat.operation
        prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        try:
            while True:
                while self.outbox:
                    item = self.outbox.pop(0)
                    if isinstance(item, Resume):
                        return item
                    if operation.completed:
                        return None
                    await send_text(prefix + item + "}")
                if self.done:
                    return None
                self.waiter = asyncio.get_running_loop().create_future()
                await self.waiter
                self.waiter = None
        finally:
            self.waiter = None
            self.group.leave(self)


class Group:
    """The sockets subscribed with one (field, channel, document, operation name, variables, visibility class),
    and the task that executes each event for all of them."""

    def __init__(self, key: tuple[Any, ...], seat: Seat, ctx: Context, channel: str) -> None:
        assert ctx.principal is not None
        operation = seat.operation
        self.key = key
        self.klass: ClassKey = key[-1]
        self.channel = channel
        self.schema = seat.handler.schema
        self.encode: Callable[[object], str | bytes] = seat.handler.view.encode_json
        self.query: str = operation.query
        self.variables: dict[str, Any] | None = operation.variables
        self.operation_name: str | None = operation.operation_name
        self.principal = class_principal(ctx.principal)
        self.principal_loader = ctx.principal_loader
        self.authenticator = ctx.authenticator
        self.members: dict[Member, None] = {}  # in joining order
        self.ready: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.inbox: AsyncIterator[Event] | None = None
        self.recipients: list[Member] | None = None  # of the event being executed
        self.closed = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        context = contextvars.copy_context()
        context.run(SEAT.set, None)
        context.run(_DRIVER.set, self)
        self.task = asyncio.get_running_loop().create_task(self._drive(), name=f"live:{self.channel}",
                                                           context=context)

    async def _drive(self) -> None:
        ctx = Context(principal=self.principal)
        try:
            source = await self.schema.subscribe(self.query, variable_values=self.variables, context_value=ctx,
                                                 operation_name=self.operation_name)
            async with aclosing(source):
                async for result in source:
                    if not self.ready.done():
                        break  # refused before subscribing (the class may not subscribe): members go solo
                    self._deliver(result)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a task nobody awaits: log rather than lose it; members complete
            log.exception("live group on %s failed", self.channel)
        finally:
            self.close()

    def _deliver(self, result: Any) -> None:
        recipients, self.recipients = self.recipients, None
        if not recipients:
            return
        # The payload of strawberry's `next` message (Operation.send_next), serialized once for every member.
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        text = self.encode(payload)
        text = text.decode() if isinstance(text, bytes) else text
        STATS.executions += 1
        for member in recipients:
            if member in self.members:  # not those that left while the event was executed
                member.push(text)
                STATS.deliveries += 1

    async def check(self, ctx: Context, event: Event) -> list[Member]:
        """Load every member's caller again (one batch, after the event's commit); the members still in the class
        receive the event, the others are evicted at it."""
        members = list(self.members)
        if not members:
            return []
        tokens = list(dict.fromkeys(m.ctx.authorization for m in members))
        if self.principal_loader is not None:
            answers = list(await ctx.loaders[self.principal_loader].load_many(tokens))
        else:
            assert self.authenticator is not None
            answers = [await self.authenticator(token) for token in tokens]
        # Per credential: (principal, error, still in this class); members sharing a token share the principal.
        found = {token: (principal, error, visibility_class(principal) == self.klass)
                 for token, (principal, error) in zip(tokens, answers, strict=True)}
        recipients: list[Member] = []
        for member in members:
            if member not in self.members:
                continue  # left while the callers were read
            caller = member.ctx  # the socket's own context, reloaded as a solo stream would reload it
            caller.principal, caller.auth_error, same = found[caller.authorization]
            if same:
                recipients.append(member)
            else:
                self._evict(member, event)
        return recipients

    def _evict(self, member: Member, event: Event) -> None:
        del self.members[member]
        STATS.evictions += 1
        assert self.inbox is not None
        try:
            inbox = get_runtime().broker.fork(self.channel, self.inbox)
        except Exception:  # noqa: BLE001 - never expected; the member's operation completes instead
            log.exception("live: could not hand a socket over to a stream of its own")
            member.finish()
            return
        member.push(Resume(event, inbox))

    def leave(self, member: Member) -> None:
        self.members.pop(member, None)
        if not self.members:
            self.close()

    def close(self) -> None:
        """Stop the group: new sockets start another; members send what they hold, then complete."""
        if self.closed:
            return
        self.closed = True
        if _GROUPS.get(self.key) is self:
            del _GROUPS[self.key]
        if not self.ready.done():
            self.ready.set_result(False)
        for member in list(self.members):
            member.finish()
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()


async def _join(seat: Seat, ctx: Context, channel: str, field: str) -> Member | None:
    """Put the socket's subscription into its group (started if need be, and subscribed to the channel before this
    returns); None when it cannot be grouped."""
    klass = visibility_class(ctx.principal)
    if klass is None or not ctx.authorization or (ctx.principal_loader is None and ctx.authenticator is None):
        return None
    operation = seat.operation
    try:
        variables = json.dumps(operation.variables, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    key = (field, channel, operation.query, operation.operation_name, variables, klass)
    group = _GROUPS.get(key)
    if group is None:
        group = _GROUPS[key] = Group(key, seat, ctx, channel)
        group.start()
    member = Member(group, seat, ctx)
    group.members[member] = None
    # The group's copies are equal (they are part of its key): every member's operation keeps the same strings.
    operation.query, operation.variables = group.query, group.variables
    joined = False
    try:
        joined = await asyncio.shield(group.ready)
    finally:
        if not joined:
            group.leave(member)
    return member if joined else None


def _field_key(on_event: OnEvent) -> str:
    return f"{getattr(on_event, '__module__', '')}.{getattr(on_event, '__qualname__', repr(on_event))}"


async def stream(info: Any, channel: str, on_event: OnEvent, *, wants: Wants | None = None
                 ) -> AsyncGenerator[Any, None]:
    """The values of a live field: for each event on `channel` (those `wants` accepts, if given), `on_event(ctx,
    event)` re-checks the caller (reloaded already) and returns the value to send, or None to send nothing; an
    error it raises ends the stream with that error. Call it after the subscribe-time checks."""
    ctx: Context = info.context
    group = _DRIVER.get()
    if group is not None:
        if channel != group.channel:
            raise RuntimeError(f"live group of {group.channel} resolved {channel}")
        async for value in _drive_events(group, ctx, on_event, wants):
            yield value
        return
    seat = SEAT.get()
    if seat is not None and seat.resume is not None:
        resume, seat.resume = seat.resume, None
        async with resume.inbox as events:
            async for value in _solo(ctx, _chain(resume.event, events), on_event, wants):
                yield value
        return
    if seat is not None and seat.member is None:
        member = await _join(seat, ctx, channel, _field_key(on_event))
        if member is not None:
            seat.member = member
            ctx.reset_loaders()  # what the subscribe-time checks read is not needed any more
            return
    async with get_runtime().broker.subscribe(channel) as events:
        async for value in _solo(ctx, events, on_event, wants):
            yield value


async def _drive_events(group: Group, ctx: Context, on_event: OnEvent, wants: Wants | None
                        ) -> AsyncGenerator[Any, None]:
    async with get_runtime().broker.subscribe(group.channel) as events:
        group.inbox = events
        if not group.ready.done():
            group.ready.set_result(True)
        async for event in events:
            if wants is not None and not wants(event):
                continue
            if not group.members:
                return
            ctx.reset_loaders(event_loads(event.get("eid")))
            # An error raised from here on ends the stream: it goes (masked) to the members who would have had the
            # event, as each solo stream would have sent it.
            group.recipients = list(group.members)
            group.recipients = recipients = await group.check(ctx, event)
            if not recipients:
                continue
            value = await on_event(ctx, event)
            if value is None:
                group.recipients = None
                continue
            yield value


async def _solo(ctx: Context, events: AsyncIterator[Event], on_event: OnEvent, wants: Wants | None
                ) -> AsyncGenerator[Any, None]:
    async for event in events:
        if wants is not None and not wants(event):
            continue
        # This process's subscribers of the event load their callers together, after the event's commit: a
        # revoked session or a lost role ends the stream at once (on_event's checks raise).
        ctx.reset_loaders(event_loads(event.get("eid")))
        await ctx.refresh_principal()
        value = await on_event(ctx, event)
        if value is not None:
            STATS.solo += 1
            yield value


async def _chain(first: Event, rest: AsyncIterator[Event]) -> AsyncGenerator[Event, None]:
    yield first
    async for event in rest:
        yield event


class _Collector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        yield CounterMetricFamily("courtyard_live_executions", "Live events executed once for a group of sockets.",
                                  value=STATS.executions)
        yield CounterMetricFamily("courtyard_live_deliveries", "Live event payloads handed to grouped sockets.",
                                  value=STATS.deliveries)
        yield CounterMetricFamily("courtyard_live_evictions",
                                  "Grouped sockets that went on alone (signed out, rights changed).",
                                  value=STATS.evictions)
        yield CounterMetricFamily("courtyard_live_solo", "Live event values executed for one socket alone.",
                                  value=STATS.solo)
        yield GaugeMetricFamily("courtyard_live_groups", "Groups of sockets sharing live event executions.",
                                value=len(_GROUPS))
        yield GaugeMetricFamily("courtyard_live_members", "Sockets' subscriptions in groups.",
                                value=sum(len(g.members) for g in _GROUPS.values()))


metrics.REGISTRY.register(_Collector())
