"""Channels' Redis layer, with connection pools that hold up under a live room's load.

channels_redis 4.3 builds plain redis-py connection pools. With redis-py 8 that breaks twice
under load:

- a plain pool raises "Too many connections" past its limit (100 by default) instead of waiting,
  so a burst of viewers joining leaves some half-joined (stale group members);
- the default 5 s socket read timeout equals the layer's blocking-pop timeout (brpop_timeout),
  so an idle receive sometimes times out in the socket first and the consumer dies with
  TimeoutError (WebSocket close 1011).

This layer gives each Redis host a BlockingConnectionPool (a burst waits for a free connection)
whose sockets have no read timeout, or one longer than brpop_timeout when configured. Connecting
still times out, so an unreachable Redis fails fast.
"""

from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer
from channels_redis.utils import create_pool as create_sentinel_pool
from django.core.exceptions import ImproperlyConfigured
from redis import asyncio as aioredis


class RedisChannelLayer(ChannelsRedisLayer):
    """channels_redis.core.RedisChannelLayer with bounded, blocking, read-timeout-free pools.

    CONFIG takes the parent's options plus: max_connections per host and event loop (100),
    pool_timeout: seconds to wait for a free connection before ConnectionError (30; None waits
    forever), socket_timeout (None; if set, it must exceed brpop_timeout), and
    socket_connect_timeout (5).
    """

    def __init__(
        self,
        *args,
        max_connections: int = 100,
        pool_timeout: float | None = 30,
        socket_timeout: float | None = None,
        socket_connect_timeout: float = 5,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if socket_timeout is not None and socket_timeout <= self.brpop_timeout:
            raise ImproperlyConfigured(
                f"CHANNEL_LAYERS socket_timeout ({socket_timeout}) must be None or more than the layer's "
                f"blocking-pop timeout ({self.brpop_timeout} s), or idle receives die with TimeoutError."
            )
        if max_connections < 2:
            raise ImproperlyConfigured("CHANNEL_LAYERS max_connections must be at least 2 (one is held by receive).")
        self.pool_options = {
            "max_connections": max_connections,
            "timeout": pool_timeout,
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": socket_connect_timeout,
        }

    def create_pool(self, index: int) -> aioredis.ConnectionPool:
        host = dict(self.hosts[index])
        if "master_name" in host:
            # Sentinel pools keep channels_redis' own kind; only the read timeout is ours.
            host.setdefault("socket_timeout", self.pool_options["socket_timeout"])
            return create_sentinel_pool(host)
        options = self.pool_options | host  # a host's own options win
        address = options.pop("address", None)
        if address is not None:
            return aioredis.BlockingConnectionPool.from_url(address, **options)
        return aioredis.BlockingConnectionPool(**options)
