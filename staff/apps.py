from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff site")

    def ready(self) -> None:
        from clinic.roles import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="clinic.roles.sync_after_migrate")
