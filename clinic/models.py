"""Core domain: accounts and roles, locations, clinicians, patients, the access log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField


class Location(models.Model):
    slug = models.SlugField(unique=True, verbose_name=_("slug"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    timezone = models.CharField(
        max_length=64, default="Europe/Amsterdam", verbose_name=_("timezone")
    )
    address = models.CharField(max_length=200, blank=True, verbose_name=_("address"))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    FRONT_DESK = "front_desk", _("Front desk")
    CLINICIAN = "clinician", _("Clinician")
    MANAGER = "manager", _("Manager")


STAFF_ROLES = frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.MANAGER})
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.MANAGER})


class Language(models.TextChoices):
    DUTCH = "nl", "Nederlands"
    ENGLISH = "en", "English"


class User(AbstractUser):
    """An account. Staff belong to one or more locations; a patient's location is on Patient."""

    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.PATIENT, verbose_name=_("role")
    )
    locations = models.ManyToManyField(
        Location, blank=True, related_name="staff", verbose_name=_("locations")
    )
    # Staff's own language; empty follows the client's Accept-Language. A patient's
    # language is on their Patient record.
    language = models.CharField(
        max_length=2, choices=Language.choices, blank=True, verbose_name=_("language")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_known"),
        ]

    @property
    def chosen_language(self) -> str:
        """The language this person reads in: a patient's is on their record, staff's on
        the account; empty when they chose none (then the client's Accept-Language)."""
        if self.role == Role.PATIENT:
            patient = getattr(self, "patient", None)
            if patient is not None:
                return patient.language
        return self.language

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES


class Clinician(models.Model):
    """A physiotherapist's profile; where they work is the user's locations."""

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="clinician", verbose_name=_("user")
    )
    registration_number = models.CharField(
        max_length=20,
        blank=True,
        help_text="BIG registration number.",
        verbose_name=_("registration number"),
    )

    class Meta:
        verbose_name = _("clinician")
        verbose_name_plural = _("clinicians")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username


# What staff may change on a patient's record, in the order the API shows it.
PATIENT_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "language",
    "location",
    "primary_clinician",
)


class Patient(models.Model):
    """Administrative record of a patient; clinical data lives in the other apps."""

    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    date_of_birth = models.DateField(verbose_name=_("date of birth"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = PhoneNumberField(
        blank=True, region="NL", help_text="Stored in E.164.", verbose_name=_("phone")
    )
    language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.DUTCH, verbose_name=_("language")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="patients", verbose_name=_("location")
    )
    primary_clinician = models.ForeignKey(
        Clinician,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name=_("primary clinician"),
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        help_text="The mobile-app account, if the patient has one.",
        verbose_name=_("user"),
    )
    # Who confirmed, and when, that this is a new person although another patient has the
    # same name and date of birth (``clinic.services.patient_register``); empty otherwise.
    duplicate_confirmed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed as a new patient by"),
    )
    duplicate_confirmed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("confirmed as a new patient at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["location", "last_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="patient_language_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    duplicate_confirmed_by__isnull=True, duplicate_confirmed_at__isnull=True
                )
                | Q(duplicate_confirmed_by__isnull=False, duplicate_confirmed_at__isnull=False),
                name="patient_duplicate_confirmation_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AccessAction(models.TextChoices):
    # In their own context: a past-tense log word ("Verwijderd") must not replace the
    # admin's own button labels ("Verwijderen"), which share the msgid.
    READ = "read", pgettext_lazy("access log action", "Read")
    CREATE = "create", pgettext_lazy("access log action", "Create")
    UPDATE = "update", pgettext_lazy("access log action", "Update")
    DELETE = "delete", pgettext_lazy("access log action", "Delete")
    # A copy of the record left the clinic (FHIR bundle or PDF).
    EXPORT = "export", pgettext_lazy("access log action", "Export")


class AccessLogEntry(models.Model):
    """One read or change of a patient's record (NEN 7513): who, whom, what, when, where.

    Append-only: the application never updates or deletes entries, and on PostgreSQL a
    trigger refuses it too.
    """

    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    resource = models.CharField(max_length=50, help_text="What was accessed, e.g. 'assessment'.")
    object_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"])]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} patient {self.patient_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Access log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Access log entries are append-only.")


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, replayed for retries."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="Hash of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, help_text="Null while running.")
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
