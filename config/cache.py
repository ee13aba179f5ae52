"""A Redis cache backend that keeps one client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache
call; with redis-py 8 that costs more than the round trip itself. The pages
the reader site serves from cache are the hottest path in the product, so
reuse the client (it is thread-safe, like the pool it wraps).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
