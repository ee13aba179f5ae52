from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial board and workflow"

    def ready(self):
        from editorial import receivers  # noqa: F401 - registers the email about flagged evidence
