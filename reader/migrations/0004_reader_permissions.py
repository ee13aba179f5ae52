"""Editors triage readers' questions and keep the editorial pages; the board can read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_followupquestion", "change_followupquestion", "view_editorialpage", "change_editorialpage"],
    "Managing Editors": ["view_followupquestion", "change_followupquestion", "view_editorialpage",
                         "change_editorialpage"],
    "Advisory Board": ["view_followupquestion", "view_editorialpage"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="reader", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="reader", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("reader", "0003_pages_and_index"), ("editorial", "0005_workflow_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
