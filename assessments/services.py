"""Writes of the assessments app: recording an assessment on the patient's injury episode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessments import rules
from assessments.codes import AssessmentErrorCode
from assessments.models import Assessment, AssessmentKind, InjuryEpisode, Side
from clinic.errors import InvalidInput, NotAllowed
from clinic.models import Clinician, Patient, User
from clinic.selectors import patient_filter_for
from clinic.time import local_date
from clinical_rules.selectors import rule_settings_for
from escalations.catalogue import ESCALATION_RULES, EscalationRule
from escalations.models import Escalation
from escalations.selectors import severities_for
from escalations.services import escalation_raise

# Clocks of tablets and servers differ a little; an assessment is never recorded ahead.
CLOCK_SKEW = timedelta(minutes=5)


def _check_score(value: int | None, field: str) -> None:
    if value is not None and not rules.PAIN_MIN <= value <= rules.PAIN_MAX:
        raise InvalidInput(gettext("Pain is scored from 0 to 10."), field=field)


def _check_findings(
    *,
    side: str,
    grade: int | None,
    pain_rest: int | None,
    pain_walking: int | None,
    previous_injuries: int | None,
    red_flags: Sequence[str],
    readiness: Mapping[str, object],
    mobility_findings: Sequence[str],
    movement_patterns: Sequence[str],
) -> None:
    """The rules' own input checks, so the admin and commands get the API's answers."""
    if side not in Side.values:
        raise InvalidInput(gettext("Side is left or right."), field="side")
    if grade is not None and grade not in rules.GRADES:
        raise InvalidInput(gettext("Grade is 1, 2, 3 or unknown (null)."), field="grade")
    _check_score(pain_rest, "pain_rest")
    _check_score(pain_walking, "pain_walking")
    if previous_injuries is not None and previous_injuries < 0:
        raise InvalidInput(
            gettext("Previous injuries cannot be negative."), field="previous_injuries"
        )
    for field, errors in (
        ("red_flags", rules.red_flag_errors(red_flags)),
        ("readiness", rules.readiness_errors(readiness)),
        (
            "mobility_findings",
            rules.code_list_errors(
                mobility_findings, rules.MOBILITY_FINDINGS, gettext("mobility finding")
            ),
        ),
        (
            "movement_patterns",
            rules.code_list_errors(
                movement_patterns, rules.MOVEMENT_PATTERNS, gettext("movement pattern")
            ),
        ),
    ):
        if errors:
            raise InvalidInput(errors[0], field=field)


def _episode_for(
    *,
    patient: Patient,
    side: str,
    onset_date: date,
    previous_injuries: int | None,
    mechanism: str,
) -> InjuryEpisode:
    """The patient's open episode for this side, opened if there is none.

    A different onset date on an open episode means one of two things:
    - the onset lies after the episode's last assessment: the leg was injured again, so
      the old episode is closed and a new one opened, counting the old injury as a previous
      one (unless the clinician gave the count);
    - otherwise the clinician corrects the onset of the same injury, and the episode's
      onset date is updated.
    """
    episode = (
        InjuryEpisode.objects.select_for_update()
        .filter(patient=patient, side=side, closed_at__isnull=True)
        .first()
    )
    if episode is not None and episode.onset_date != onset_date:
        last = episode.assessments.order_by("-assessed_at").values_list("assessed_at", flat=True)
        last_assessed = last.first()
        if last_assessed is not None and onset_date > local_date(last_assessed):
            episode.closed_at = timezone.now()
            episode.save(update_fields=["closed_at"])
            if previous_injuries is None:
                previous_injuries = episode.previous_injuries + 1
            episode = None
        else:
            episode.onset_date = onset_date
    if episode is None:
        return InjuryEpisode.objects.create(
            patient=patient,
            side=side,
            onset_date=onset_date,
            previous_injuries=previous_injuries or 0,
            mechanism=mechanism,
        )
    if previous_injuries is not None:
        episode.previous_injuries = previous_injuries
    if mechanism:
        episode.mechanism = mechanism
    episode.save(update_fields=["onset_date", "previous_injuries", "mechanism"])
    return episode


def _earlier(episode: InjuryEpisode, before: datetime) -> rules.EarlierAssessment | None:
    previous = (
        episode.assessments.filter(assessed_at__lte=before)
        .order_by("-assessed_at", "-id")
        .only("assessed_at", "pain_rest", "pain_walking", "readiness")
        .first()
    )
    if previous is None:
        return None
    return rules.EarlierAssessment(
        assessed_on=local_date(previous.assessed_at),
        pain_rest=previous.pain_rest,
        pain_walking=previous.pain_walking,
        readiness=previous.readiness or {},
    )


# Facts that do not change within an episode: once a clinician has handled the escalation,
# re-assessing the same episode must not reopen it.
ONCE_PER_EPISODE_RULES = frozenset({EscalationRule.RECURRENCE})


def _already_escalated(episode: InjuryEpisode, rule: str) -> bool:
    if rule not in ONCE_PER_EPISODE_RULES:
        return False
    return Escalation.objects.filter(
        rule=rule, patient_id=episode.patient_id, source_assessment__episode=episode
    ).exists()


@transaction.atomic
def assessment_record(
    *,
    clinician_user: User,
    patient: Patient,
    side: str,
    onset_date: date,
    grade: int | None = None,
    previous_injuries: int | None = None,
    red_flags: Sequence[str] = (),
    readiness: Mapping[str, object] | None = None,
    pain_rest: int | None = None,
    pain_walking: int | None = None,
    notes: str = "",
    mobility_findings: Sequence[str] = (),
    movement_patterns: Sequence[str] = (),
    mechanism: str = "",
    assessed_at: datetime | None = None,
) -> Assessment:
    """Record what the clinician observed, with the alerts the rules raise.

    Alerts that are escalation rules open an escalation (or add an occurrence to the open
    one) in the same transaction, so an assessment never exists without its escalations.
    """
    clinician = Clinician.objects.filter(user=clinician_user).first()
    if clinician is None:
        raise NotAllowed(
            gettext("Only a clinician records assessments."),
            code=AssessmentErrorCode.NOT_A_CLINICIAN,
        )
    # Locking the patient serialises assessments of one patient, so two clinicians saving
    # the first assessment of a leg at once end up on one episode instead of a conflict.
    visible = Patient.objects.filter(patient_filter_for(clinician_user), pk=patient.pk)
    if not list(visible.select_for_update(of=("self",)).values_list("pk", flat=True)):
        raise InvalidInput(gettext("No such patient among yours."), field="patient")
    readiness = dict(readiness or {})
    red_flags, mobility_findings = list(red_flags), list(mobility_findings)
    movement_patterns = list(movement_patterns)
    _check_findings(
        side=side,
        grade=grade,
        pain_rest=pain_rest,
        pain_walking=pain_walking,
        previous_injuries=previous_injuries,
        red_flags=red_flags,
        readiness=readiness,
        mobility_findings=mobility_findings,
        movement_patterns=movement_patterns,
    )
    now = timezone.now()
    assessed_at = assessed_at or now
    if assessed_at > now + CLOCK_SKEW:
        raise InvalidInput(
            gettext("An assessment cannot be recorded ahead of time."), field="assessed_at"
        )
    assessed_on = local_date(assessed_at)
    if onset_date > assessed_on:
        raise InvalidInput(gettext("The onset cannot be after the assessment."), field="onset_date")

    episode = _episode_for(
        patient=patient,
        side=side,
        onset_date=onset_date,
        previous_injuries=previous_injuries,
        mechanism=mechanism,
    )
    had_assessments = episode.assessments.exists()
    findings = rules.Findings(
        onset_date=episode.onset_date,
        assessed_on=assessed_on,
        grade=grade,
        previous_injuries=episode.previous_injuries,
        red_flags=red_flags,
        readiness=readiness,
        pain_rest=pain_rest,
        pain_walking=pain_walking,
        previous=_earlier(episode, assessed_at) if had_assessments else None,
        other_leg_in_treatment=InjuryEpisode.objects.filter(patient=patient, closed_at__isnull=True)
        .exclude(side=side)
        .exists(),
        settings=rule_settings_for(patient.location_id),
    )
    # The location's severities, so the assessment shows what its escalation will say.
    alerts = rules.alerts_for(findings, severities_for(patient.location_id))
    assessment = Assessment.objects.create(
        episode=episode,
        patient=patient,
        clinician=clinician,
        kind=AssessmentKind.REASSESSMENT if had_assessments else AssessmentKind.INTAKE,
        assessed_at=assessed_at,
        grade=grade,
        pain_rest=pain_rest,
        pain_walking=pain_walking,
        red_flags=red_flags,
        readiness=readiness,
        mobility_findings=mobility_findings,
        movement_patterns=movement_patterns,
        notes=notes,
        alerts=[alert.code for alert in alerts],
        alert_details=[alert.as_dict() for alert in alerts],
    )
    for alert in alerts:
        if alert.code not in ESCALATION_RULES or _already_escalated(episode, alert.code):
            continue
        # The severity is the location's for the rule (escalation_raise looks it up).
        escalation_raise(
            patient=patient,
            rule=alert.code,
            reason=alert.reason,
            severity=alert.severity,
            source_assessment=assessment,
        )
    return assessment
