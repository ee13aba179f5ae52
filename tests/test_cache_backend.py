"""The Redis cache backend the reader's page cache uses in production, against a real Redis."""

import time

import pytest
import redis

from config.cache import LISTENER_NAME, ReusingRedisCache

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


# Near caching: keys under NEAR_PREFIXES are kept in each worker and invalidated by Redis.

NEAR_OPTIONS = {"KEY_PREFIX": "test-near-cache", "OPTIONS": {"NEAR_PREFIXES": ["pointer:"]}}


@pytest.fixture
def worker(redis_cache):
    """A second backend instance, as one gunicorn worker sees the cache, with near caching on."""
    backend = ReusingRedisCache(REDIS_URL, NEAR_OPTIONS)
    backend.get("pointer:warm-up")  # starts this worker's listener
    eventually(lambda: backend.near_cache.is_serving)
    return backend


@pytest.fixture
def other_worker(redis_cache):
    return ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": "test-near-cache"})


def eventually(condition, seconds=3.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.01)


def listener_connected():
    return any(client["name"] == LISTENER_NAME for client in redis.Redis.from_url(REDIS_URL).client_list())


def get_calls():
    return redis.Redis.from_url(REDIS_URL).info("commandstats").get("cmdstat_get", {}).get("calls", 0)


def served_from_memory(backend, key):
    before = get_calls()
    backend.get(key)
    return get_calls() == before


def test_near_cached_key_is_read_from_redis_once(worker, other_worker):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    # The write's own invalidation may still be on its way and drop the first copy; then one more read keeps it.
    eventually(lambda: served_from_memory(worker, "pointer:ldn"))
    before = get_calls()

    values = [worker.get("pointer:ldn") for _ in range(50)]

    assert values == [{"etag": "a"}] * 50
    assert get_calls() == before


def test_keys_outside_the_near_prefixes_are_read_from_redis_every_time(worker, other_worker):
    other_worker.set("page:ldn", b"<html>", 60)
    before = get_calls()

    for _ in range(5):
        worker.get("page:ldn")

    assert get_calls() == before + 5


def test_a_write_by_another_worker_reaches_the_near_cache(worker, other_worker):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    assert worker.get("pointer:ldn") == {"etag": "a"}

    other_worker.set("pointer:ldn", {"etag": "b"}, 60)

    eventually(lambda: worker.get("pointer:ldn") == {"etag": "b"}, seconds=0.5)


def test_a_delete_by_another_worker_reaches_the_near_cache(worker, other_worker):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    assert worker.get("pointer:ldn") == {"etag": "a"}

    other_worker.delete_many(["pointer:ldn"])

    eventually(lambda: worker.get("pointer:ldn", "gone") == "gone", seconds=0.5)


def test_a_missing_key_is_remembered_until_it_is_written(worker, other_worker):
    assert worker.get("pointer:new", "absent") == "absent"
    assert served_from_memory(worker, "pointer:new")

    other_worker.set("pointer:new", {"etag": "c"}, 60)

    eventually(lambda: worker.get("pointer:new") == {"etag": "c"}, seconds=0.5)


def test_a_value_changed_while_it_was_being_read_is_not_kept(worker, other_worker):
    other_worker.set("pointer:ldn", {"etag": "old"}, 60)

    def read_then_see_it_change():
        value = worker._cache.get(worker.make_and_validate_key("pointer:ldn"), None)
        other_worker.set("pointer:ldn", {"etag": "new"}, 60)
        time.sleep(0.1)  # the invalidation arrives while this read is still in flight
        return value

    assert worker.near_cache.get(worker.make_and_validate_key("pointer:ldn"), read_then_see_it_change) == {
        "etag": "old"
    }
    assert worker.get("pointer:ldn") == {"etag": "new"}


def test_changing_what_a_caller_got_changes_nothing_in_the_near_cache(worker, other_worker):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    worker.get("pointer:ldn")["etag"] = "tampered"

    assert worker.get("pointer:ldn") == {"etag": "a"}


def test_when_the_listener_is_cut_off_the_near_cache_is_not_trusted(worker, other_worker):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    assert worker.get("pointer:ldn") == {"etag": "a"}
    admin = redis.Redis.from_url(REDIS_URL)

    for client in admin.client_list():
        if client["name"] == LISTENER_NAME:
            admin.client_kill_filter(_id=client["id"])
    other_worker.set("pointer:ldn", {"etag": "b"}, 60)

    eventually(lambda: worker.get("pointer:ldn") == {"etag": "b"}, seconds=0.5)
    eventually(lambda: listener_connected() and worker.near_cache.is_serving)
