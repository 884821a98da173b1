"""The Redis channel layer (config.channel_layers) against a real Redis.

Uses REDIS_TEST_URL (default redis://127.0.0.1:6379/15) and a fresh key prefix per test, flushed
afterwards, so nothing else in that Redis is touched.
"""

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings
from redis import asyncio as aioredis

from config.channel_layers import RedisChannelLayer
from tests.conftest import require

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def make_layer():
    require(_redis_answers(), f"Redis does not answer at {REDIS_TEST_URL} (set REDIS_TEST_URL or start redis-server)")
    layers = []

    def make(**config) -> RedisChannelLayer:
        layer = RedisChannelLayer(hosts=[REDIS_TEST_URL], prefix=f"test-layer-{uuid.uuid4().hex[:10]}", **config)
        layers.append(layer)
        return layer

    yield make

    async def flush_all():
        for layer in layers:
            await layer.flush()

    asyncio.run(flush_all())


def test_group_send_reaches_every_member(make_layer):
    layer = make_layer()

    async def scenario():
        channels = [await layer.new_channel() for _ in range(5)]
        for channel in channels:
            await layer.group_add("live.room.1", channel)
        outsider = await layer.new_channel()
        await layer.group_send("live.room.1", {"type": "live.event", "text": '{"type":"pin"}'})
        received = [await asyncio.wait_for(layer.receive(channel), 5) for channel in channels]
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(outsider), 0.5)
        await layer.close_pools()
        return received

    received = asyncio.run(scenario())

    assert received == [{"type": "live.event", "text": '{"type":"pin"}'}] * 5


def test_receive_survives_when_idle_longer_than_redis_default_socket_timeout(make_layer):
    # redis-py 8's default read timeout is 5 s, as long as the layer's blocking pop: a receive
    # idle past it must keep waiting, not die with TimeoutError.
    layer = make_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("live.room.2", channel)
        waiting = asyncio.create_task(layer.receive(channel))
        await asyncio.sleep(6.5)
        assert not waiting.done(), waiting.exception() if waiting.done() else None
        await layer.group_send("live.room.2", {"type": "live.event", "text": "after-idle"})
        message = await asyncio.wait_for(waiting, 5)
        await layer.close_pools()
        return message

    assert asyncio.run(scenario()) == {"type": "live.event", "text": "after-idle"}


def test_burst_of_joins_waits_for_connections_when_more_than_the_pool_holds(make_layer):
    # A plain redis-py 8 pool raises "Too many connections" here; a blocking one queues.
    layer = make_layer(max_connections=4)

    async def scenario():
        channels = [await layer.new_channel() for _ in range(60)]
        await asyncio.gather(*(layer.group_add("live.room.3", channel) for channel in channels))
        for i in range(3):
            await layer.group_send("live.room.3", {"type": "live.event", "text": str(i)})

        async def three(channel):
            return [await asyncio.wait_for(layer.receive(channel), 10) for _ in range(3)]

        received = [message for messages in await asyncio.gather(*map(three, channels)) for message in messages]
        pool = layer.connection(0).connection_pool
        await layer.close_pools()
        return received, pool

    received, pool = asyncio.run(scenario())

    assert len(received) == 180
    assert isinstance(pool, aioredis.BlockingConnectionPool)
    assert pool.max_connections == 4
    assert pool.connection_kwargs["socket_timeout"] is None


def test_layer_is_misconfigured_when_its_socket_timeout_is_not_above_the_blocking_pop():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="socket_timeout"):
        RedisChannelLayer(hosts=[REDIS_TEST_URL], socket_timeout=5)


def test_settings_use_this_layer_when_redis_url_is_set():
    code = "from django.conf import settings; print(settings.CHANNEL_LAYERS['default']['BACKEND'])"
    env = os.environ | {"REDIS_URL": "redis://127.0.0.1:6379/0", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )

    assert out.stdout.strip() == "config.channel_layers.RedisChannelLayer"
