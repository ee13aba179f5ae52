"""Roles (groups) are tracked with who changed them: who gave the managing editors which permission, and when.

A role's history row holds its name and its permissions as they stood after the change, and
names the person who made it, whichever side of the role-permission relation the change came
from. The history page in the admin only reads.
"""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Max
from django.test.utils import override_settings
from django.urls import reverse

from config.history import acting_as
from editorial.roles import MANAGING_EDITORS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def delete_articles() -> Permission:
    return Permission.objects.get(content_type__app_label="articles", codename="delete_article")


def role_versions(group, *, after: int = 0) -> list:
    """The history rows of `group` after the row `after`, oldest first: type, author, name and permission codenames."""
    return [
        (
            row.history_type,
            row.history_user.username if row.history_user else None,
            row.name,
            sorted(row.permissions.values_list("permission__codename", flat=True)),
        )
        for row in group.history.filter(history_id__gt=after).order_by("history_id")
    ]


def last_version(group) -> int:
    return group.history.aggregate(last=Max("history_id"))["last"] or 0


def test_giving_a_role_a_permission_in_the_admin_records_who_and_the_permissions_after(client, superuser):
    managing = Group.objects.get(name=MANAGING_EDITORS)
    delete_reviewers = Permission.objects.get(content_type__app_label="editorial", codename="delete_reviewer")
    permissions = [*managing.permissions.values_list("pk", flat=True), delete_reviewers.pk]
    codenames = sorted([*managing.permissions.values_list("codename", flat=True), "delete_reviewer"])
    before = last_version(managing)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_group_change", args=[managing.pk]), {"name": MANAGING_EDITORS, "permissions": permissions}
    )

    assert response.status_code == 302
    assert role_versions(managing, after=before) == [
        ("~", "root", MANAGING_EDITORS, sorted(set(codenames) - {"delete_reviewer"})),  # the save, then the grant
        ("~", "root", MANAGING_EDITORS, codenames),
    ]


def test_renaming_a_role_in_the_admin_records_who_and_both_names(client, superuser):
    role = Group.objects.create(name="Copy editors")
    before = last_version(role)
    client.force_login(superuser)

    response = client.post(reverse("admin:auth_group_change", args=[role.pk]), {"name": "Copy desk", "permissions": []})

    assert response.status_code == 302
    change = role.history.latest().diff_against(role.history.get(history_id=before))
    assert (role_versions(role, after=before), [(c.field, c.old, c.new) for c in change.changes]) == (
        [("~", "root", "Copy desk", [])],
        [("name", "Copy editors", "Copy desk")],
    )


def test_giving_a_role_a_permission_from_the_permissions_side_records_it_on_the_role(superuser):
    role = Group.objects.create(name="Copy editors")
    before = last_version(role)

    with acting_as(superuser):
        delete_articles().group_set.add(role)
        delete_articles().group_set.clear()

    assert role_versions(role, after=before) == [
        ("~", "root", "Copy editors", ["delete_article"]),
        ("~", "root", "Copy editors", []),
    ]


def test_giving_a_role_a_permission_from_the_roles_side_records_it(superuser):
    role = Group.objects.create(name="Copy editors")
    before = last_version(role)

    with acting_as(superuser):
        role.permissions.add(delete_articles())

    assert role_versions(role, after=before) == [("~", "root", "Copy editors", ["delete_article"])]


def test_deleting_a_role_records_it_on_the_role_and_on_each_members_account(client, superuser):
    role = Group.objects.create(name="Copy editors")
    member = UserFactory(username="copy")
    member.groups.add(role)
    before = member.history.aggregate(last=Max("history_id"))["last"]
    client.force_login(superuser)

    response = client.post(reverse("admin:auth_group_delete", args=[role.pk]), {"post": "yes"})

    after_deletion = member.history.filter(history_id__gt=before).order_by("history_id")
    assert response.status_code == 302
    assert [(row.history_user.username, list(row.groups.all())) for row in after_deletion] == [("root", [])]
    assert role_versions(role)[-1] == ("-", "root", "Copy editors", [])


def test_role_history_page_in_the_admin_names_the_author_and_only_reads(client, superuser):
    role = Group.objects.create(name="Copy editors")
    with acting_as(superuser):
        role.permissions.add(delete_articles())
    version = role.history.latest().history_id
    client.force_login(superuser)

    listing = client.get(reverse("admin:auth_group_history", args=[role.pk]))
    page = client.get(reverse("admin:auth_group_simple_history", args=[role.pk, version]))
    posted = client.post(reverse("admin:auth_group_simple_history", args=[role.pk, version]), {"name": "Renamed"})

    assert (listing.status_code, page.status_code, posted.status_code) == (200, 200, 405)
    assert f'<a href="{reverse("admin:auth_user_change", args=[superuser.pk])}">root</a>' in listing.content.decode()
    assert Group.objects.get(pk=role.pk).name == "Copy editors"


def test_a_role_without_history_gets_a_first_version_with_its_permissions():
    """A role made before its history was tracked; the migration that begins it gives it a first row."""
    migration = import_module("editorial.accounts.migrations.0005_guard_and_baseline_group_history")
    with override_settings(SIMPLE_HISTORY_ENABLED=False):  # as before the history began
        role = Group.objects.create(name="Copy editors")
        role.permissions.add(delete_articles())

    migration.baseline(apps, None)

    assert role_versions(role) == [("+", None, "Copy editors", ["delete_article"])]
    assert role.history.get().history_change_reason == "As the role stood when its history began"
