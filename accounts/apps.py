from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        # The OpenAPI description of the two-step sign-in (a drf-spectacular extension).
        from accounts import schema  # noqa: F401
