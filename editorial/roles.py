"""The people who work on the content, as Django groups.

The groups and their permissions are created by data migrations; these names
are how code and tests refer to them.
"""

from django.contrib.auth.models import Group

EDITORS = "Editors"
ADVISORY_BOARD = "Advisory Board"
MANAGING_EDITORS = "Managing Editors"
ROLES = (EDITORS, ADVISORY_BOARD, MANAGING_EDITORS)


def has_role(user, role: str) -> bool:
    """Return whether `user` is active and in the group `role`."""
    return bool(user and user.is_active and user.groups.filter(name=role).exists())


def role_group(role: str) -> Group:
    return Group.objects.get(name=role)
