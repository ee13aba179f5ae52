"""Headers: a strict Content-Security-Policy, private pages kept out of caches, healthy connections."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from editorial.demo import demo_seed
from tests.factories import ReviewerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LDN = "low-dose-naltrexone-chronic-pain"

STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def policy(response) -> set[str]:
    return {directive.strip() for directive in response["Content-Security-Policy"].split(";")}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def demo(db):
    demo_seed()


@pytest.fixture
def member(client, db):
    client.force_login(ReviewerFactory().user)


def test_reader_pages_have_the_strict_policy(client, demo):
    for path in ("/", f"/articles/{LDN}/", "/board/", "/editorial-policy/"):
        assert policy(client.get(path)) == STRICT, path


@pytest.mark.parametrize("path", ["/review/", reverse("account:reauthenticate")])
def test_desk_and_account_pages_have_the_strict_policy(client, member, path):
    assert policy(client.get(path)) == STRICT


@pytest.mark.parametrize("path", ["/admin/", "/admin/articles/article/", "/admin/login/"])
def test_admin_pages_have_the_strict_policy_too(client, member, path):
    assert policy(client.get(path)) == STRICT


@pytest.mark.parametrize("path", ["/review/", "/admin/", "/admin/articles/article/", reverse("account:reauthenticate")])
def test_private_pages_are_never_stored(client, member, path):
    assert {"private", "no-store"} <= cache_control(client.get(path))


def test_the_login_page_is_never_stored(client):
    assert {"private", "no-store"} <= cache_control(client.get(reverse("admin:login")))


def test_reader_pages_stay_cacheable(client, demo):
    assert not {"private", "no-store"} & cache_control(client.get(f"/articles/{LDN}/"))


def test_database_connections_are_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_production_settings_pass_the_deployment_checks():
    # As CI runs it: the test run's DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright) is no deployment setting.
    left_out = ("DJANGO_SETTINGS_MODULE", "STAFF_MFA_REQUIRED", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in left_out}
    environment |= {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-" + "x" * 20,
        "ALLOWED_HOSTS": "answers.example.org",
        "SITE_URL": "https://answers.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # as CI: a local-memory page cache is a warning of its own
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
