"""Reads of the programs app: what each user may see, in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from assessments.models import Assessment
from bookings.models import Appointment, AppointmentStatus
from clinic.models import Patient, User
from clinic.selectors import location_ids_of, patient_filter_for
from escalations.models import UNRESOLVED, Escalation, Severity
from programs.models import (
    OPEN_PROGRAM_STATUSES,
    CheckIn,
    Prescription,
    PrescriptionLoadChange,
    Program,
    ProgramStatus,
    StepTransition,
)


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
            Prefetch(
                "prescriptions__load_changes",
                queryset=PrescriptionLoadChange.objects.order_by("at", "id"),
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


# An assessment this recent without an open program puts the patient on a caseload: an
# intake waiting for its program must not fall between two chairs.
CASELOAD_RECENT_ASSESSMENT = datetime.timedelta(days=30)


def caseload_for(*, user: User, now: datetime.datetime | None = None) -> QuerySet[Patient]:
    """A clinician's caseload: one row per patient, most in need of attention first.

    On it: the patients of the clinician's active programs; every patient with an
    unresolved escalation, or an assessment in the last ``CASELOAD_RECENT_ASSESSMENT`` and
    no open program, on the list of their clinician: the open (e.g. paused) program's,
    else the primary clinician's, else every clinician at the patient's location. One
    query whatever the size; rows are ordered by ``attention``, then the oldest last
    check-in (never checked in first), then program id and patient id.

    The ORM writes a subquery out again wherever an annotation that holds it is used, so
    the attention is one LEAST() over the escalations' attention and the check-in's.
    """
    now = now or timezone.now()
    unresolved = Escalation.objects.filter(patient=OuterRef("pk"), status__in=UNRESOLVED)
    severity_attention = Case(
        *(When(severity=s, then=Value(a)) for s, a in SEVERITY_ATTENTION.items()),
        output_field=IntegerField(),
    )
    last_check_in = (
        CheckIn.objects.filter(patient=OuterRef("pk"))
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    next_appointment = (
        Appointment.objects.filter(
            patient=OuterRef("pk"), status=AppointmentStatus.BOOKED, start__gte=now
        )
        .order_by("start")
        .values("start")[:1]
    )
    open_program = Program.objects.filter(
        patient=OuterRef("pk"), status__in=OPEN_PROGRAM_STATUSES
    ).order_by("-started_at", "-id")
    recent_assessment = Assessment.objects.filter(
        patient=OuterRef("pk"), assessed_at__gte=now - CASELOAD_RECENT_ASSESSMENT
    )
    their_clinician = Q(primary_clinician__user=user) | Q(
        primary_clinician__isnull=True, location__in=location_ids_of(user)
    )
    on_caseload = (
        Q(Exists(open_program.filter(clinician__user=user, status=ProgramStatus.ACTIVE)))
        | Q(Exists(open_program.filter(clinician__user=user)), Exists(unresolved))
        | (
            ~Q(Exists(open_program))
            & (Q(Exists(unresolved)) | Q(Exists(recent_assessment)))
            & their_clinician
        )
    )

    def program_value(name, field):
        # One small subquery per column of the (at most one) open program.
        return Subquery(open_program.values(name)[:1], output_field=field)

    return (
        Patient.objects.filter(on_caseload)
        .only("id", "first_name", "last_name")
        .annotate(
            program_id=program_value("id", IntegerField()),
            program_step=program_value("step", IntegerField()),
            program_status=program_value("status", CharField()),
            program_started_at=program_value("started_at", DateTimeField()),
            check_in_every_days=program_value("check_in_every_days", IntegerField()),
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
            # (a check-in from an earlier program does not count); only an active program
            # asks for them.
            check_in_due_at=Case(
                When(
                    program_status=ProgramStatus.ACTIVE,
                    then=ExpressionWrapper(
                        Greatest(
                            Coalesce("last_check_in", "program_started_at"), "program_started_at"
                        )
                        + Days("check_in_every_days"),
                        output_field=DateTimeField(),
                    ),
                ),
                default=Value(None),
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
        .order_by(
            "attention",
            F("last_check_in").asc(nulls_first=True),
            F("program_id").asc(nulls_last=True),
            "id",
        )
    )


# --- Readiness -------------------------------------------------------------------------------


def pain_free_walking_weeks(*, program: Program, limit: int = 200) -> float | None:
    """Weeks of uninterrupted pain-free walking up to the newest check-in: the run of the
    latest check-ins that report walking (minutes > 0) without a limp and no pain during
    activity. A check-in that does not answer those questions ends the run. None when the
    newest check-in is not one of them."""
    rows = list(
        CheckIn.objects.filter(patient_id=program.patient_id, submitted_at__gte=program.started_at)
        .order_by("-submitted_at", "-id")
        .values_list("submitted_at", "walking_minutes", "walks_without_limp", "pain_activity")[
            :limit
        ]
    )
    run = []
    for at, minutes, without_limp, pain in rows:
        if not (minutes and without_limp is True and pain == 0):
            break
        run.append(at)
    if not run:
        return None
    return round((run[0] - run[-1]).total_seconds() / (7 * 86400), 1)
