"""An anonymous reader's cached article page is answered before the middleware stack, with the stack's own headers."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from config.replica import PRIMARY_READS_COOKIE
from editorial.services import article_withdraw
from tests.workflow_helpers import approved, citable_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

# Set by the stack per response, never by the page: left out when comparing.
PER_RESPONSE = {"Set-Cookie", "Date"}


@pytest.fixture
def cached_article(client, editor, managing_editor):
    """A live article whose page is cached and has gone through the whole stack once."""
    article = citable_article()
    approved(article, editor, managing_editor)
    assert client.get(page(article)).status_code == 200
    return article


def page(article):
    return reverse("reader:article", args=[article.slug])


def through_the_stack(response) -> bool:
    """Whether the stack below ran: AuthenticationMiddleware gives every request it sees a `user`."""
    return hasattr(response.wsgi_request, "user")


def headers(response) -> dict:
    """The response's headers; the policy's directives as a set (django-csp joins them in no fixed order)."""
    found = {name: value for name, value in response.items() if name not in PER_RESPONSE}
    found["Content-Security-Policy"] = set(found["Content-Security-Policy"].split("; "))
    return found


def test_a_cached_page_is_answered_before_the_stack(client, cached_article):
    response = client.get(page(cached_article))

    assert (response.status_code, through_the_stack(response)) == (200, False)


def test_the_early_answer_has_the_headers_and_bytes_the_whole_stack_gives(client, cached_article):
    early = client.get(page(cached_article))
    client.cookies[PRIMARY_READS_COOKIE] = "1"
    full = client.get(page(cached_article))

    assert through_the_stack(full) is True
    assert headers(early) == headers(full)
    assert early.content == full.content


def test_the_early_answer_carries_the_content_security_policy(client, cached_article):
    response = client.get(page(cached_article))

    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_an_unchanged_page_answers_304_early(client, cached_article):
    etag = client.get(page(cached_article))["ETag"]

    response = client.get(page(cached_article), HTTP_IF_NONE_MATCH=etag)

    assert (response.status_code, through_the_stack(response)) == (304, False)


def test_a_signed_in_person_goes_through_the_stack(client, cached_article, editor):
    client.force_login(editor)

    assert through_the_stack(client.get(page(cached_article))) is True


def test_a_page_with_a_query_string_goes_through_the_stack(client, cached_article):
    assert through_the_stack(client.get(page(cached_article), {"asked": "1"})) is True


def test_a_host_the_site_does_not_answer_to_is_refused_early(client, cached_article):
    response = client.get(page(cached_article), HTTP_HOST="attacker.example")

    assert response.status_code == 400


def test_a_withdrawn_article_is_never_answered_early(
    client, cached_article, managing_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(
            article=cached_article, user=managing_editor, reason="Safety notice.", public_reason="Being checked."
        )

    response = client.get(page(cached_article))

    assert (response.status_code, through_the_stack(response)) == (410, True)


def test_a_page_not_yet_cached_goes_through_the_stack(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    assert through_the_stack(client.get(page(article))) is True


def test_a_page_stored_but_no_longer_cached_is_answered_early(client, cached_article):
    cache.clear()

    response = client.get(page(cached_article))

    assert (response.status_code, through_the_stack(response)) == (200, False)
