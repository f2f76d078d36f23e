from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        # Its message kinds and the receivers that schedule them (Django's idiom: the
        # module needs the models, so it is imported once the registry is ready).
        from programs import notifications, receivers  # noqa: F401 - connects receivers

        notifications.register_message_kinds()
