"""The Redis cache backend the reader's page cache uses in production, against a real Redis of the tests' own."""

import time

import pytest

from config.cache import LISTENER_NAME, ReusingRedisCache
from tests.redis_server import eventually, redis_server  # noqa: F401 - a fixture


@pytest.fixture
def backends():
    """Backends made by a test, whose near-cache listeners are stopped after it."""
    made = []
    yield made
    for backend in made:
        if backend.near_cache is not None:
            backend.near_cache.stop()


@pytest.fixture
def redis_cache(redis_server, backends):  # noqa: F811
    backend = ReusingRedisCache(redis_server.url, {"KEY_PREFIX": "test-cache-backend"})
    backends.append(backend)
    return backend


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
def worker(redis_server, backends):  # noqa: F811
    """A backend instance, as one gunicorn worker sees the cache, with near caching on."""
    backend = ReusingRedisCache(redis_server.url, NEAR_OPTIONS)
    backends.append(backend)
    backend.get("pointer:warm-up")  # starts this worker's listener
    eventually(lambda: backend.near_cache.is_serving)
    return backend


@pytest.fixture
def other_worker(redis_server, backends):  # noqa: F811
    backend = ReusingRedisCache(redis_server.url, {"KEY_PREFIX": "test-near-cache"})
    backends.append(backend)
    return backend


@pytest.fixture
def admin(redis_server):  # noqa: F811
    """A plain client of the tests' own Redis, whose counts are this test's traffic only."""
    return redis_server.client()


def listener_connected(admin):
    return any(client["name"] == LISTENER_NAME for client in admin.client_list())


def get_calls(admin):
    return admin.info("commandstats").get("cmdstat_get", {}).get("calls", 0)


def served_from_memory(admin, backend, key):
    before = get_calls(admin)
    backend.get(key)
    return get_calls(admin) == before


def test_near_cached_key_is_read_from_redis_once(worker, other_worker, admin):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    # The write's own invalidation may still be on its way and drop the first copy; then one more read keeps it.
    eventually(lambda: served_from_memory(admin, worker, "pointer:ldn"))
    before = get_calls(admin)

    values = [worker.get("pointer:ldn") for _ in range(50)]

    assert values == [{"etag": "a"}] * 50
    assert get_calls(admin) == before


def test_keys_outside_the_near_prefixes_are_read_from_redis_every_time(worker, other_worker, admin):
    other_worker.set("page:ldn", b"<html>", 60)
    before = get_calls(admin)

    for _ in range(5):
        worker.get("page:ldn")

    assert get_calls(admin) == before + 5


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


def test_a_missing_key_is_remembered_until_it_is_written(worker, other_worker, admin):
    assert worker.get("pointer:new", "absent") == "absent"
    assert served_from_memory(admin, worker, "pointer:new")

    other_worker.set("pointer:new", {"etag": "c"}, 60)

    eventually(lambda: worker.get("pointer:new") == {"etag": "c"}, seconds=0.5)


def test_near_cache_keeps_at_most_its_entry_bound_of_made_up_slugs(worker):
    worker.near_cache.MAX_ENTRIES = 1_000

    for number in range(10_000):
        worker.get(f"pointer:made-up-{number}")

    assert worker.near_cache.size[0] == 1_000


def test_near_cache_keeps_at_most_its_byte_bound(worker, other_worker):
    worker.near_cache.MAX_BYTES = 50_000
    for number in range(200):
        other_worker.set(f"pointer:big-{number}", "x" * 1_000, 60)

    for number in range(200):
        worker.get(f"pointer:big-{number}")

    assert worker.near_cache.size[1] <= 50_000


def test_near_cache_drops_the_least_recently_used_first(worker, admin):
    worker.near_cache.MAX_ENTRIES = 2
    worker.get("pointer:first")
    worker.get("pointer:second")
    worker.get("pointer:first")

    worker.get("pointer:third")

    assert served_from_memory(admin, worker, "pointer:first")


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


def test_when_the_listener_is_cut_off_the_near_cache_is_not_trusted(worker, other_worker, admin):
    other_worker.set("pointer:ldn", {"etag": "a"}, 60)
    assert worker.get("pointer:ldn") == {"etag": "a"}

    for client in admin.client_list():
        if client["name"] == LISTENER_NAME:
            admin.client_kill_filter(_id=client["id"])
    other_worker.set("pointer:ldn", {"etag": "b"}, 60)

    eventually(lambda: worker.get("pointer:ldn") == {"etag": "b"}, seconds=0.5)
    eventually(lambda: listener_connected(admin) and worker.near_cache.is_serving)


# Redis out of reach: the site answers from the database instead of failing.


@pytest.fixture
def unreachable_cache(backends):
    """A backend pointed at a port nothing listens on."""
    from tests.redis_server import free_port

    backend = ReusingRedisCache(f"redis://127.0.0.1:{free_port()}/0", NEAR_OPTIONS)
    backends.append(backend)
    return backend


def test_an_unreachable_redis_answers_misses_and_drops_writes(unreachable_cache, caplog):
    cache = unreachable_cache

    answers = [
        cache.get("pointer:ldn", "miss"),
        cache.get("page:ldn", "miss"),
        cache.get_many(["page:ldn"]),
        cache.has_key("page:ldn"),
        cache.set("page:ldn", b"<html>", 60),
        cache.add("page:ldn", b"<html>", 60),
        cache.delete("page:ldn"),
        cache.delete_many(["pointer:ldn"]),
    ]

    assert answers == ["miss", "miss", {}, False, None, False, False, None]
    with pytest.raises(ValueError, match="not found"):
        cache.incr("questions")
    port = cache._servers[0].rsplit(":", 1)[1].split("/")[0]
    outage_warnings = [
        record
        for record in caplog.records
        if record.getMessage().startswith("Redis cannot be reached") and f":{port}." in record.getMessage()
    ]
    assert [record.levelname for record in outage_warnings] == ["WARNING"]  # once per outage, not once per call


def test_a_delete_redis_could_not_take_is_sent_once_it_answers_again(redis_server, backends, admin):  # noqa: F811
    redis_server.stop()
    cache = ReusingRedisCache(redis_server.url, {"KEY_PREFIX": "test-cache-backend"})
    backends.append(cache)
    cache.RETRY_DELAY = 3.0  # time enough to bring Redis back with the pointer before the first retry
    cache.delete_many(["pointer"])  # refused: held back
    redis_server.start()
    admin.set(cache.make_key("pointer"), b"the page of a withdrawn article")  # as Redis kept it through an outage

    eventually(lambda: not admin.exists(cache.make_key("pointer")), seconds=8)
