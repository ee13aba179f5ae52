"""An anonymous reader's cached article page is answered in front of Django, with exactly what Django would answer."""

import gzip
import io
import logging
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse

from config.replica import PRIMARY_READS_COOKIE
from editorial.services import article_withdraw
from reader import cache as page_cache
from reader import front as front_module
from reader.front import ALLOWED_HOSTS_KEPT, CachedPagesFront
from reader.middleware import stack_headers_of
from tests.workflow_helpers import approved, citable_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


class RecordingDjango:
    """Django's WSGI handler, noting each request it is handed: what the front left to Django."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.handler(environ, start_response)


class Answer:
    def __init__(self, status, headers, body, by_django):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body
        self.by_django = by_django


@pytest.fixture
def django_app():
    # As Django's test client does: the test's transaction keeps its connection across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield RecordingDjango()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def front(django_app):
    return CachedPagesFront(django_app)


@pytest.fixture
def get(front, django_app):
    """GET a path through the front as a WSGI server would, with extra environ entries."""

    def get(path, **environ):
        seen = len(django_app.paths)
        started = []

        def start_response(status, headers, exc_info=None):
            started.append((status, headers))

        body = front(wsgi_environ(path, **environ), start_response)
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        status, headers = started[0]
        return Answer(status, headers, content, by_django=len(django_app.paths) > seen)

    return get


def wsgi_environ(path, **extra):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    return environ


@pytest.fixture
def article(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    return article


@pytest.fixture
def page(article, get):
    """The article's address, once Django has answered it (so the front knows the stack's headers)."""
    path = reverse("reader:article", args=[article.slug])
    assert get(path).by_django is True
    return path


def comparable(headers: dict) -> dict:
    """The policy's directives as a set: django-csp joins them in no fixed order."""
    return {**headers, "Content-Security-Policy": set(headers["Content-Security-Policy"].split("; "))}


def test_a_cached_page_is_answered_in_front_of_django(get, page):
    answer = get(page)

    assert (answer.status_code, answer.by_django) == (200, False)


def test_the_front_answers_with_the_bytes_and_headers_django_gives(get, page):
    front_answer = get(page)
    django_answer = get(page, HTTP_COOKIE=f"{PRIMARY_READS_COOKIE}=1")  # a reader who just wrote goes to Django

    assert django_answer.by_django is True
    assert comparable(front_answer.headers) == comparable(django_answer.headers)
    assert front_answer.body == django_answer.body


def test_the_front_gzips_for_a_reader_who_accepts_it(get, page):
    plain = get(page)

    zipped = get(page, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert (zipped.by_django, zipped.headers["Content-Encoding"]) == (False, "gzip")
    assert gzip.decompress(zipped.body) == plain.body


def test_the_front_answers_the_audience_the_reader_chose(get, page):
    clinician = get(page)
    get(page, HTTP_COOKIE="audience=patient")  # Django renders and caches the patients' page first

    patient = get(page, HTTP_COOKIE="audience=patient")

    assert patient.by_django is False
    assert patient.body != clinician.body
    assert b"patient" in patient.body


def test_a_revalidation_is_left_to_django(get, page):
    etag = get(page).headers["ETag"]

    answer = get(page, HTTP_IF_NONE_MATCH=etag)

    assert (answer.status_code, answer.by_django) == (304, True)


def test_a_host_the_site_does_not_answer_to_is_left_to_django_which_refuses_it(get, page):
    answer = get(page, HTTP_HOST="attacker.example")

    assert (answer.status_code, answer.by_django) == (400, True)


def test_a_signed_in_person_is_left_to_django(get, page, settings):
    answer = get(page, HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc")

    assert answer.by_django is True


def test_a_page_with_a_query_string_is_left_to_django(get, page):
    assert get(page, QUERY_STRING="asked=1").by_django is True


def test_a_page_not_yet_cached_is_left_to_django(get, page):
    page_cache.cache.clear()

    assert get(page).by_django is True


def test_a_withdrawn_article_is_never_answered_in_front(
    get, page, article, managing_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(article=article, user=managing_editor, reason="Safety notice.", public_reason="Being checked.")

    answer = get(page)

    assert (answer.status_code, answer.by_django) == (410, True)


def test_nothing_is_answered_in_front_before_django_has_answered_a_page(get, article):
    path = reverse("reader:article", args=[article.slug])

    assert [get(path).by_django, get(path).by_django] == [True, False]


def test_plain_http_is_left_to_django_where_the_site_redirects_to_https(settings, django_app, get, article):
    settings.SECURE_SSL_REDIRECT = True
    django_app.handler = WSGIHandler()  # SecurityMiddleware reads the setting when it is made
    path = reverse("reader:article", args=[article.slug])
    get(path, **{"wsgi.url_scheme": "https"})

    over_https = get(path, **{"wsgi.url_scheme": "https"})
    over_http = get(path)

    assert (over_https.status_code, over_https.by_django) == (200, False)
    assert (over_http.status_code, over_http.by_django) == (301, True)


def test_a_failure_in_the_front_is_left_to_django(get, page, monkeypatch, caplog):
    def broken(entry, environ):
        raise RuntimeError("a cached page the front cannot read")

    monkeypatch.setattr(front_module, "page_answer", broken)

    with caplog.at_level(logging.ERROR, logger="reader.front"):
        answer = get(page)

    assert (answer.status_code, answer.by_django) == (200, True)
    assert "Django answers it" in caplog.text


def test_the_hosts_the_front_remembers_as_allowed_are_bounded(settings, front, get, page):
    settings.ALLOWED_HOSTS = [".example.org"]

    for number in range(ALLOWED_HOSTS_KEPT + 20):
        assert get(page, HTTP_HOST=f"site{number}.example.org").by_django is False

    assert len(front.allowed_hosts) == ALLOWED_HOSTS_KEPT


def test_an_answer_that_sets_a_cookie_teaches_the_front_no_headers():
    headers = [("Content-Type", "text/html"), ("ETag", '"abc"'), ("X-Frame-Options", "DENY"), ("Set-Cookie", "a=b")]

    assert stack_headers_of(headers) is None
    assert stack_headers_of(headers[:3]) == [("X-Frame-Options", "DENY")]


def test_a_page_the_front_found_not_cached_is_read_from_storage_without_asking_the_cache_again(get, page, monkeypatch):
    page_cache.cache.clear()
    asked = []
    article_get = page_cache.article_get
    monkeypatch.setattr(page_cache, "article_get", lambda *key: asked.append(key) or article_get(*key))

    answer = get(page)

    assert (answer.status_code, answer.by_django, len(asked)) == (200, True, 1)
