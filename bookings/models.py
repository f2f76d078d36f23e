"""Bookings: appointment types, working hours, schedule exceptions, appointments.

Times a person schedules (working hours) are stored as local wall-clock times in the clinic's
time zone and converted per date, so a 09:00 shift stays 09:00 across daylight-saving
changes. Appointments are stored as aware datetimes (UTC in the database).

No double booking is guarded by PostgreSQL itself: migration 0002 adds exclusion
constraints over (clinician, [start, buffer_end)) and (patient, [start, end)) for active
appointments. They live in a migration rather than in ``Meta.constraints`` because SQLite
cannot create them; there the service serialises check-and-insert instead.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models import Clinician, Location, Patient

LONGEST_APPOINTMENT_MINUTES = 480
LONGEST_BUFFER_MINUTES = 120
# No appointment keeps a clinician busy longer than this; lets "what overlaps this window"
# bound start from below, so it reads a slice of the (clinician, start) index.
LONGEST_BUSY = timedelta(minutes=LONGEST_APPOINTMENT_MINUTES + LONGEST_BUFFER_MINUTES)


class AppointmentType(models.Model):
    """What is booked: intake/analysis, treatment, re-assessment. Managers configure these."""

    code = models.SlugField(unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    duration_minutes = models.PositiveSmallIntegerField(verbose_name=_("duration minutes"))
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0,
        help_text="Time the clinician needs after the appointment (notes, cleaning).",
        verbose_name=_("buffer after minutes"),
    )
    patient_bookable = models.BooleanField(
        default=False,
        help_text="Patients may book this type themselves in the app.",
        verbose_name=_("patient bookable"),
    )
    colour = models.CharField(
        max_length=7,
        default="#3b82f6",
        help_text="Calendar colour, #rrggbb.",
        verbose_name=_("colour"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    duration_minutes__gt=0, duration_minutes__lte=LONGEST_APPOINTMENT_MINUTES
                ),
                name="appointment_type_duration_sensible",
            ),
            models.CheckConstraint(
                condition=Q(buffer_after_minutes__lte=LONGEST_BUFFER_MINUTES),
                name="appointment_type_buffer_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """A clinician works at a location on a weekday from ``starts_at`` to ``ends_at``,
    local clinic time. Several rows per day are allowed (a morning and an afternoon)."""

    clinician = models.ForeignKey(
        Clinician,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("clinician"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("location")
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, verbose_name=_("weekday"))
    starts_at = models.TimeField(help_text="Local clinic time.", verbose_name=_("starts at"))
    ends_at = models.TimeField(help_text="Local clinic time.", verbose_name=_("ends at"))
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("valid from"))
    valid_until = models.DateField(
        null=True, blank=True, help_text="Last day, inclusive.", verbose_name=_("valid until")
    )

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["clinician", "weekday", "starts_at", "id"]
        indexes = [models.Index(fields=["location", "weekday"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="working_hours_weekday_known"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="working_hours_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="working_hours_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.clinician} {self.get_weekday_display()} "
            f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M} {self.location}"
        )


class ExceptionKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    HOLIDAY = "holiday", _("Public holiday")
    LOCATION_CLOSED = "location_closed", _("Location closed")
    OTHER = "other", _("Other")


class ScheduleException(models.Model):
    """Time nobody can book: a clinician's leave (everywhere, or at one location), or a
    location that is closed (every clinician there)."""

    kind = models.CharField(max_length=20, choices=ExceptionKind.choices, verbose_name=_("kind"))
    clinician = models.ForeignKey(
        Clinician,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedule_exceptions",
        help_text="Empty: every clinician at the location.",
        verbose_name=_("clinician"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedule_exceptions",
        help_text="Empty: the clinician's leave applies at every location.",
        verbose_name=_("location"),
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))

    class Meta:
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["ends_at", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="schedule_exception_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(clinician__isnull=False) | Q(location__isnull=False),
                name="schedule_exception_has_clinician_or_location",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ExceptionKind.values), name="schedule_exception_kind_known"
            ),
        ]

    def __str__(self) -> str:
        who = self.clinician or self.location
        return f"{self.get_kind_display()}: {who} {self.starts_at:%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


# Appointments that occupy the clinician's and the patient's time.
ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)


class CancelReason(models.TextChoices):
    FEELING_BETTER = "feeling_better", _("Feeling better")
    CONDITION_WORSE = "condition_worse", _("Condition worse")
    ILLNESS = "illness", _("Illness")
    OTHER = "other", _("Other")


class AppointmentSeries(models.Model):
    """A treatment series booked in one go (weekly, or every N days)."""

    interval_days = models.PositiveSmallIntegerField()
    occurrences = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment series")
        verbose_name_plural = pgettext_lazy("plural", "appointment series")

    def __str__(self) -> str:
        return f"Series {self.pk}: {self.occurrences} × every {self.interval_days} days"


class AppointmentQuerySet(models.QuerySet):
    def overlapping(self, since, until, *, end_field: str = "end"):
        """Appointments whose [start, end_field) overlaps [since, until).

        The lower bound on start follows from LONGEST_BUSY; it is there so PostgreSQL reads a
        slice of a (..., start) index instead of every appointment before ``until``.
        """
        return self.filter(
            start__lt=until, start__gt=since - LONGEST_BUSY, **{f"{end_field}__gt": since}
        )


class Appointment(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("patient")
    )
    clinician = models.ForeignKey(
        Clinician,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("clinician"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("location")
    )
    appointment_type = models.ForeignKey(
        AppointmentType,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("appointment type"),
    )
    start = models.DateTimeField(verbose_name=_("start"))
    end = models.DateTimeField(verbose_name=_("end"))
    # end + the type's buffer: the clinician is busy until then (used by the constraint).
    buffer_end = models.DateTimeField(verbose_name=_("buffer end"))
    status = models.CharField(
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
        verbose_name=_("status"),
    )
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("series"),
    )
    cancel_reason = models.CharField(
        max_length=20, choices=CancelReason.choices, blank=True, verbose_name=_("cancel reason")
    )
    cancel_note = models.CharField(max_length=500, blank=True, verbose_name=_("cancel note"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinician", "start"]),
            models.Index(fields=["location", "start"]),
            models.Index(fields=["patient", "start"]),
            # Staff lists are "the next appointments I may see": walk this in order and stop.
            models.Index(fields=["start", "id"], name="appointment_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(buffer_end__gte=F("end")), name="appointment_buffer_after_end"
            ),
            models.CheckConstraint(
                condition=Q(buffer_end__lte=F("start") + LONGEST_BUSY),
                name="appointment_busy_at_most_longest",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(cancel_reason="") | Q(cancel_reason__in=CancelReason.values),
                name="appointment_cancel_reason_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type.name} {self.start:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ChangeAction(models.TextChoices):
    BOOKED = "booked", _("Booked")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("Marked no-show")


class AppointmentChange(models.Model):
    """Who did what to an appointment, and when. Written by the services, never edited."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="changes", verbose_name=_("appointment")
    )
    action = models.CharField(max_length=20, choices=ChangeAction.choices, verbose_name=_("action"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("at"))
    previous_start = models.DateTimeField(null=True, blank=True, verbose_name=_("previous start"))
    previous_end = models.DateTimeField(null=True, blank=True, verbose_name=_("previous end"))
    reason = models.CharField(max_length=20, blank=True, verbose_name=_("reason"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))

    class Meta:
        verbose_name = _("appointment change")
        verbose_name_plural = _("appointment changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.action} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def reason_text(self) -> str:
        """A cancellation's reason in the reader's words; any other reason as it was written."""
        if self.reason in CancelReason.values:
            return str(CancelReason(self.reason).label)
        return self.reason


class CalendarFeed(models.Model):
    """A clinician's private iCalendar URL. Only a hash of the secret token is stored;
    regenerating replaces it, so an old URL stops working at once."""

    clinician = models.OneToOneField(
        Clinician, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Calendar feed of {self.clinician}"
