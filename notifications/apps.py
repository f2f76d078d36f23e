from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # After a restore from a backup the outbox settles itself (Django's idiom: the
        # receivers need the models, so they are imported once the registry is ready).
        from notifications import receivers  # noqa: F401
