"""The program moves through one transition function (issue 22): discharge past a flag
(case 6), a reinjury holds the program (case 5), the other leg holds its gates (case 10)."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import InjuryEpisode
from programs.models import Program, StepTransition
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.programs.factories import EscalationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

READY = {
    "walks_without_limp": True,
    "no_pain_daily_movements": True,
    "no_tenderness": True,
    "full_knee_extension": True,
    "single_leg_stance": True,
    "single_leg_hop": True,
    "sprint_drills": True,
    "strength_symmetry_percent": 95,
}


def program_on_right_leg(clinician, patient, *, step):
    """A program long enough in its step, on a right-leg grade-1 episode assessed ready
    ten days ago."""
    now = timezone.now()
    episode = InjuryEpisodeFactory(
        patient=patient, side="right", onset_date=timezone.localdate() - datetime.timedelta(days=90)
    )
    AssessmentFactory(
        episode=episode, grade=1, readiness=READY, assessed_at=now - datetime.timedelta(days=10)
    )
    return ProgramFactory(
        patient=patient,
        clinician=clinician,
        episode=episode,
        step=step,
        started_at=now - datetime.timedelta(days=60),
    )


def post(api, user, url, body=None):
    return api(user).post(url, body or {}, format="json")


def assess(api, clinician, patient, **body):
    data = {"patient": patient.id, "onset_date": timezone.localdate().isoformat(), **body}
    response = post(api, clinician.user, "/api/v1/assessments/", data)
    assert response.status_code == 201, response.json()
    return response.json()


# --- Case 6: discharge past a flag ------------------------------------------------------------


@pytest.mark.parametrize("severity", ["urgent", "high"])
def test_complete_is_refused_while_an_urgent_or_high_escalation_is_open(
    api, clinician, patient, severity
):
    program = program_on_right_leg(clinician, patient, step=5)
    escalation = EscalationFactory(patient=patient, rule="suspected_grade_3", severity=severity)
    response = post(api, clinician.user, f"/api/v1/programs/{program.id}/complete/")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["type"].endswith("/escalation_open")
    assert [e["id"] for e in body["escalations"]] == [escalation.id]
    program.refresh_from_db()
    assert (program.status, program.closed_at) == ("active", None)


def test_complete_over_an_open_flag_needs_an_override_with_a_reason_and_is_recorded(
    api, clinician, patient
):
    program = program_on_right_leg(clinician, patient, step=5)
    escalation = EscalationFactory(patient=patient, rule="stop_signal", severity="high")
    url = f"/api/v1/programs/{program.id}/complete/"
    assert post(api, clinician.user, url, {"override": True}).status_code == 400
    response = post(
        api, clinician.user, url, {"override": True, "reason": "Seen today; flag is old pain."}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    entry = StepTransition.objects.get(program=program)
    assert (entry.kind, entry.override, entry.escalations_open) == (
        "complete",
        True,
        [escalation.id],
    )


def test_a_normal_escalation_does_not_hold_discharge(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=5)
    EscalationFactory(patient=patient, rule="recurrence", severity="normal")
    response = post(api, clinician.user, f"/api/v1/programs/{program.id}/complete/")
    assert response.status_code == 200, response.json()


# --- Case 5: reinjury -------------------------------------------------------------------------


def reinjure(api, clinician, patient):
    return assess(
        api,
        clinician,
        patient,
        side="right",
        grade=2,
        readiness={"walks_without_limp": False, "strength_symmetry_percent": 60},
    )


def test_a_new_onset_on_the_same_leg_puts_the_program_on_hold(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=2)
    old_episode = program.episode_id
    new = reinjure(api, clinician, patient)
    assert new["episode"] != old_episode

    shown = api(clinician.user).get(f"/api/v1/programs/{program.id}/").json()
    assert shown["hold"] == "reinjury"
    response = post(api, clinician.user, f"/api/v1/programs/{program.id}/advance/")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/program_on_hold")
    # Not even an override passes a hold: the clinician re-bases or closes.
    response = post(
        api,
        clinician.user,
        f"/api/v1/programs/{program.id}/advance/",
        {"override": True, "reason": "Want to move on."},
    )
    assert response.status_code == 409
    program.refresh_from_db()
    assert program.step == 2


def test_while_on_hold_readiness_is_read_from_the_new_episode(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=4)
    before = api(clinician.user).get(f"/api/v1/programs/{program.id}/readiness/").json()
    assert (before["ready_to_walk"], before["ready_to_run"]) == (True, True)
    reinjure(api, clinician, patient)
    after = api(clinician.user).get(f"/api/v1/programs/{program.id}/readiness/").json()
    assert after["ready_to_walk"] is False
    assert after["ready_to_run"] is False
    onset = timezone.localdate()
    assert after["earliest_return"] == (onset + datetime.timedelta(weeks=4)).isoformat()


def test_complete_is_refused_while_on_hold(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=5)
    reinjure(api, clinician, patient)
    response = post(api, clinician.user, f"/api/v1/programs/{program.id}/complete/")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/program_on_hold")


def test_rebasing_lifts_the_hold_and_the_old_limp_test_no_longer_counts(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=2)
    reinjure(api, clinician, patient)
    new_episode = InjuryEpisode.objects.get(patient=patient, closed_at__isnull=True)
    response = post(
        api,
        clinician.user,
        f"/api/v1/programs/{program.id}/rebase/",
        {"step": 2, "reason": "Reinjured during a sprint."},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["hold"], body["episode"], body["step"]) == (None, new_episode.id, 2)
    assert body["history"][-1]["kind"] == "rebase"
    response = post(
        api,
        clinician.user,
        f"/api/v1/programs/{program.id}/advance/",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/step_criteria_unmet")
    assert "walks_without_limp" in body["unmet"]


def test_rebasing_cannot_move_a_program_forward(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=2)
    reinjure(api, clinician, patient)
    response = post(api, clinician.user, f"/api/v1/programs/{program.id}/rebase/", {"step": 4})
    assert response.status_code == 400
    program.refresh_from_db()
    assert program.step == 2


def test_a_program_on_hold_can_be_referred(api, clinician, patient):
    program = program_on_right_leg(clinician, patient, step=2)
    reinjure(api, clinician, patient)
    response = post(
        api, clinician.user, f"/api/v1/programs/{program.id}/refer/", {"reason": "Specialist."}
    )
    assert response.status_code == 200, response.json()
    assert Program.objects.get(pk=program.pk).status == "referred"


# --- Case 10: the other leg -------------------------------------------------------------------


def test_assessing_the_other_leg_raises_the_compensation_alert_and_holds_the_limp_gate(
    api, clinician, patient
):
    program = program_on_right_leg(clinician, patient, step=2)
    left = assess(
        api,
        clinician,
        patient,
        side="left",
        grade=2,
        readiness={"walks_without_limp": False},
    )
    assert "compensation_complaints" in left["alerts"]
    response = post(api, clinician.user, f"/api/v1/programs/{program.id}/advance/")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["unmet"] == ["walks_without_limp"]
    assert body["decided_by"] == {"walks_without_limp": "other_leg_assessment"}
    readiness = api(clinician.user).get(f"/api/v1/programs/{program.id}/readiness/").json()
    assert readiness["ready_to_walk"] is False
    assert "walks_without_limp" in readiness["walk_criteria_unmet"]
