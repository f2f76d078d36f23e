from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Listen to the domain events (clinic.events) that schedule messages.
        from notifications import receivers  # noqa: F401
