from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        from accounts import notifications, schema  # noqa: F401 - schema: an OpenAPI extension
        from notifications.kinds import MessageKind, register

        # Both messages carry a secret, and both were just asked for: no waiting until 08:00.
        for code in notifications.KINDS:
            register(
                MessageKind(
                    code=code,
                    context=notifications.render_context,
                    obsolete=notifications.obsolete_reason,
                    quiet_hours=False,
                    front_desk_may_see=True,
                    holds_secret=True,
                )
            )
