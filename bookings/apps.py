from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        # Its message kinds and the receivers that schedule them (Django's idiom: the
        # module needs the models, so it is imported once the registry is ready).
        from bookings import notifications

        notifications.register_message_kinds()
