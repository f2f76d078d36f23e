"""Check-ins: a patient's self-report, evaluated by the rules as it comes in."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from assessments.models import InjuryEpisode
from clinic import events
from clinic.errors import InvalidInput
from clinic.models import Patient
from clinic.time import local_date
from clinical_rules.selectors import rule_settings_for
from clinical_rules.thresholds import RuleSettings
from escalations.catalogue import EscalationRule
from escalations.models import UNRESOLVED, Escalation, OccurrenceSource
from escalations.services import escalation_raise
from notifications.services import schedule_mark_claim
from programs import rules
from programs.check_in_due import MISSED_BEFORE_ESCALATION, missed_count
from programs.models import OPEN_PROGRAM_STATUSES, CheckIn, Program, ProgramStatus

logger = logging.getLogger("clinic.notifications")


def onset_of(*, patient: Patient, program: Program | None = None) -> datetime.datetime | None:
    """When the injury the check-ins are about began (clinic midnight of its onset date):
    the program's episode, else the patient's most recent open episode; None if unknown."""
    episode = None
    if program is not None and program.episode_id is not None:
        episode = InjuryEpisode.objects.filter(pk=program.episode_id).only("onset_date").first()
    if episode is None:
        episode = (
            InjuryEpisode.objects.filter(patient=patient, closed_at__isnull=True)
            .order_by("-onset_date", "-id")
            .only("onset_date")
            .first()
        )
    if episode is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(episode.onset_date, datetime.time(0)))


def _days_since(onset: datetime.datetime | None, moment: datetime.datetime) -> int | None:
    """Whole days from the onset date to ``moment``'s clinic date (day 42 is six weeks)."""
    if onset is None:
        return None
    return (timezone.localdate(moment) - timezone.localdate(onset)).days


def _pain_history(
    *,
    patient: Patient,
    until: datetime.datetime,
    onset: datetime.datetime | None,
    settings: RuleSettings,
) -> list[rules.PainPoint]:
    """The check-ins the trend rules need, oldest first, in three bounded queries: the
    first report of the injury (the baseline of "no clear improvement"), all of the last
    weeks, and the few before (the rising rule when check-ins are far apart). Check-ins
    before the onset belong to an earlier injury."""
    mine = CheckIn.objects.filter(patient=patient, submitted_at__lte=until)
    if onset is not None:
        mine = mine.filter(submitted_at__gte=onset)
    cutoff = until - datetime.timedelta(
        days=max(settings.chronic_escalate_after_days, settings.no_progress_after_days)
    )
    fields = ("submitted_at", "pain_now", "pain_activity", "id")
    first = list(mine.order_by("submitted_at", "id").values_list(*fields)[:1])
    recent = list(
        mine.filter(submitted_at__gte=cutoff).order_by("submitted_at", "id").values_list(*fields)
    )
    older = list(
        mine.filter(submitted_at__lt=cutoff)
        .order_by("-submitted_at", "-id")
        .values_list(*fields)[: settings.trend_rising_check_ins]
    )
    rows = {row[3]: row for row in [*first, *reversed(older), *recent]}
    return [
        rules.PainPoint(at, now, activity)
        for at, now, activity, _ in sorted(rows.values(), key=lambda r: (r[0], r[3]))
    ]


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
    settings = rule_settings_for(patient.location_id)
    onset = onset_of(patient=patient, program=program)
    previous_walking_minutes = (
        CheckIn.objects.filter(
            patient=patient,
            submitted_at__lte=check_in.submitted_at,
            walking_minutes__isnull=False,
        )
        .exclude(pk=check_in.pk)
        .order_by("-submitted_at", "-id")
        .values_list("walking_minutes", flat=True)
        .first()
    )
    history = _pain_history(
        patient=patient, until=check_in.submitted_at, onset=onset, settings=settings
    )
    # "Keep going" never while an earlier escalation is still with the clinician (any
    # alert of this check-in is never "keep going" either, so it is read before raising).
    standing = Escalation.objects.filter(patient=patient, status__in=UNRESOLVED).exists()
    decision = rules.check_in_decision(
        rules.CheckInReport.of(check_in),
        history=history,
        days_since_onset=_days_since(onset, check_in.submitted_at),
        previous_walking_minutes=previous_walking_minutes,
        escalation_standing=standing,
        settings=settings,
    )
    for alert in decision.alerts:
        if alert.escalates:
            escalation_raise(
                patient=patient,
                rule=alert.code,
                reason=alert.reason,
                source_check_in=check_in,
                settings=settings,
            )
    check_in.alerts = decision.alert_codes
    check_in.advice_codes = decision.advice_codes
    check_in.save(update_fields=["alerts", "advice_codes"])
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
    settings = rule_settings_for(patient.location_id)
    onset = onset_of(patient=patient, program=_open_program_of(patient))
    history = _pain_history(patient=patient, until=as_of, onset=onset, settings=settings)
    if not history:
        return []
    fired = [
        a
        for a in rules.trend_alerts(
            history, days_since_onset=_days_since(onset, history[-1].at), settings=settings
        )
        if a.code in TREND_REVIEW_RULES
    ]
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
                patient=patient,
                rule=alert.code,
                reason=alert.reason,
                source_check_in=latest,
                source=OccurrenceSource.NIGHTLY_REVIEW,
                settings=settings,
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
        source=OccurrenceSource.SCHEDULE,
    )
