from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Reader site"

    def ready(self):
        from reader import receivers  # noqa: F401 - connects the published-index refresh
