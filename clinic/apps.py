from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_tables(using, **kwargs):
    """The database caches (sign-in throttling by default) get their table with migrate."""
    call_command("createcachetable", database=using, verbosity=0)


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self):
        post_migrate.connect(create_cache_tables, sender=self)
