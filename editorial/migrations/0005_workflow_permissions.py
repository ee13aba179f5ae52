"""Give the roles their workflow permissions.

Managing editors assign reviewers and withdraw articles; board members sign
off; editors may read the workflow's records but change none of them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORKFLOW_MODELS = ("articleworkflow", "revision", "reviewassignment", "signoff", "claimnote", "auditevent")
READ_WORKFLOW = [f"view_{model}" for model in WORKFLOW_MODELS]

GRANTS = {
    "Editors": READ_WORKFLOW,
    "Advisory Board": [*READ_WORKFLOW, "sign_off"],
    "Managing Editors": [*READ_WORKFLOW, "assign_reviewers", "withdraw_article"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(
            *Permission.objects.filter(content_type__app_label="editorial", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="editorial", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("editorial", "0004_append_only_triggers")]

    operations = [migrations.RunPython(grant, revoke)]
