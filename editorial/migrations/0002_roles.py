"""Create the three editorial roles as groups with their permissions.

Editors write content; the Advisory Board reads it (its decisions go through
the review desk, not the admin); Managing Editors also run the board.
Nothing that belongs to the workflow is editable by Editors.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = [
    ("articles", model) for model in ("article", "section", "claim", "citation")
] + [("references", "reference")]
BOARD = [("editorial", "reviewer")]


def _codenames(models, actions):
    return [(app, f"{action}_{model}") for app, model in models for action in actions]


ROLE_PERMISSIONS = {
    "Editors": _codenames(CONTENT, ("add", "change", "delete", "view")) + _codenames(BOARD, ("view",)),
    "Advisory Board": _codenames(CONTENT + BOARD, ("view",)),
    "Managing Editors": _codenames(CONTENT, ("add", "change", "delete", "view"))
    + _codenames(BOARD, ("add", "change", "view")),
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrations finish; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in codenames
            ]
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("articles", "0001_initial"),
        ("references", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
