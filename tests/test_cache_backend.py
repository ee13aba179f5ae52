"""The Redis cache backend the reader's page cache uses in production, against a real Redis."""

import pytest
import redis

from config.cache import ReusingRedisCache

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    backend = ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": "test-cache-backend"})
    yield backend
    backend.clear()


def test_reusing_redis_cache_stores_reads_and_deletes(redis_cache):
    redis_cache.set("page", {"content": b"<html>", "etag": '"abc"'}, 60)
    assert redis_cache.get("page") == {"content": b"<html>", "etag": '"abc"'}
    redis_cache.delete_many(["page"])
    assert redis_cache.get("page") is None


def test_reusing_redis_cache_keeps_one_client(redis_cache):
    redis_cache.get("a")
    redis_cache.get("b")
    client = redis_cache._cache
    assert client.get_client("a") is client.get_client("b")
