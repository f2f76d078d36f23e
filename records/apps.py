from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The patient's own record: what they may read, who opened it, and a copy (FHIR R4)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "records"
    verbose_name = "Patient records"
