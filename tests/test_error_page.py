"""A server error shows an id that leads support to the logged traceback."""

import logging
import re

import pytest
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("the database fell over")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]
handler500 = "config.errors.server_error"


@pytest.fixture
def broken_site(settings, client):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    return client


def test_server_error_page_shows_the_id_of_the_logged_traceback(broken_site, caplog):
    with caplog.at_level(logging.ERROR, logger="config.errors"):
        response = broken_site.get("/broken/")

    shown = re.search(r'<code class="error-id">([0-9a-f]{12})</code>', response.content.decode()).group(1)
    (record,) = [r for r in caplog.records if r.name == "config.errors"]
    assert response.status_code == 500
    assert record.error_id == shown
    assert record.getMessage() == f"Unhandled error {shown} on GET /broken/"
    assert record.exc_info[0] is RuntimeError
    assert response["X-Error-Id"] == shown


def test_each_server_error_gets_its_own_id(broken_site):
    first = broken_site.get("/broken/")["X-Error-Id"]
    second = broken_site.get("/broken/")["X-Error-Id"]
    assert first != second
