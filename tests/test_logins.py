"""Logins fit for medical sign-off: lockout, sessions, passwords and re-authentication."""

import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from editorial.accounts.session import AUTHENTICATED_AT, LAST_ACTIVITY
from editorial.accounts.throttling import client_ip
from editorial.demo import DEFAULT_DEMO_PASSWORD
from editorial.models import SignOff
from tests.factories import UserFactory
from tests.test_desk import decision
from tests.workflow_helpers import citable_article, under_review

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
LOGIN = "/admin/login/?next=/admin/"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    """Type a wrong password `times` times; return the status of each answer."""
    return [sign_in(client, username, "wrong password", address).status_code for _ in range(times)]


# Lockout.


def test_right_password_after_nine_wrong_ones_signs_in(client, editor):
    fail(client, "editor", 9)
    assert sign_in(client, "editor", PASSWORD)["Location"] == "/admin/"


def test_ten_wrong_passwords_lock_the_account_with_a_clear_429_page(client, editor):
    assert fail(client, "editor", 10) == [200] * 9 + [429]
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_follows_the_username_to_another_address(client, editor):
    fail(client, "editor", 10, address="10.0.0.1")
    assert sign_in(client, "editor", PASSWORD, address="192.0.2.7").status_code == 429


def test_lockout_of_an_address_spraying_many_usernames_holds_for_everyone_there(client, editor):
    for n in range(10):
        sign_in(client, f"guess{n}", "Winter2026!", address="198.51.100.9")
    assert sign_in(client, "editor", PASSWORD, address="198.51.100.9").status_code == 429
    assert sign_in(client, "editor", PASSWORD, address="10.0.0.1")["Location"] == "/admin/"


def test_lockout_lifts_after_the_cool_off(client, editor):
    fail(client, "editor", 10)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=31))
    assert sign_in(client, "editor", PASSWORD)["Location"] == "/admin/"


def test_axes_reset_unlocks_at_once(client, editor):
    fail(client, "editor", 10)
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, "editor", PASSWORD)["Location"] == "/admin/"


def test_client_address_is_the_socket_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == "10.0.0.2"


def test_client_address_behind_one_proxy_ignores_what_the_client_forged(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"


# Sessions.


def test_a_session_lasts_twelve_hours_at_most_and_ends_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_staff_idle_for_more_than_30_minutes_are_signed_out_with_a_message(client, editor):
    client.force_login(editor)
    session = client.session
    session[LAST_ACTIVITY] = time.time() - 31 * 60
    session.save()

    response = client.get("/admin/")
    login_page = client.get(response["Location"])

    assert response["Location"] == f"{reverse('admin:login')}?next=/admin/"
    assert "_auth_user_id" not in client.session
    assert "You were signed out after 30 minutes without activity" in login_page.content.decode()


def test_staff_active_within_30_minutes_stay_signed_in(client, editor):
    client.force_login(editor)
    session = client.session
    session[LAST_ACTIVITY] = time.time() - 29 * 60
    session.save()
    assert client.get("/admin/").status_code == 200
    assert client.session[LAST_ACTIVITY] > time.time() - 60


def test_idle_timeout_leaves_accounts_without_staff_access_alone(client, reader):
    client.force_login(reader)
    session = client.session
    session[LAST_ACTIVITY] = time.time() - 31 * 60
    session.save()
    client.get("/review/")
    assert client.session["_auth_user_id"] == str(reader.pk)


# Passwords.


def test_a_password_shorter_than_twelve_characters_is_refused():
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Tr1cky-pass")


def test_the_demo_password_satisfies_the_validators():
    assert validate_password(DEFAULT_DEMO_PASSWORD) is None


# Re-authentication before a sign-off.


@pytest.fixture
def stale_reviewer(client, editor, managing_editor):
    """A board member assigned to a revision, who last proved who they are 16 minutes ago."""
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    client.force_login(reviewer.user)
    session = client.session
    session[AUTHENTICATED_AT] = time.time() - 16 * 60
    session.save()
    return revision, reviewer


def review_url(revision):
    return reverse("desk:review", args=[revision.article.slug, revision.number])


def test_login_records_when_the_user_authenticated(client, editor):
    client.force_login(editor)
    assert time.time() - client.session[AUTHENTICATED_AT] < 5


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_a_stale_sign_in_must_confirm_before_a_decision_and_nothing_is_recorded(client, stale_reviewer, action):
    revision, _ = stale_reviewer
    url = reverse(f"desk:{action}", args=[revision.article.slug, revision.number])
    response = client.post(url, decision(revision, comment="Please cite the trial."))
    assert response["Location"] == f"{reverse('account:reauthenticate')}?{urlencode({'next': review_url(revision)})}"
    assert SignOff.objects.count() == 0


def test_a_wrong_password_does_not_confirm(client, stale_reviewer):
    revision, _ = stale_reviewer
    response = client.post(reverse("account:reauthenticate"), {"password": "not mine", "next": review_url(revision)})
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()


def test_after_confirming_the_typed_decision_is_shown_again_and_recorded_on_the_second_submit(client, stale_reviewer):
    revision, reviewer = stale_reviewer
    approve_url = reverse("desk:approve", args=[revision.article.slug, revision.number])
    client.post(approve_url, decision(revision, comment="Clear and well sourced."))

    confirmed = client.post(reverse("account:reauthenticate"), {"password": PASSWORD, "next": review_url(revision)})
    page = client.get(confirmed["Location"])
    recorded = client.post(approve_url, decision(revision, comment="Clear and well sourced."))

    assert confirmed["Location"] == review_url(revision)
    assert page.context["form"]["comment"].value() == "Clear and well sourced."
    assert page.context["form"]["doses_checked"].value() is True
    assert "Your decision is filled in again below" in page.content.decode()
    assert recorded["Location"] == review_url(revision)
    assert list(SignOff.objects.values_list("reviewer", "decision", "comment")) == [
        (reviewer.pk, SignOff.Decision.APPROVE, "Clear and well sourced.")
    ]


def test_the_kept_decision_is_shown_once(client, stale_reviewer):
    revision, _ = stale_reviewer
    client.post(reverse("desk:approve", args=[revision.article.slug, revision.number]), decision(revision, comment="x"))
    client.post(reverse("account:reauthenticate"), {"password": PASSWORD, "next": review_url(revision)})
    client.get(review_url(revision))
    assert client.get(review_url(revision)).context["form"].is_bound is False


def test_wrong_passwords_at_re_authentication_count_towards_the_lockout(client, stale_reviewer):
    revision, _ = stale_reviewer
    for _ in range(10):
        client.post(reverse("account:reauthenticate"), {"password": "not mine", "next": review_url(revision)})
    response = client.post(reverse("account:reauthenticate"), {"password": PASSWORD, "next": review_url(revision)})
    assert response.status_code == 429


# Unlocking in the admin.


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def test_an_admin_unlocks_an_account_by_deleting_its_access_attempts(admin_client, editor):
    fail(Client(), "editor", 10)
    attempt = AccessAttempt.objects.get(username="editor")
    admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert sign_in(Client(), "editor", PASSWORD)["Location"] == "/admin/"


def test_the_login_records_cannot_be_changed_or_deleted_in_the_admin(admin_client, editor):
    sign_in(Client(), "editor", PASSWORD)
    log = AccessLog.objects.get(username="editor")
    change = admin_client.post(reverse("admin:axes_accesslog_change", args=[log.pk]), {"username": "someone"})
    delete = admin_client.post(reverse("admin:axes_accesslog_delete", args=[log.pk]), {"post": "yes"})
    assert (change.status_code, delete.status_code) == (403, 403)
    assert AccessLog.objects.filter(pk=log.pk, username="editor").exists()
