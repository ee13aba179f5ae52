"""A second factor for the people whose names vouch for medical content.

With STAFF_MFA_REQUIRED on, board members, managing editors and admins cannot reach
the admin or the review desk until they have enrolled an authenticator app and typed
a code from it (or a single-use recovery code) in this session. Editors may enrol
but are not required to.
"""

import time

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial.accounts.mfa import recovery_codes_replace
from editorial.accounts.session import AUTHENTICATED_AT
from tests.factories import ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = {"admin": "/admin/", "desk": "/review/"}


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.STAFF_MFA_REQUIRED = True


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def with_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def people(kind, managing_editor, admin_user):
    return {
        "board member": lambda: ReviewerFactory().user,
        "managing editor": lambda: managing_editor,
        "admin": lambda: admin_user,
    }[kind]()


# Who must enrol.


@pytest.mark.parametrize("kind", ["board member", "managing editor", "admin"])
@pytest.mark.parametrize("page", ["admin", "desk"])
def test_required_role_without_authenticator_is_sent_to_enrol(client, managing_editor, admin_user, kind, page):
    client.force_login(people(kind, managing_editor, admin_user))
    response = client.get(PRIVATE_PAGES[page])
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account:enrol')}?next=%2F{PRIVATE_PAGES[page].strip('/')}%2F"


@pytest.mark.parametrize("kind", ["board member", "managing editor", "admin"])
@pytest.mark.parametrize("page", ["admin", "desk"])
def test_required_role_with_authenticator_is_asked_for_a_code(client, managing_editor, admin_user, kind, page):
    user = people(kind, managing_editor, admin_user)
    with_authenticator(user)
    client.force_login(user)
    response = client.get(PRIVATE_PAGES[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account:verify") + "?next=")


def test_editor_is_not_required_to_enrol(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_editor_who_enrolled_is_asked_for_a_code(client, editor):
    with_authenticator(editor)
    client.force_login(editor)
    assert client.get("/admin/")["Location"].startswith(reverse("account:verify"))


def test_login_and_logout_pages_stay_open_to_an_unverified_user(client, board_member):
    client.force_login(board_member)
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")  # already signed in
    assert client.post(reverse("admin:logout")).status_code == 200


def test_reader_pages_do_not_ask_for_a_code(client, board_member):
    with_authenticator(board_member)
    client.force_login(board_member)
    assert client.get(reverse("reader:home")).status_code == 200


def test_setting_off_lets_required_roles_in_with_a_password_alone(client, settings, board_member):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(board_member)
    assert client.get("/admin/").status_code == 200


# Enrolling.


def test_enrol_page_shows_a_qr_code_and_the_secret_as_text(client, board_member):
    client.force_login(board_member)
    response = client.get(reverse("account:enrol"))
    device = TOTPDevice.objects.get(user=board_member)
    html = response.content.decode()
    assert response.status_code == 200
    assert device.confirmed is False
    assert 'src="data:image/svg+xml;base64,' in html
    assert response.context["secret"].replace(" ", "") in html.replace(" ", "")


def test_reloading_the_enrol_page_keeps_one_pending_authenticator(client, board_member):
    client.force_login(board_member)
    first = client.get(reverse("account:enrol")).context["secret"]
    second = client.get(reverse("account:enrol")).context["secret"]
    assert first == second
    assert TOTPDevice.objects.filter(user=board_member).count() == 1


def test_enrolling_with_a_wrong_code_is_refused(client, board_member):
    client.force_login(board_member)
    client.get(reverse("account:enrol"))
    response = client.post(reverse("account:enrol"), {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert TOTPDevice.objects.get(user=board_member).confirmed is False
    assert client.get("/admin/")["Location"].startswith(reverse("account:enrol"))


def test_enrolling_shows_ten_recovery_codes_once_then_opens_the_desk(client, board_member):
    client.force_login(board_member)
    client.get(reverse("account:enrol"))
    device = TOTPDevice.objects.get(user=board_member)

    confirmed = client.post(reverse("account:enrol"), {"code": current_code(device), "next": "/admin/"})
    shown = client.get(confirmed["Location"])
    shown_again = client.get(confirmed["Location"])

    codes = shown.context["codes"]
    stored = StaticToken.objects.filter(device__user=board_member).values_list("token", flat=True)
    assert sorted(codes) == sorted(stored)
    assert len(codes) == 10
    assert all(code in shown.content.decode() for code in codes)
    assert shown_again.status_code == 302 and shown_again["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_user_with_an_authenticator_cannot_enrol_another_before_verifying(client, board_member):
    with_authenticator(board_member)
    client.force_login(board_member)
    response = client.get(reverse("account:enrol"))
    assert response["Location"].startswith(reverse("account:verify"))
    assert TOTPDevice.objects.filter(user=board_member).count() == 1


# Verifying at sign-in.


def test_a_wrong_code_is_refused(client, board_member):
    with_authenticator(board_member)
    client.force_login(board_member)
    response = client.post(reverse("account:verify"), {"code": "000000", "next": "/admin/"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(reverse("account:verify"))


def test_the_current_code_opens_the_admin_and_the_desk(client):
    member = ReviewerFactory().user
    device = with_authenticator(member)
    client.force_login(member)
    response = client.post(reverse("account:verify"), {"code": current_code(device), "next": "/review/"})
    assert response["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, board_member):
    with_authenticator(board_member)
    code = recovery_codes_replace(board_member)[0]

    client.force_login(board_member)
    first = client.post(reverse("account:verify"), {"code": code, "next": "/admin/"})
    client.logout()
    client.force_login(board_member)
    second = client.post(reverse("account:verify"), {"code": code, "next": "/admin/"})

    assert first.status_code == 302 and first["Location"] == "/admin/"
    assert second.status_code == 400
    assert StaticToken.objects.filter(device__user=board_member).count() == 9


def test_verify_refuses_to_send_the_user_to_another_site(client, board_member):
    code = recovery_codes_replace(board_member)[0]
    with_authenticator(board_member)
    client.force_login(board_member)
    response = client.post(reverse("account:verify"), {"code": code, "next": "https://evil.example/"})
    assert response["Location"] == reverse("desk:queue")


# The deployment check.


def test_deploy_check_warns_when_mfa_is_off_in_production(settings):
    settings.STAFF_MFA_REQUIRED = False
    settings.DEBUG = False
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "editorial_accounts.W001" in ids


def test_deploy_check_is_quiet_when_mfa_is_on(settings):
    settings.DEBUG = False
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "editorial_accounts.W001" not in ids


# The admin: help without seeing secrets.


def test_the_admin_never_shows_an_authenticator_secret_or_a_recovery_code(client, admin_user, board_member):
    device = with_authenticator(board_member)
    code = recovery_codes_replace(board_member)[0]
    admin_device = with_authenticator(admin_user)
    client.force_login(admin_user)
    client.post(reverse("account:verify"), {"code": current_code(admin_device)})
    static = board_member.staticdevice_set.get()

    pages = [
        client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])),
        client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200]
    assert not any(device.key in page.content.decode() or code in page.content.decode() for page in pages)


def test_an_admin_deleting_a_lost_authenticator_lets_its_owner_enrol_again(client, admin_user, board_member):
    device = with_authenticator(board_member)
    admin_device = with_authenticator(admin_user)
    client.force_login(admin_user)
    client.post(reverse("account:verify"), {"code": current_code(admin_device)})
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})

    client.force_login(board_member)
    assert client.get("/review/")["Location"].startswith(reverse("account:enrol"))


# Re-authentication before a sign-off asks for the second factor.


def test_re_authentication_asks_for_a_code_instead_of_the_password(client, board_member):
    device = with_authenticator(board_member)
    client.force_login(board_member)
    session = client.session
    session[AUTHENTICATED_AT] = time.time() - 16 * 60
    session.save()

    form = client.get(reverse("account:reauthenticate"), {"next": "/review/"}).context["form"]
    confirmed = client.post(reverse("account:reauthenticate"), {"code": current_code(device), "next": "/review/"})

    assert list(form.fields) == ["code"]
    assert confirmed["Location"] == "/review/"
    assert time.time() - client.session[AUTHENTICATED_AT] < 5


def test_re_authentication_refuses_a_wrong_code(client, board_member):
    with_authenticator(board_member)
    client.force_login(board_member)
    response = client.post(reverse("account:reauthenticate"), {"code": "000000", "next": "/review/"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
