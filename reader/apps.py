from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Reader site"

    def ready(self):
        from reader import checks, receivers  # noqa: F401 - registers the deploy check and the index refresh
