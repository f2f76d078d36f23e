"""Check-ins: a patient's self-report, evaluated by the rules as it comes in."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from clinic import events
from clinic.errors import InvalidInput
from clinic.models import Patient
from clinic.time import local_date
from escalations.catalogue import EscalationRule
from escalations.models import UNRESOLVED, Escalation
from escalations.services import escalation_raise
from notifications.services import schedule_mark_claim
from programs import rules
from programs.check_in_due import MISSED_BEFORE_ESCALATION, missed_count
from programs.models import OPEN_PROGRAM_STATUSES, CheckIn, Program, ProgramStatus

logger = logging.getLogger("clinic.notifications")


def _pain_history(*, patient: Patient, until: datetime.datetime) -> list[rules.PainPoint]:
    """The check-ins the trend rules need, oldest first, in two bounded queries: all of
    the last six weeks, and the few before (the chronic rule's baseline; the rising rule
    when check-ins are far apart)."""
    mine = CheckIn.objects.filter(patient=patient, submitted_at__lte=until)
    cutoff = until - rules.CHRONIC_AFTER
    fields = ("submitted_at", "pain_now", "pain_activity")
    recent = list(
        mine.filter(submitted_at__gte=cutoff).order_by("submitted_at", "id").values_list(*fields)
    )
    older = list(
        mine.filter(submitted_at__lt=cutoff)
        .order_by("-submitted_at", "-id")
        .values_list(*fields)[: rules.TREND_RISING_CHECK_INS]
    )
    return [rules.PainPoint(at, now, activity) for at, now, activity in [*reversed(older), *recent]]


def _open_program_of(patient: Patient) -> Program | None:
    return Program.objects.filter(patient=patient, status__in=OPEN_PROGRAM_STATUSES).first()


@transaction.atomic
def check_in_submit(*, patient: Patient, program: Program | None = None, **fields) -> CheckIn:
    """Store a check-in, evaluate it on its own and against the patient's trend, and open
    (or add to) an escalation for every rule that asks a clinician to look."""
    if program is None:
        program = _open_program_of(patient)
    elif program.patient_id != patient.pk:
        raise InvalidInput(gettext("This program is not yours."), field="program")
    complaints = list(dict.fromkeys(fields.pop("complaints_elsewhere", None) or []))
    check_in = CheckIn.objects.create(
        patient=patient, program=program, complaints_elsewhere=complaints, **fields
    )
    report = rules.CheckInReport(
        pain_now=check_in.pain_now,
        pain_activity=check_in.pain_activity,
        pain_character=check_in.pain_character,
        pain_course=check_in.pain_course,
        next_day_pain=check_in.next_day_pain,
        exercise_pain_over_hour=check_in.exercise_pain_over_hour,
        walking_minutes=check_in.walking_minutes,
        walks_without_limp=check_in.walks_without_limp,
        complaints_elsewhere=complaints,
    )
    alerts = rules.check_in_alerts(report)
    alerts += rules.trend_alerts(_pain_history(patient=patient, until=check_in.submitted_at))
    for alert in alerts:
        if alert.escalates:
            escalation_raise(
                patient=patient, rule=alert.code, reason=alert.reason, source_check_in=check_in
            )
    check_in.alerts = [alert.code for alert in alerts]
    check_in.save(update_fields=["alerts"])
    events.check_in_submitted.send(CheckIn, check_in=check_in)
    return check_in


TREND_REVIEW_RULES = (rules.NO_PROGRESS, rules.CHRONIC_NO_IMPROVEMENT)


@transaction.atomic
def patient_trend_review(*, patient: Patient, as_of: datetime.datetime | None = None) -> list[str]:
    """Re-evaluate the slow trend rules (no progress, > 6 weeks without improvement) over
    the patient's check-ins up to ``as_of``; for the nightly sweep. Returns the rule codes
    that hold.

    Safe to run every night and twice at once: an escalation is opened only when none is
    unresolved for that rule and the clinician has not resolved one since the latest
    check-in (nothing new to look at then), so a quiet patient is not re-flagged nightly.
    """
    as_of = as_of or timezone.now()
    history = _pain_history(patient=patient, until=as_of)
    if not history:
        return []
    fired = [a for a in rules.trend_alerts(history) if a.code in TREND_REVIEW_RULES]
    if not fired:
        return []
    latest = (
        CheckIn.objects.filter(patient=patient, submitted_at__lte=as_of)
        .order_by("-submitted_at", "-id")
        .first()
    )
    already_seen = set(
        Escalation.objects.filter(patient=patient, rule__in=[a.code for a in fired])
        .filter(Q(status__in=UNRESOLVED) | Q(resolved_at__gte=latest.submitted_at))
        .values_list("rule", flat=True)
    )
    for alert in fired:
        if alert.code not in already_seen:
            escalation_raise(
                patient=patient, rule=alert.code, reason=alert.reason, source_check_in=latest
            )
    return [alert.code for alert in fired]


# --- the nightly trend review -----------------------------------------------------------


def trend_review_patient_batches(
    *, now: datetime.datetime | None = None, batch_size: int = 200
) -> list[list[int]]:
    """Tonight's patients with an active program, in batches; empty when tonight's sweep
    has already been claimed (a second beat, a retried task)."""
    now = now or timezone.now()
    if not schedule_mark_claim(key=f"trend_review:{local_date(now).isoformat()}"):
        return []
    ids = list(
        Program.objects.filter(status=ProgramStatus.ACTIVE)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
        .distinct()
    )
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def trend_review_batch(*, patient_ids: list[int]) -> int:
    """Run the trend rules for these patients, each on their own, so one failure does not
    stop the others. Returns how many were reviewed."""
    reviewed = 0
    for patient in Patient.objects.filter(pk__in=patient_ids).order_by("pk"):
        try:
            patient_trend_review(patient=patient)
        except Exception:
            logger.exception("Trend review failed for patient %s", patient.pk)
            continue
        reviewed += 1
    return reviewed


# --- missed check-ins -------------------------------------------------------------------


def missed_check_ins_escalate(
    *, program: Program, last_day: datetime.date, today: datetime.date
) -> Escalation | None:
    """After two missed check-ins since ``last_day``: a ``missed_check_ins`` escalation,
    once per program and last check-in (the reminder plan runs every half hour)."""
    every = program.check_in_every_days
    missed = missed_count(last_day=last_day, every=every, today=today)
    if missed < MISSED_BEFORE_ESCALATION or not schedule_mark_claim(
        key=f"missed_check_ins:{program.pk}:{last_day}"
    ):
        return None
    return escalation_raise(
        patient=program.patient,
        rule=EscalationRule.MISSED_CHECK_INS,
        reason=(
            f"No check-in since {last_day.isoformat()}: {missed} check-ins missed "
            f"(due every {every} days)."
        ),
    )
