"""The Redis cache backend: one client per connection pool, and near caching of hot keys.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache
call; with redis-py 8 that costs more than the round trip itself. The pages
the reader site serves from cache are the hottest path in the product, so
reuse the client (it is thread-safe, like the pool it wraps).

Keys under the prefixes named in OPTIONS["NEAR_PREFIXES"] are also kept in
each worker's memory, and Redis itself says when to forget them: a listener
connection turns on server-assisted client-side caching (CLIENT TRACKING in
broadcast mode, Redis 6 or later), so any write, delete, expiry or flush of
such a key anywhere reaches every worker within moments. While the listener
is not connected and answering, nothing is served from memory.
"""

import logging
import os
import pickle
import threading
import time
from collections.abc import Callable

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

INVALIDATION_CHANNEL = "__redis__:invalidate"
LISTENER_NAME = "near-cache-listener"  # as CLIENT LIST shows it
_MISSING = object()
_KNOWN_MISSING = b""  # what a near cache keeps for a key Redis does not hold (no pickle is empty)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        near_prefixes = params.get("OPTIONS", {}).get("NEAR_PREFIXES", ())
        params = {**params, "OPTIONS": {k: v for k, v in params.get("OPTIONS", {}).items() if k != "NEAR_PREFIXES"}}
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self.near_cache = (
            NearCache(self, [self.make_key(prefix) for prefix in near_prefixes]) if near_prefixes else None
        )

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        if self.near_cache is not None and self.near_cache.covers(key):
            value = self.near_cache.get(key, lambda: self._cache.get(key, _MISSING))
        else:
            value = self._cache.get(key, _MISSING)
        return default if value is _MISSING else value


class NearCache:
    """Each worker's copy of some Redis keys, forgotten when Redis reports they changed.

    A copy is kept only if no invalidation arrived while it was being read, so
    a write that races a read can never leave an old value behind. Values are
    kept pickled, so a caller that changes what it got changes nothing here.
    """

    HEALTH_INTERVAL = 1.0  # seconds of silence before the listener checks its connection
    HEALTH_TIMEOUT = 1.0  # seconds Redis has to answer that check
    RETRY_DELAY = 1.0

    def __init__(self, backend: RedisCache, prefixes: list[str]):
        self._backend = backend
        self._prefixes = tuple(prefixes)
        self._lock = threading.Lock()
        self._entries: dict[str, bytes] = {}
        self._generation = 0
        self._listening = False
        self._pid = None

    @property
    def is_serving(self) -> bool:
        """Whether Redis is tracking our keys for this process, so copies in memory can be trusted."""
        with self._lock:
            return self._listening and self._pid == os.getpid()

    def covers(self, key: str) -> bool:
        return key.startswith(self._prefixes)

    def get(self, key: str, load: Callable[[], object]):
        """The value of `key`: from memory while Redis is tracking it for us, else from `load`.

        `load` returns the module's `_MISSING` for a key Redis does not hold; that is kept too.
        """
        self._start_listener_once_per_process()
        with self._lock:
            if not self._listening:
                return load()
            stored = self._entries.get(key)
            generation = self._generation
        if stored is not None:
            return _MISSING if stored == _KNOWN_MISSING else pickle.loads(stored)  # noqa: S301 - pickled here
        value = load()
        with self._lock:
            if self._listening and self._generation == generation:
                self._entries[key] = _KNOWN_MISSING if value is _MISSING else pickle.dumps(value)
        return value

    def _forget(self, keys) -> None:
        with self._lock:
            self._generation += 1
            if keys is None:
                self._entries.clear()
            else:
                for key in keys:
                    self._entries.pop(key.decode() if isinstance(key, bytes) else key, None)

    def _stop_serving(self) -> None:
        with self._lock:
            self._listening = False
            self._generation += 1
            self._entries.clear()

    def _start_listener_once_per_process(self) -> None:
        """Start the listener thread in this process (a forked worker does not inherit the parent's)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._listening, self._entries = False, {}
        threading.Thread(target=self._listen_forever, name="near-cache-invalidation", daemon=True).start()

    def _listen_forever(self) -> None:
        while True:
            try:
                self._listen()
            except (redis.RedisError, OSError) as error:
                logger.warning("Near cache: lost the Redis invalidation listener (%s); reading from Redis.", error)
            self._stop_serving()
            time.sleep(self.RETRY_DELAY)

    def _listen(self) -> None:
        """Subscribe to invalidations of our prefixes, then apply them until the connection fails."""
        pool = self._backend._cache._get_connection_pool(False)
        # Invalidations arrive as Pub/Sub messages on RESP2; redirecting them to this very connection
        # keeps tracking and listening on one socket, so they fail together.
        connection = pool.connection_class(**{**pool.connection_kwargs, "protocol": 2})
        try:
            connection.connect()
            connection.send_command("CLIENT", "SETNAME", LISTENER_NAME)
            connection.read_response()
            connection.send_command("CLIENT", "ID")
            client_id = connection.read_response()
            prefixes = [part for prefix in self._prefixes for part in ("PREFIX", prefix)]
            connection.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST", *prefixes)
            connection.read_response()
            connection.send_command("SUBSCRIBE", INVALIDATION_CHANNEL)
            connection.read_response()
            with self._lock:
                self._entries.clear()
                self._generation += 1
                self._listening = True
            while True:
                if not connection.can_read(timeout=self.HEALTH_INTERVAL):
                    connection.send_command("PING")
                    if not connection.can_read(timeout=self.HEALTH_TIMEOUT):
                        return
                message = connection.read_response()
                if isinstance(message, list) and message[0] == b"message":
                    self._forget(message[2])
        finally:
            connection.disconnect()
