"""Event fan-out, in process and (with TEST_REDIS_URL) through Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from backend.core.pubsub import Broker, InProcessBroker, RedisBroker, create_broker

REDIS_URL = os.environ.get("TEST_REDIS_URL")
# Built at import time: without TEST_REDIS_URL the Redis variants do not exist at all.
BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])

MakeBroker = Callable[..., Awaitable[Broker]]


@pytest.fixture(params=BACKENDS)
async def make_broker(request: pytest.FixtureRequest) -> AsyncIterator[MakeBroker]:
    """Starts brokers on the chosen backend; Redis ones share this test's unique channel prefix."""
    prefix = f"test-ps:{uuid.uuid4().hex}:"
    started: list[Broker] = []

    async def make(**options: Any) -> Broker:
        broker: Broker
        if request.param == "memory":
            broker = InProcessBroker(**options)
        else:
            assert REDIS_URL is not None
            broker = RedisBroker(REDIS_URL, prefix=prefix, **options)
        started.append(broker)
        await broker.start()  # an unreachable Redis fails here rather than skipping
        return broker

    try:
        yield make
    finally:
        for broker in started:
            await broker.stop()


async def next_event(events: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    async with asyncio.timeout(5):
        return await anext(events)


async def test_subscriber_receives_published_events(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("tickets:42") as events:
        await broker.publish("tickets:42", {"type": "ticket.updated", "id": 42, "title": "漏水"})
        assert await next_event(events) == {"type": "ticket.updated", "id": 42, "title": "漏水"}


async def test_every_subscriber_of_a_channel_and_only_them(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("tickets:1") as first, broker.subscribe("tickets:1") as second:
        async with broker.subscribe("tickets:2") as other:
            assert broker.subscriber_count() == 3
            await broker.publish("tickets:1", {"n": 1})
            await broker.publish("tickets:2", {"n": 2})
            assert await next_event(first) == {"n": 1}
            assert await next_event(second) == {"n": 1}
            # Had tickets:1's event reached this subscriber, it would come first.
            assert await next_event(other) == {"n": 2}


async def test_events_arrive_in_order(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("c") as events:
        for n in range(20):
            await broker.publish("c", {"n": n})
        assert [(await next_event(events))["n"] for _ in range(20)] == list(range(20))


async def test_leaving_the_block_unsubscribes(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("c"):
        assert broker.subscriber_count() == 1
    assert broker.subscriber_count() == 0
    await broker.publish("c", {"n": 1})  # nobody listens: not an error
    # The channel can be joined again and works as before.
    async with broker.subscribe("c") as events:
        await broker.publish("c", {"n": 2})
        assert await next_event(events) == {"n": 2}


async def test_a_slow_subscriber_loses_the_oldest_events(make_broker: MakeBroker) -> None:
    broker = await make_broker(queue_size=3)
    async with broker.subscribe("c") as slow, broker.subscribe("c") as fast:
        for n in range(10):
            await broker.publish("c", {"n": n})  # never waits for the slow subscriber
        await broker.publish("c", {"n": "end"})
        # Once another subscriber has seen the last event, the slow one has been offered it too.
        while (await next_event(fast))["n"] != "end":
            pass
        assert [(await next_event(slow))["n"] for _ in range(3)] == [8, 9, "end"]


async def test_subscribers_get_their_own_copy(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("c") as first, broker.subscribe("c") as second:
        await broker.publish("c", {"tags": ["a"]})
        (await next_event(first))["tags"].append("changed")
        assert await next_event(second) == {"tags": ["a"]}


async def test_events_must_be_json(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    with pytest.raises(TypeError):
        await broker.publish("c", {"when": object()})


async def test_stop_ends_open_subscriptions(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    received: list[dict[str, Any]] = []
    entered = asyncio.Event()

    async def listen() -> None:
        async with broker.subscribe("c") as events:
            entered.set()
            async for event in events:
                received.append(event)

    listener = asyncio.create_task(listen())
    await asyncio.wait_for(entered.wait(), 5)
    await broker.stop()
    await asyncio.wait_for(listener, 5)
    assert received == []
    assert broker.subscriber_count() == 0


async def test_a_cancelled_subscriber_is_removed(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    entered = asyncio.Event()

    async def listen() -> None:
        async with broker.subscribe("c") as events:
            entered.set()
            async for _ in events:
                pass

    listener = asyncio.create_task(listen())
    await asyncio.wait_for(entered.wait(), 5)
    listener.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listener
    assert broker.subscriber_count() == 0


async def test_a_fork_holds_what_its_source_has_yet_to_yield_and_everything_after(make_broker: MakeBroker) -> None:
    # given a subscriber that has read one of three events
    broker = await make_broker()
    async with broker.subscribe("c") as source:
        for n in range(3):
            await broker.publish("c", {"n": n})
        assert (await next_event(source))["n"] == 0
        # when it is forked, and more events follow
        fork = broker.fork("c", source)
        await broker.publish("c", {"n": 3})
        # then the fork yields the rest, once each and in order, whether or not its source goes on
        async with fork as events:
            assert [(await next_event(events))["n"] for _ in range(3)] == [1, 2, 3]
            assert [(await next_event(source))["n"] for _ in range(3)] == [1, 2, 3]
        assert broker.subscriber_count() == 1
    assert broker.subscriber_count() == 0
    # a fork is registered at once, and released even if it is never opened
    async with broker.subscribe("d") as source:
        unopened = broker.fork("d", source)
        assert broker.subscriber_count() == 2
        await unopened.aclose()
        assert broker.subscriber_count() == 1
        with pytest.raises(ValueError):
            broker.fork("other", source)


async def test_create_broker_without_redis_is_in_process() -> None:
    broker = create_broker(None)
    await broker.start()
    try:
        async with broker.subscribe("c") as events:
            await broker.publish("c", {"ok": True})
            assert await next_event(events) == {"ok": True}
    finally:
        await broker.stop()


if REDIS_URL:
    # Only defined with TEST_REDIS_URL: two brokers stand for two worker processes.

    async def test_redis_delivers_events_from_another_process() -> None:
        assert REDIS_URL is not None
        prefix = f"test-ps:{uuid.uuid4().hex}:"
        sender, receiver = RedisBroker(REDIS_URL, prefix=prefix), RedisBroker(REDIS_URL, prefix=prefix)
        await sender.start()
        await receiver.start()
        try:
            async with receiver.subscribe("tickets:7") as events, receiver.subscribe("tickets:7") as again:
                await sender.publish("tickets:7", {"id": 7})
                assert await next_event(events) == {"id": 7}
                assert await next_event(again) == {"id": 7}
            # After the last local subscriber left, this process no longer holds the Redis channel.
            # Polled: the UNSUBSCRIBE travels on another connection than this check.
            async with aioredis.Redis.from_url(REDIS_URL) as admin:
                for _ in range(250):
                    holders = (await admin.pubsub_numsub(prefix + "tickets:7"))[0][1]
                    if holders == 0:
                        break
                    await asyncio.sleep(0.02)
                assert holders == 0
            async with sender.subscribe("tickets:7") as own:
                await receiver.publish("tickets:7", {"id": 8})
                assert await next_event(own) == {"id": 8}
        finally:
            await sender.stop()
            await receiver.stop()

    async def test_create_broker_with_redis_url() -> None:
        broker = create_broker(REDIS_URL)
        await broker.start()
        try:
            channel = f"test-ps:{uuid.uuid4().hex}"
            async with broker.subscribe(channel) as events:
                await broker.publish(channel, {"ok": True})
                assert await next_event(events) == {"ok": True}
        finally:
            await broker.stop()
