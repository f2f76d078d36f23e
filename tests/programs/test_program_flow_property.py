"""Over generated sequences of program changes (assess, advance, override, complete, refer,
pause, resume, raise and resolve escalations): no program is beyond step 1 without an
assessment, beyond a step whose exit criteria failed without a recorded override, or
completed over an open urgent or high flag without a recorded override.
PROGRAM_FLOW_EXAMPLES sets the number of examples (``make fuzz`` runs more)."""

import datetime
import os

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment
from clinic.errors import Conflict, InvalidInput
from escalations.models import UNRESOLVED, Escalation
from programs.models import Program, StepTransition
from programs.services import programs as services
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.programs.factories import EscalationFactory, ProgramFactory
from tests.programs.test_program_flow import READY

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("PROGRAM_FLOW_EXAMPLES", "200"))
ACTIONS = (
    "assess_ready",
    "assess_limping",
    "advance",
    "override",
    "complete",
    "complete_override",
    "refer",
    "pause",
    "resume",
    "raise_urgent",
    "raise_high",
    "resolve",
)


def _apply(action, *, program, patient, clinician):
    user = clinician.user
    now = timezone.now()
    if action.startswith("assess"):
        episode = patient.episodes.filter(closed_at__isnull=True).first()
        episode = episode or InjuryEpisodeFactory(
            patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=200)
        )
        readiness = READY if action == "assess_ready" else {"walks_without_limp": False}
        AssessmentFactory(episode=episode, readiness=readiness, assessed_at=now)
    elif action == "advance":
        services.program_advance(program=program, by=user)
    elif action == "override":
        services.program_advance(program=program, by=user, override=True, reason="Seen.")
    elif action == "complete":
        services.program_complete(program=program, by=user)
    elif action == "complete_override":
        services.program_complete(program=program, by=user, override=True, reason="Seen.")
    elif action == "refer":
        services.program_refer(program=program, by=user, reason="Specialist.")
    elif action == "pause":
        services.program_pause(program=program, by=user)
    elif action == "resume":
        services.program_resume(program=program, by=user)
    elif action in ("raise_urgent", "raise_high"):
        severity = action.removeprefix("raise_")
        rule = "suspected_grade_3" if severity == "urgent" else "stop_signal"
        if not Escalation.objects.filter(patient=patient, rule=rule, status__in=UNRESOLVED):
            EscalationFactory(patient=patient, rule=rule, severity=severity)
    elif action == "resolve":
        Escalation.objects.filter(patient=patient).update(status="resolved")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(st.sampled_from(ACTIONS), max_size=14))
def test_no_program_passes_a_gate_unrecorded(clinician, patient, actions):
    savepoint = transaction.savepoint()
    try:
        program = ProgramFactory(
            patient=patient,
            clinician=clinician,
            started_at=timezone.now() - datetime.timedelta(days=400),
        )
        for action in actions:
            try:
                with transaction.atomic():
                    _apply(action, program=program, patient=patient, clinician=clinician)
            except (Conflict, InvalidInput):
                pass  # refused, with nothing written
            program.refresh_from_db()
            advances = list(StepTransition.objects.filter(program=program, kind="advance"))
            if program.step > 1:
                first = min(advances, key=lambda t: (t.at, t.pk))
                assert Assessment.objects.filter(patient=patient).exists() or first.override
            for t in advances:
                if t.criteria_unmet or t.escalations_open:
                    assert t.override and t.reason
            if program.status == "completed":
                flagged = Escalation.objects.filter(
                    patient=patient, severity__in=["urgent", "high"], status__in=UNRESOLVED
                ).exists()
                if flagged:
                    assert (
                        StepTransition.objects.filter(
                            program=program, kind="complete", override=True
                        )
                        .exclude(reason="")
                        .exists()
                        or not Program.objects.filter(
                            pk=program.pk,
                            closed_at__gte=min(
                                e.created_at
                                for e in Escalation.objects.filter(
                                    patient=patient,
                                    severity__in=["urgent", "high"],
                                    status__in=UNRESOLVED,
                                )
                            ),
                        ).exists()
                    )
    finally:
        transaction.savepoint_rollback(savepoint)
