from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        # Its message kinds, and the OpenAPI description of the two-step sign-in (Django's
        # idiom: these modules need the models, so they are imported once the registry is).
        from accounts import notifications, schema  # noqa: F401 - schema registers itself

        notifications.register_message_kinds()
