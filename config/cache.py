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

Redis is a cache, not a dependency: while it cannot be reached, this backend
answers misses and drops writes instead of raising, and holds deletes back
until Redis takes them (see `ReusingRedisCache`). This is the one place that
catches the Redis client's errors; callers never see them.
"""

import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
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


# The errors of a Redis that cannot be reached or does not answer in time (BusyLoadingError is one).
OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


class ReusingRedisCache(RedisCache):
    """Django's Redis cache with one client per pool, near caching, and a site that survives Redis.

    While Redis cannot be reached, reads answer a miss, writes are dropped, an
    `incr` answers as if the key were missing, and deletes are kept and sent
    again every second until Redis takes them (a delete is a purge: losing one
    could leave a page readers must no longer see). Nothing raises to the
    caller; a warning is logged when Redis goes away and when it comes back.
    After a failure, calls skip Redis for `OUTAGE_BACKOFF` seconds, so that an
    unreachable Redis costs one connection timeout per second per worker, not
    one per call.
    """

    OUTAGE_BACKOFF = 1.0
    RETRY_DELAY = 1.0
    # A Redis that does not answer must not hold up a request for long.
    DEFAULT_POOL_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}

    def __init__(self, server, params):
        options = params.get("OPTIONS", {})
        near_prefixes = options.get("NEAR_PREFIXES", ())
        pool_options = {**self.DEFAULT_POOL_OPTIONS, **{k: v for k, v in options.items() if k != "NEAR_PREFIXES"}}
        super().__init__(server, {**params, "OPTIONS": pool_options})
        self._class = ReusingRedisCacheClient
        self.near_cache = (
            NearCache(self, [self.make_key(prefix) for prefix in near_prefixes]) if near_prefixes else None
        )
        self._outage_lock = threading.Lock()
        self._down_since: float | None = None
        self._skip_until = 0.0
        self._undelivered: set[str] = set()
        self._retry_pid = None

    @property
    def is_unreachable(self) -> bool:
        """Whether the last call found Redis unreachable (and it has not answered since)."""
        return self._down_since is not None

    def _degrading(self, call, degraded):
        """Run `call()` against Redis, or answer `degraded` while Redis cannot be reached."""
        if self._down_since is not None and time.monotonic() < self._skip_until:
            return degraded
        try:
            result = call()
        except OUTAGE_ERRORS as error:
            self._went_down(error)
            return degraded
        if self._down_since is not None:
            self._came_back()
        return result

    def _went_down(self, error) -> None:
        with self._outage_lock:
            first = self._down_since is None
            now = time.monotonic()
            if first:
                self._down_since = now
            self._skip_until = now + self.OUTAGE_BACKOFF
        if first:
            logger.warning(
                "Redis cannot be reached (%s): pages are rendered from the database, follow-up questions are not "
                "rate-limited, and cache deletes are held back and retried.",
                error,
            )

    def _came_back(self) -> None:
        with self._outage_lock:
            if self._down_since is None:
                return
            seconds, self._down_since = time.monotonic() - self._down_since, None
        logger.warning("Redis answers again, after %.1f seconds.", seconds)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        if self.near_cache is not None and self.near_cache.covers(key):
            value = self._degrading(lambda: self.near_cache.get(key, lambda: self._cache.get(key, _MISSING)), _MISSING)
        else:
            value = self._degrading(lambda: self._cache.get(key, _MISSING), _MISSING)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None):
        return self._degrading(lambda: super(ReusingRedisCache, self).get_many(keys, version=version), {})

    def has_key(self, key, version=None):
        return self._degrading(lambda: super(ReusingRedisCache, self).has_key(key, version=version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._degrading(lambda: super(ReusingRedisCache, self).set(key, value, timeout, version=version), None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrading(lambda: super(ReusingRedisCache, self).add(key, value, timeout, version=version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = list(data)
        return self._degrading(lambda: super(ReusingRedisCache, self).set_many(data, timeout, version=version), failed)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrading(lambda: super(ReusingRedisCache, self).touch(key, timeout, version=version), False)

    def incr(self, key, delta=1, version=None):
        result = self._degrading(lambda: super(ReusingRedisCache, self).incr(key, delta, version=version), _MISSING)
        if result is _MISSING:
            raise ValueError(f"Key {key!r} not found (Redis cannot be reached).")
        return result

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._delete_now_or_later([key]) or False

    def delete_many(self, keys, version=None):
        if keys:
            self._delete_now_or_later([self.make_and_validate_key(key, version=version) for key in keys])

    def clear(self):
        return self._degrading(lambda: super(ReusingRedisCache, self).clear(), False)

    def _delete_now_or_later(self, keys: list[str]):
        """Delete `keys` now; if Redis cannot take it, keep them and retry until it can."""
        if self.near_cache is not None:
            self.near_cache.forget(keys)  # this process stops serving them at once, whatever Redis says
        deleted = self._degrading(lambda: self._cache.get_client(write=True).delete(*keys), _MISSING)
        if deleted is not _MISSING:
            return bool(deleted)
        with self._outage_lock:
            self._undelivered.update(keys)
            start = self._retry_pid != os.getpid()
            self._retry_pid = os.getpid()
        if start:
            threading.Thread(target=self._retry_undelivered, name="cache-delete-retry", daemon=True).start()
        return None

    def _retry_undelivered(self) -> None:
        """Send held-back deletes every RETRY_DELAY seconds until Redis takes them all, then stop."""
        while True:
            time.sleep(self.RETRY_DELAY)
            with self._outage_lock:
                keys = list(self._undelivered)
                if not keys:
                    self._retry_pid = None
                    return
            try:
                self._cache.get_client(write=True).delete(*keys)
            except OUTAGE_ERRORS:
                continue
            with self._outage_lock:
                self._undelivered.difference_update(keys)
            logger.warning("Delivered %d cache deletes held back while Redis could not be reached.", len(keys))


class NearCache:
    """Each worker's copy of some Redis keys, forgotten when Redis reports they changed.

    A copy is kept only if no invalidation arrived while it was being read, so
    a write that races a read can never leave an old value behind. Values are
    kept pickled, so a caller that changes what it got changes nothing here.

    Bounded in entries and in bytes, least recently used first out: readers
    (or crawlers) asking for many slugs, real or made up, cost each worker at
    most `MAX_ENTRIES` copies and `MAX_BYTES` of pickled values. A key Redis
    does not hold is remembered within the same bounds, so made-up slugs
    evict each other (and at worst the coldest real pointers), never grow memory.
    """

    MAX_ENTRIES = 10_000
    MAX_BYTES = 8 * 1024 * 1024  # of pickled values and their keys
    HEALTH_INTERVAL = 1.0  # seconds of silence before the listener checks its connection
    HEALTH_TIMEOUT = 1.0  # seconds Redis has to answer that check
    RETRY_DELAY = 1.0

    def __init__(self, backend: RedisCache, prefixes: list[str]):
        self._backend = backend
        self._prefixes = tuple(prefixes)
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._generation = 0
        self._listening = False
        self._pid = None
        self._stopped = False

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
            if stored is not None:
                self._entries.move_to_end(key)
            generation = self._generation
        if stored is not None:
            return _MISSING if stored == _KNOWN_MISSING else pickle.loads(stored)  # noqa: S301 - pickled here
        value = load()
        with self._lock:
            if self._listening and self._generation == generation:
                self._keep(key, _KNOWN_MISSING if value is _MISSING else pickle.dumps(value))
        return value

    @property
    def size(self) -> tuple[int, int]:
        """How many copies this process keeps, and their bytes (keys and pickled values)."""
        with self._lock:
            return len(self._entries), self._bytes

    def _keep(self, key: str, stored: bytes) -> None:
        """Keep a copy (the lock held), then drop the least recently used until within both bounds."""
        self._drop(key)
        self._entries[key] = stored
        self._bytes += len(key) + len(stored)
        while self._entries and (len(self._entries) > self.MAX_ENTRIES or self._bytes > self.MAX_BYTES):
            oldest, value = self._entries.popitem(last=False)
            self._bytes -= len(oldest) + len(value)

    def _drop(self, key: str) -> None:
        stored = self._entries.pop(key, None)
        if stored is not None:
            self._bytes -= len(key) + len(stored)

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def forget(self, keys) -> None:
        """Drop this process's copies of `keys` (all of them for None)."""
        with self._lock:
            self._generation += 1
            if keys is None:
                self._clear()
            else:
                for key in keys:
                    self._drop(key.decode() if isinstance(key, bytes) else key)

    def _stop_serving(self) -> None:
        with self._lock:
            self._listening = False
            self._generation += 1
            self._clear()

    def _start_listener_once_per_process(self) -> None:
        """Start the listener thread in this process (a forked worker does not inherit the parent's)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._listening = False
            self._clear()
        threading.Thread(target=self._listen_forever, name="near-cache-invalidation", daemon=True).start()

    def stop(self) -> None:
        """Stop listening and serving in this process (for tests, which make many backends)."""
        self._stopped = True
        self._stop_serving()

    def _listen_forever(self) -> None:
        logged = False
        while not self._stopped:
            try:
                self._listen()
            except (redis.RedisError, OSError) as error:
                if self.is_serving or not logged:  # once per outage, not once per retry
                    logger.warning("Near cache: lost the Redis invalidation listener (%s); reading from Redis.", error)
                    logged = True
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
                self._clear()
                self._generation += 1
                self._listening = not self._stopped
            while not self._stopped:
                if not connection.can_read(timeout=self.HEALTH_INTERVAL):
                    connection.send_command("PING")
                    if not connection.can_read(timeout=self.HEALTH_TIMEOUT):
                        return
                message = connection.read_response()
                if isinstance(message, list) and message[0] == b"message":
                    self.forget(message[2])
        finally:
            connection.disconnect()
