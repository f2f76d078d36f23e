"""Moving through the five steps: exit criteria, overrides, pause, complete, refer."""

import datetime

import pytest
from django.utils import timezone

from clinic import events
from programs.models import Program, StepTransition
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.programs.factories import CheckInFactory, EscalationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

READY_FOR_STEP_5 = {
    "walks_without_limp": True,
    "no_pain_daily_movements": True,
    "no_tenderness": True,
    "full_knee_extension": True,
    "single_leg_hop": True,
    "sprint_drills": True,
    "strength_symmetry_percent": 92,
}


@pytest.fixture
def program(clinician, patient):
    # Long enough ago that each step's minimum time has passed.
    started = timezone.now() - datetime.timedelta(days=60)
    return ProgramFactory(patient=patient, clinician=clinician, started_at=started)


def advance(api, user, program, **body):
    return api(user).post(f"/api/v1/programs/{program.id}/advance/", body, format="json")


def assess(patient, readiness=None, minutes_ago=60):
    episode = patient.episodes.first() or InjuryEpisodeFactory(
        patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=60)
    )
    return AssessmentFactory(
        episode=episode,
        readiness=readiness or {},
        assessed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_without_an_assessment_step_1_cannot_be_left(api, clinician, program):
    response = advance(api, clinician.user, program)
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/step_criteria_unmet")
    assert body["unmet"] == ["assessment_exists"]
    program.refresh_from_db()
    assert program.step == 1
    assert not StepTransition.objects.exists()


def test_with_an_assessment_the_program_moves_to_pain_reduction(api, clinician, patient, program):
    assess(patient)
    response = advance(api, clinician.user, program)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["step"], body["step_name"]) == (2, "pain_reduction")
    (entry,) = body["history"]
    assert (entry["from_step"], entry["to_step"], entry["by"]) == (1, 2, clinician.user.id)
    assert entry["criteria_met"] == ["assessment_exists"]
    assert entry["criteria_unmet"] == []
    assert entry["override"] is False


def test_unmet_criteria_are_listed(api, clinician, patient, program):
    program.step = 2
    program.save()
    assess(patient, {"walks_without_limp": False, "no_pain_daily_movements": False})
    response = advance(api, clinician.user, program)
    assert response.status_code == 409
    assert response.json()["unmet"] == ["walks_without_limp", "no_pain_daily_movements"]


def test_the_clinicians_limp_outweighs_a_newer_self_report(api, clinician, patient, program):
    program.step = 2
    program.save()
    assess(patient, {"walks_without_limp": False, "no_pain_daily_movements": True})
    CheckInFactory(patient=patient, program=program, walks_without_limp=True)
    response = advance(api, clinician.user, program)
    assert response.status_code == 409, response.json()
    assert response.json()["unmet"] == ["walks_without_limp"]
    assert response.json()["decided_by"] == {"walks_without_limp": "assessment"}


def test_a_self_report_counts_where_the_clinician_recorded_nothing(
    api, clinician, patient, program
):
    program.step = 2
    program.save()
    assess(patient, {"no_pain_daily_movements": True})
    CheckInFactory(patient=patient, program=program, walks_without_limp=True)
    response = advance(api, clinician.user, program)
    assert response.status_code == 200, response.json()
    assert response.json()["step"] == 3
    assert response.json()["history"][-1]["decided_by"] == {"walks_without_limp": "check_in"}


def test_override_with_a_reason_moves_on_and_is_kept(api, clinician, patient, program):
    program.step = 3
    program.save()
    assess(patient, {"full_knee_extension": True, "no_tenderness": False})
    response = advance(
        api, clinician.user, program, override=True, reason="Tenderness is scar tissue."
    )
    assert response.status_code == 200, response.json()
    (entry,) = response.json()["history"]
    assert entry["override"] is True
    assert entry["reason"] == "Tenderness is scar tissue."
    assert entry["criteria_unmet"] == ["no_tenderness"]
    assert entry["criteria_met"] == ["full_knee_extension"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_override_without_a_reason_is_400(api, clinician, program, reason):
    body = {"override": True} if reason is None else {"override": True, "reason": reason}
    response = advance(api, clinician.user, program, **body)
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    program.refresh_from_db()
    assert program.step == 1


@pytest.mark.parametrize("body", [{"override": "maybe"}, {"reason": ["x"]}])
def test_advance_garbage_is_400(api, clinician, program, body):
    assert advance(api, clinician.user, program, **body).status_code == 400


def test_step_4_needs_symmetry_hop_and_sprint_drills(api, clinician, patient, program):
    program.step = 4
    program.save()
    assess(patient, {**READY_FOR_STEP_5, "strength_symmetry_percent": 85, "sprint_drills": False})
    response = advance(api, clinician.user, program)
    assert response.status_code == 409
    assert response.json()["unmet"] == ["strength_symmetry_percent", "sprint_drills"]
    assess(patient, READY_FOR_STEP_5, minutes_ago=1)
    assert advance(api, clinician.user, program).json()["step"] == 5


def test_the_latest_assessment_counts(api, clinician, patient, program):
    program.step = 3
    program.save()
    assess(patient, {"full_knee_extension": True, "no_tenderness": True}, minutes_ago=120)
    assess(patient, {"full_knee_extension": False, "no_tenderness": True}, minutes_ago=10)
    assert advance(api, clinician.user, program).json()["unmet"] == ["full_knee_extension"]


def test_at_step_5_advance_is_refused(api, clinician, program):
    program.step = 5
    program.save()
    response = advance(api, clinician.user, program, override=True, reason="x")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/program_at_last_step")


def test_check_in_rhythm_follows_the_step_unless_set(api, clinician, patient, program):
    program.step = 2
    program.save()
    advance(api, clinician.user, program, override=True, reason="Walking well in clinic.")
    program.refresh_from_db()
    assert (program.step, program.check_in_every_days) == (3, 3)
    api(clinician.user).patch(
        f"/api/v1/programs/{program.id}/", {"check_in_every_days": 5}, format="json"
    )
    advance(api, clinician.user, program, override=True, reason="Strength work can start.")
    program.refresh_from_db()
    assert (program.step, program.check_in_every_days) == (4, 5)


def test_step_change_is_announced_in_the_transaction(api, clinician, patient, program):
    assess(patient)
    seen = []

    def receiver(sender, program, actor, **kwargs):
        seen.append((program.step, actor))

    events.program_step_changed.connect(receiver)
    try:
        advance(api, clinician.user, program)
    finally:
        events.program_step_changed.disconnect(receiver)
    assert seen == [(2, clinician.user)]


def test_pause_and_resume(api, clinician, patient, program):
    client = api(clinician.user)
    url = f"/api/v1/programs/{program.id}"
    assert client.post(f"{url}/pause/").json()["status"] == "paused"
    assess(patient)
    paused = advance(api, clinician.user, program)
    assert paused.status_code == 409
    assert paused.json()["type"].endswith("/program_paused")
    # The program's status is an extension member; "status" stays the HTTP status (RFC 9457).
    assert (paused.json()["status"], paused.json()["program_status"]) == (409, "paused")
    assert client.post(f"{url}/pause/").status_code == 409
    assert client.post(f"{url}/resume/").json()["status"] == "active"
    not_paused = client.post(f"{url}/resume/")
    assert not_paused.status_code == 409
    assert (not_paused.json()["status"], not_paused.json()["program_status"]) == (409, "active")


def test_complete_only_at_step_5_with_a_follow_up(api, clinician, program):
    client = api(clinician.user)
    url = f"/api/v1/programs/{program.id}/complete/"
    early = client.post(url, {"follow_up": "group_training"}, format="json")
    assert early.status_code == 409
    assert early.json()["type"].endswith("/program_not_at_last_step")
    program.step = 5
    program.save()
    assert client.post(url, {"follow_up": "yoga"}, format="json").status_code == 400
    closed = []
    events.program_closed.connect(receiver := lambda sender, program, **kw: closed.append(program))
    try:
        response = client.post(url, {"follow_up": "personal_training"}, format="json")
    finally:
        events.program_closed.disconnect(receiver)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["follow_up"]) == ("completed", "personal_training")
    assert body["closed_at"] is not None
    assert [p.pk for p in closed] == [program.pk]
    assert client.post(url, {}, format="json").status_code == 409


def test_refer_needs_a_reason_and_frees_the_patient_for_a_new_program(
    api, clinician, patient, program
):
    client = api(clinician.user)
    url = f"/api/v1/programs/{program.id}/refer/"
    for body in ({}, {"reason": ""}, {"reason": "  "}):
        assert client.post(url, body, format="json").status_code == 400
    program.refresh_from_db()
    assert program.status == "active"
    response = client.post(
        url, {"reason": "Suspected rupture: to the orthopaedic surgeon."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "referred"
    assert response.json()["closed_reason"].startswith("Suspected rupture")
    again = client.post("/api/v1/programs/", {"patient": patient.id}, format="json")
    assert again.status_code == 201
    assert Program.objects.filter(patient=patient).count() == 2


def test_unknown_program_is_404(api, clinician):
    assert api(clinician.user).post("/api/v1/programs/999999/advance/").status_code == 404


# --- issue 12, case 4: open escalations, minimum time, the return-to-run window -----------


def ready_program(clinician, patient, step, *, days_in_step=60):
    started = timezone.now() - datetime.timedelta(days=days_in_step)
    program = ProgramFactory(patient=patient, clinician=clinician, step=step, started_at=started)
    assess(patient, READY_FOR_STEP_5)
    return program


@pytest.mark.parametrize(
    ("severity", "status", "blocks"),
    [
        ("urgent", "open", True),
        ("urgent", "acknowledged", True),  # acknowledged is not resolved
        ("high", "open", True),
        ("high", "acknowledged", True),
        ("urgent", "resolved", False),
        ("normal", "open", False),
    ],
)
def test_an_unresolved_urgent_or_high_escalation_blocks_advancing(
    api, clinician, patient, severity, status, blocks
):
    program = ready_program(clinician, patient, step=2)
    escalation = EscalationFactory(
        patient=patient, rule="suspected_grade_3", severity=severity, status=status
    )
    response = advance(api, clinician.user, program)
    if not blocks:
        assert response.status_code == 200, response.json()
        return
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/escalation_open")
    assert body["escalations"] == [
        {"id": escalation.id, "rule": "suspected_grade_3", "severity": severity, "status": status}
    ]
    assert "suspected_grade_3" in body["detail"]
    program.refresh_from_db()
    assert program.step == 2


def test_an_override_with_a_reason_passes_an_open_escalation_and_is_recorded(
    api, clinician, patient
):
    program = ready_program(clinician, patient, step=1)
    escalation = EscalationFactory(patient=patient, rule="stop_signal", severity="high")
    response = advance(
        api, clinician.user, program, override=True, reason="Seen today: cramp, not a tear."
    )
    assert response.status_code == 200, response.json()
    (entry,) = response.json()["history"]
    assert entry["override"] is True
    assert entry["rules_overridden"] == ["escalation_open"]
    assert entry["escalations_open"] == [escalation.id]
    assert entry["reason"] == "Seen today: cramp, not a tear."
    assert entry["settings_in_force"]["min_days_step_2"] == 3


@pytest.mark.parametrize(("days", "passes"), [(2.9, False), (3.01, True)])
def test_each_step_lasts_its_minimum_time(api, clinician, patient, days, passes):
    program = ready_program(clinician, patient, step=2, days_in_step=days)
    response = advance(api, clinician.user, program)
    if passes:
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 409
        assert response.json()["unmet"] == ["min_time_in_step"]


def test_the_minimum_time_counts_from_the_last_transition(api, clinician, patient):
    program = ready_program(clinician, patient, step=1)
    assert advance(api, clinician.user, program).status_code == 200  # 1 → 2
    response = advance(api, clinician.user, program)  # at once 2 → 3
    assert response.status_code == 409
    assert response.json()["unmet"] == ["min_time_in_step"]


def test_one_to_five_within_a_minute_is_refused(api, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    assess(patient, READY_FOR_STEP_5)
    steps = [advance(api, clinician.user, program).status_code for _ in range(4)]
    assert steps == [200, 409, 409, 409]


@pytest.mark.parametrize(("onset_days_ago", "passes"), [(13, False), (14, True)])
def test_self_sufficiency_not_before_the_earliest_return_to_jogging(
    api, clinician, patient, onset_days_ago, passes
):
    # Grade 1: jogging after 2 weeks at the earliest.
    InjuryEpisodeFactory(
        patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=onset_days_ago)
    )
    program = ready_program(clinician, patient, step=4)
    response = advance(api, clinician.user, program)
    if passes:
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 409
        assert response.json()["unmet"] == ["return_to_run_window"]
