from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "editorial.accounts"
    label = "editorial_accounts"
    verbose_name = "Logins and second factors"

    def ready(self):
        from editorial.accounts import checks, signals  # noqa: F401 - registers the check and the receiver
