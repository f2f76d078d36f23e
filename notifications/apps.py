from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Listen to the domain events (clinic.events) that schedule messages.
        from notifications import receivers  # noqa: F401
