"""Reads of the programs app: what each user may see, in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus
from clinic.models import User
from clinic.selectors import patient_filter_for
from escalations.models import UNRESOLVED, Escalation, Severity
from programs.models import CheckIn, Prescription, Program, ProgramStatus, StepTransition


def programs_visible_to(user: User) -> QuerySet[Program]:
    """Programs of the patients ``user`` may see, with history and prescriptions prefetched."""
    return (
        Program.objects.filter(patient_filter_for(user, prefix="patient__"))
        .select_related("patient")
        .prefetch_related(
            Prefetch("transitions", queryset=StepTransition.objects.order_by("at", "id")),
            Prefetch(
                "prescriptions",
                queryset=Prescription.objects.select_related("exercise").order_by("step", "id"),
            ),
        )
    )


def check_ins_visible_to(user: User) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(patient_filter_for(user, prefix="patient__")).select_related(
        "patient"
    )


def latest_check_in_of(*, patient_id: int) -> CheckIn | None:
    return CheckIn.objects.filter(patient_id=patient_id).order_by("-submitted_at", "-id").first()


# --- Caseload ------------------------------------------------------------------------------


class Days(Func):
    """An integer column as a duration of that many days, on PostgreSQL and SQLite."""

    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="make_interval(days => %(expressions)s)")

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps durations in SQLite as microseconds.
        return self.as_sql(compiler, connection, template="(%(expressions)s * 86400000000)")


# Who needs attention first: an urgent escalation, then a high one, then a patient whose
# check-in is overdue, then a normal escalation, then everyone else.
ATTENTION_URGENT, ATTENTION_HIGH, ATTENTION_OVERDUE, ATTENTION_NORMAL, ATTENTION_NONE = range(5)
SEVERITY_ATTENTION = {
    Severity.URGENT: ATTENTION_URGENT,
    Severity.HIGH: ATTENTION_HIGH,
    Severity.NORMAL: ATTENTION_NORMAL,
}
ATTENTION_SEVERITY = {attention: severity for severity, attention in SEVERITY_ATTENTION.items()}


def caseload_for(*, user: User, now: datetime.datetime | None = None) -> QuerySet[Program]:
    """A clinician's active programs, each annotated with what the caseload shows, most
    in need of attention first. One query whatever the size; rows are ordered by
    ``attention``, then the oldest last check-in (never checked in first), then program id.

    The ORM writes a subquery out again wherever an annotation that holds it is used, so
    the attention is one LEAST() over the escalations' attention and the check-in's:
    seven subqueries instead of thirteen, which halved the time to build the SQL.
    """
    now = now or timezone.now()
    unresolved = Escalation.objects.filter(patient=OuterRef("patient_id"), status__in=UNRESOLVED)
    severity_attention = Case(
        *(When(severity=s, then=Value(a)) for s, a in SEVERITY_ATTENTION.items()),
        output_field=IntegerField(),
    )
    last_check_in = (
        CheckIn.objects.filter(patient=OuterRef("patient_id"))
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    next_appointment = (
        Appointment.objects.filter(
            patient=OuterRef("patient_id"), status=AppointmentStatus.BOOKED, start__gte=now
        )
        .order_by("start")
        .values("start")[:1]
    )
    return (
        Program.objects.filter(clinician__user=user, status=ProgramStatus.ACTIVE)
        .select_related("patient")
        .only(
            "id",
            "patient_id",
            "step",
            "check_in_every_days",
            "started_at",
            "patient__first_name",
            "patient__last_name",
        )
        .annotate(
            open_escalation_count=Coalesce(
                Subquery(
                    unresolved.order_by().values("patient").annotate(n=Count("id")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            # Of the most severe unresolved escalation; null without one.
            escalation_attention=Subquery(
                unresolved.order_by()
                .values("patient")
                .annotate(attention=Min(severity_attention))
                .values("attention")[:1],
                output_field=IntegerField(),
            ),
            last_check_in=Subquery(last_check_in, output_field=DateTimeField()),
            next_appointment=Subquery(next_appointment, output_field=DateTimeField()),
        )
        .alias(
            # Check-ins are counted from the last one, or from the start of the program
            # (a check-in from an earlier program does not count).
            check_in_due_at=ExpressionWrapper(
                Greatest(Coalesce("last_check_in", "started_at"), "started_at")
                + Days("check_in_every_days"),
                output_field=DateTimeField(),
            ),
        )
        .annotate(
            check_in_overdue=Case(
                When(check_in_due_at__lt=Value(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            attention=Least(
                Coalesce("escalation_attention", Value(ATTENTION_NONE)),
                Case(
                    When(check_in_due_at__lt=Value(now), then=Value(ATTENTION_OVERDUE)),
                    default=Value(ATTENTION_NONE),
                    output_field=IntegerField(),
                ),
            ),
        )
        .order_by("attention", F("last_check_in").asc(nulls_first=True), "id")
    )
