"""Reads of the programs app: what each user may see, in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from assessments.models import Assessment
from bookings.models import Appointment, AppointmentStatus
from clinic.models import Patient, User
from clinic.selectors import location_ids_of, managers_of, patient_filter_for
from escalations.models import UNRESOLVED, Escalation, EscalationStatus, Severity
from escalations.selectors import severity_rank
from programs import rules
from programs.check_in_due import check_in_due_at
from programs.models import (
    OPEN_PROGRAM_STATUSES,
    CheckIn,
    ExitCriteriaSetting,
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
        .select_related("patient", "episode")
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
    # The members, as a UNION of patient ids that indexes answer (partial indexes on active
    # programs and on unresolved escalations): the patients of my active programs; those
    # with an unresolved escalation and an open program of mine; those with an unresolved
    # escalation or a recent assessment, no open program, and me as (possible) clinician.
    locations = list(location_ids_of(user))

    def theirs(prefix: str) -> Q:
        return Q(**{f"{prefix}primary_clinician__user": user}) | Q(
            **{f"{prefix}primary_clinician__isnull": True, f"{prefix}location__in": locations}
        )

    no_open_program = ~Exists(
        Program.objects.filter(patient=OuterRef("patient_id"), status__in=OPEN_PROGRAM_STATUSES)
    )
    open_unresolved = Escalation.objects.filter(status__in=UNRESOLVED)
    members = (
        Program.objects.filter(clinician__user=user, status=ProgramStatus.ACTIVE)
        .order_by()
        .values("patient_id")
        .union(
            open_unresolved.filter(
                Exists(
                    Program.objects.filter(
                        patient=OuterRef("patient_id"),
                        clinician__user=user,
                        status__in=OPEN_PROGRAM_STATUSES,
                    )
                )
            )
            .order_by()
            .values("patient_id"),
            open_unresolved.filter(theirs("patient__"))
            .filter(no_open_program)
            .order_by()
            .values("patient_id"),
            Assessment.objects.filter(assessed_at__gte=now - CASELOAD_RECENT_ASSESSMENT)
            .filter(theirs("patient__"))
            .filter(no_open_program)
            .order_by()
            .values("patient_id"),
        )
    )

    def program_value(name, field):
        # One small subquery per column of the (at most one) open program.
        return Subquery(open_program.values(name)[:1], output_field=field)

    return (
        Patient.objects.filter(pk__in=members)
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
            # Only an active program asks for check-ins (counted as check_in_due_at says).
            check_in_due_at=Case(
                When(
                    program_status=ProgramStatus.ACTIVE,
                    then=check_in_due_at(started_at="program_started_at"),
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


# --- who hears about a patient ---------------------------------------------------------


def clinician_users_for(patient: Patient) -> list[User]:
    """Who looks after the patient: the clinician of the open program and the primary
    clinician; when there is neither, the managers of the patient's location."""
    ids = set(
        Program.objects.filter(patient=patient, status__in=OPEN_PROGRAM_STATUSES).values_list(
            "clinician__user_id", flat=True
        )
    )
    if patient.primary_clinician_id:
        ids.add(patient.primary_clinician.user_id)
    users = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    return users or managers_of(patient.location_id)


def open_escalations_for(user: User) -> QuerySet[Escalation]:
    """The open escalations of the patients ``user`` treats (as primary clinician or in an
    open program), most severe first, then oldest first."""
    return (
        Escalation.objects.filter(status=EscalationStatus.OPEN)
        .filter(
            Q(patient__primary_clinician__user=user)
            | Q(
                patient__programs__clinician__user=user,
                patient__programs__status__in=OPEN_PROGRAM_STATUSES,
            )
        )
        .select_related("patient")
        .distinct()
        .annotate(rank=severity_rank())
        .order_by("rank", "created_at", "pk")
    )


def active_programs_with_last_check_in() -> QuerySet[Program]:
    """Active programs with their patient and the time of the program's last check-in
    (``last_check_in``), in id order: what the check-in reminder plan walks through."""
    return (
        Program.objects.filter(status=ProgramStatus.ACTIVE)
        .select_related("patient__user", "patient__notification_preference")
        .annotate(last_check_in=Max("check_ins__submitted_at"))
        .order_by("pk")
    )


# --- Readiness -------------------------------------------------------------------------------


def pain_free_walking_weeks(
    *, program: Program, since: datetime.datetime | None = None, limit: int = 200
) -> float | None:
    """Weeks of uninterrupted pain-free walking up to the newest check-in: the run of the
    latest check-ins that report walking (minutes > 0) without a limp and no pain during
    activity. A check-in that does not answer those questions ends the run. None when the
    newest check-in is not one of them. ``since`` (default: the program's start) is when
    the patient's reports start to count, e.g. the program's re-basing after a reinjury."""
    rows = list(
        CheckIn.objects.filter(
            patient_id=program.patient_id, submitted_at__gte=since or program.started_at
        )
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


def exit_criteria_for(location_id: int | None) -> dict[int, tuple[str, ...]]:
    """Step → the criterion codes that must hold to leave it, at a location: its own over
    DOMAIN.md's suggestion (``programs.rules.EXIT_CRITERIA``)."""
    criteria = dict(rules.EXIT_CRITERIA)
    if location_id is not None:
        for step, codes in ExitCriteriaSetting.objects.filter(location_id=location_id).values_list(
            "step", "criteria"
        ):
            if codes:  # a step is never left on no criterion at all, whatever is stored
                criteria[step] = tuple(codes)
    return criteria
