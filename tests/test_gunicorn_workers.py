"""A withdrawal reaches every gunicorn worker on its next request, however warm its caches.

Serves the project as production does (gunicorn, two sync workers, Redis with
near caching, PostgreSQL) against the test database, warms both workers, then
withdraws the article through the service in this process.
"""

import http.client
import os
import signal
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from editorial.services import article_withdraw
from tests.redis_server import eventually, free_port, redis_server  # noqa: F401 - a fixture
from tests.workflow_helpers import approved, citable_article

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn's workers need a shared database server"),
    # The workers read what this test commits; the rows data migrations created are restored afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GUNICORN = Path(sys.executable).with_name("gunicorn")
SLUG = "gunicorn-withdrawal"


@pytest.fixture
def site_redis(settings, redis_server):  # noqa: F811
    """This process and the workers share one Redis of the test's own, with near caching as in production."""
    options = {"NEAR_PREFIXES": ["reader:article:"]}
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.ReusingRedisCache", "LOCATION": redis_server.url, "OPTIONS": options}
    }
    return redis_server


@pytest.fixture
def workers(site_redis, tmp_path):
    """`gunicorn config.wsgi -w 2` on a free port, logging the worker's pid and the test's phase per request."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this virtualenv")
    database = connection.settings_dict
    port, log = free_port(), tmp_path / "access.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",  # plain static files: no collectstatic needed
        "SECRET_KEY": "gunicorn-test-only",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CONN_MAX_AGE": "0",
        "REDIS_URL": site_redis.url,
        "LOG_LEVEL": "WARNING",
    }
    command = [str(GUNICORN), "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(log)]
    command += ["--access-logformat", "%(p)s %({x-phase}i)s %(s)s", "--error-logfile", str(tmp_path / "error.log")]
    server = subprocess.Popen(command, env=environment, cwd=Path(__file__).parent.parent)  # noqa: S603
    try:
        eventually(lambda: get(port, "/robots.txt", "boot")[0] == 200, seconds=20)
        yield port, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


def get(port, path, phase):
    """One request on a fresh connection (sync workers close it anyway); (status, body), or (None, "") if refused."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        client.request("GET", path, headers={"X-Phase": phase, "Cookie": "audience=clinician"})
        response = client.getresponse()
        return response.status, response.read().decode()
    except ConnectionRefusedError:
        return None, ""
    finally:
        client.close()


def served(log: Path, phase: str) -> Counter:
    """How many requests of `phase` each worker (by pid) served."""
    lines = [line.split() for line in log.read_text().splitlines()]
    return Counter(pid for pid, line_phase, _ in lines if line_phase == phase)


def poll_both_workers(port, log, phase, *, each=3, limit=200, at_once=4):
    """Request the article until both workers served it `each` times; return every (status, body).

    The requests go `at_once` at a time: one after another, a cached page is
    answered so fast that the worker which served the last one is back in
    `accept()` before the next arrives, and the other may never get one.
    """
    answers = []
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        while len(answers) < limit:
            answers += pool.map(lambda _: get(port, f"/articles/{SLUG}/", phase), range(at_once))
            counts = served(log, phase)
            if len(counts) == 2 and min(counts.values()) >= each:
                return answers
    pytest.fail(f"both workers did not serve {phase} requests in {limit} tries: {served(log, phase)}")


def test_a_withdrawal_is_seen_by_every_gunicorn_worker_on_its_next_request(
    editor, managing_editor, workers, site_redis, django_capture_on_commit_callbacks
):
    port, log = workers
    article = citable_article(slug=SLUG)
    revision, _ = approved(article, editor, managing_editor)
    words = revision.content["sections"][0]["claims"][0]["text"]
    warm = poll_both_workers(port, log, "warm")
    assert {status for status, _ in warm} == {200} and all(words in body for _, body in warm)
    listeners = [client for client in site_redis.client().client_list() if client["name"] == "near-cache-listener"]
    assert len(listeners) >= 2  # each worker keeps the page pointer in memory, invalidated by Redis

    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="Safety notice.",
            public_reason="We are checking this answer against new evidence.",
        )
    after = poll_both_workers(port, log, "after")

    assert {status for status, _ in after} == {410}
    assert not any(words in body for _, body in after)
