"""Prescriptions: exercises with a dosage per step; load grows at most 10% a week."""

import datetime

import pytest
from django.utils import timezone

from programs.models import Prescription, PrescriptionLoadChange
from tests.programs.factories import ExerciseFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(clinician, patient):
    return ProgramFactory(patient=patient, clinician=clinician, step=4)


@pytest.fixture
def rdl():
    return ExerciseFactory(
        code="romanian-deadlift-light",
        name_nl="Roemeense deadlift (licht)",
        name_en="Romanian deadlift (light)",
        default_sets=3,
        default_reps=10,
        default_times_per_week=3,
    )


def prescribe(api, user, program, **body):
    return api(user).post(f"/api/v1/programs/{program.id}/prescriptions/", body, format="json")


def change(api, user, prescription, **body):
    url = f"/api/v1/programs/{prescription.program_id}/prescriptions/{prescription.id}/"
    return api(user).patch(url, body, format="json")


def test_prescribe_with_the_library_defaults(api, clinician, program, rdl):
    response = prescribe(api, clinician.user, program, exercise=rdl.id, load_kg="20")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["exercise"], body["step"], body["sets"], body["reps"]) == (rdl.id, 4, 3, 10)
    assert body["times_per_week"] == 3
    assert body["load_kg"] == "20.00"
    prescription = Prescription.objects.get()
    (first,) = prescription.load_changes.all()
    assert first.load_before == {} and first.load_after["load_kg"] == "20.00"


def test_the_program_shows_its_prescriptions(api, clinician, patient, program, rdl):
    prescribe(api, clinician.user, program, exercise=rdl.id, sets=2, reps=8, step=4)
    body = api(patient.user).get(f"/api/v1/programs/{program.id}/").json()
    (row,) = body["prescriptions"]
    assert row["exercise_name"] == "Roemeense deadlift (licht)"
    assert (row["step"], row["sets"], row["reps"]) == (4, 2, 8)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"exercise": 999999},
        {"exercise": "EX", "sets": 0},
        {"exercise": "EX", "step": 6},
        {"exercise": "EX", "load_kg": "-1"},
        {"exercise": "EX", "reps": "many"},
        {"exercise": "EX", "times_per_week": 0},
    ],
)
def test_bad_prescriptions_are_400(api, clinician, program, rdl, body):
    body = {k: (rdl.id if v == "EX" else v) for k, v in body.items()}
    response = prescribe(api, clinician.user, program, **body)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Prescription.objects.exists()


def test_patient_and_front_desk_cannot_prescribe(api, patient, front_desk, program, rdl):
    assert prescribe(api, patient.user, program, exercise=rdl.id).status_code == 403
    assert prescribe(api, front_desk, program, exercise=rdl.id).status_code == 403
    assert not Prescription.objects.exists()


@pytest.fixture
def rdl_at_20kg(api, clinician, program, rdl):
    prescribe(api, clinician.user, program, exercise=rdl.id, load_kg="20")
    return Prescription.objects.get()


def test_ten_percent_more_is_fine(api, clinician, rdl_at_20kg):
    response = change(api, clinician.user, rdl_at_20kg, load_kg="22")
    assert response.status_code == 200, response.json()
    assert response.json()["load_kg"] == "22.00"
    assert rdl_at_20kg.load_changes.count() == 2


def test_more_than_ten_percent_in_a_week_is_refused(api, clinician, rdl_at_20kg):
    response = change(api, clinician.user, rdl_at_20kg, load_kg="25")
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/load_increase_too_large")
    assert "25%" in body["detail"] and "10%" in body["detail"]
    rdl_at_20kg.refresh_from_db()
    assert rdl_at_20kg.load_kg == 20
    assert rdl_at_20kg.load_changes.count() == 1


def test_small_steps_add_up_within_the_week(api, clinician, rdl_at_20kg):
    assert change(api, clinician.user, rdl_at_20kg, load_kg="21.50").status_code == 200
    assert change(api, clinician.user, rdl_at_20kg, load_kg="23").status_code == 409


def test_more_sets_at_the_same_weight_is_more_load(api, clinician, rdl_at_20kg):
    assert change(api, clinician.user, rdl_at_20kg, sets=4).status_code == 409


def test_a_week_later_the_new_load_is_the_baseline(api, clinician, rdl_at_20kg):
    assert change(api, clinician.user, rdl_at_20kg, load_kg="22").status_code == 200
    PrescriptionLoadChange.objects.update(at=timezone.now() - datetime.timedelta(days=8))
    assert change(api, clinician.user, rdl_at_20kg, load_kg="24.20").status_code == 200
    assert change(api, clinician.user, rdl_at_20kg, load_kg="24.30").status_code == 409


def test_override_with_a_reason_is_recorded(api, clinician, rdl_at_20kg):
    no_reason = change(api, clinician.user, rdl_at_20kg, load_kg="25", override=True)
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    response = change(
        api,
        clinician.user,
        rdl_at_20kg,
        load_kg="25",
        override=True,
        reason="Tolerated 25 kg pain-free in clinic.",
    )
    assert response.status_code == 200
    last = rdl_at_20kg.load_changes.last()
    assert last.override is True
    assert last.reason == "Tolerated 25 kg pain-free in clinic."
    assert last.load_before["load_kg"] == "20.00" and last.load_after["load_kg"] == "25.00"
    assert last.by == clinician.user


def test_notes_alone_are_no_load_change(api, clinician, rdl_at_20kg):
    assert (
        change(api, clinician.user, rdl_at_20kg, notes="Slow on the way down.").status_code == 200
    )
    assert rdl_at_20kg.load_changes.count() == 1


def test_prescription_of_another_program_is_404(api, clinician, rdl_at_20kg, other_patient):
    other = ProgramFactory(patient=other_patient, clinician=clinician)
    url = f"/api/v1/programs/{other.id}/prescriptions/{rdl_at_20kg.id}/"
    assert api(clinician.user).patch(url, {"sets": 2}, format="json").status_code == 404


def test_clinician_elsewhere_gets_404(api, other_clinician, rdl_at_20kg):
    assert change(api, other_clinician.user, rdl_at_20kg, sets=2).status_code == 404


# --- issue 12, case 7: the 10%-a-week rule has no side door -----------------------------------


def test_stopping_and_prescribing_again_does_not_dodge_the_load_rule(
    api, clinician, program, rdl_at_20kg
):
    assert change(api, clinician.user, rdl_at_20kg, load_kg="25").status_code == 409
    assert change(api, clinician.user, rdl_at_20kg, is_active=False).status_code == 200
    response = prescribe(
        api,
        clinician.user,
        program,
        exercise=rdl_at_20kg.exercise_id,
        load_kg="60",
        sets=5,
        reps=10,
        times_per_week=4,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/load_increase_too_large")
    # 20 kg × 3 × 10 × 3/week = 1800 → 60 kg × 5 × 10 × 4/week = 12000
    assert body["increase_percent"] == pytest.approx(12000 / 1800 * 100 - 100)
    assert Prescription.objects.count() == 1


def test_prescribing_the_same_exercise_twice_is_more_load(api, clinician, program, rdl_at_20kg):
    response = prescribe(
        api, clinician.user, program, exercise=rdl_at_20kg.exercise_id, load_kg="20"
    )
    assert response.status_code == 409
    assert response.json()["load"][0]["scope"] == "exercise"
    assert response.json()["increase_percent"] == pytest.approx(100.0)


def test_restarting_at_the_same_load_within_the_week_is_fine(api, clinician, rdl_at_20kg):
    assert change(api, clinician.user, rdl_at_20kg, is_active=False).status_code == 200
    assert change(api, clinician.user, rdl_at_20kg, is_active=True).status_code == 200


@pytest.mark.parametrize(("kg", "status"), [("22", 201), ("22.01", 409)])
def test_the_rule_reads_the_week_before_across_rows(
    api, clinician, program, rdl_at_20kg, kg, status
):
    # A week on: the 20 kg row is the baseline; a new row of the same exercise replaces it.
    PrescriptionLoadChange.objects.update(at=timezone.now() - datetime.timedelta(days=8))
    change(api, clinician.user, rdl_at_20kg, is_active=False)
    response = prescribe(api, clinician.user, program, exercise=rdl_at_20kg.exercise_id, load_kg=kg)
    assert response.status_code == status, response.json()


def test_a_category_with_a_week_behind_it_grows_ten_percent_at_most(
    api, clinician, program, rdl_at_20kg
):
    PrescriptionLoadChange.objects.update(at=timezone.now() - datetime.timedelta(days=8))
    other = ExerciseFactory(code="single-leg-deadlift", category=rdl_at_20kg.exercise.category)
    response = prescribe(api, clinician.user, program, exercise=other.id, load_kg="20")
    assert response.status_code == 409
    assert [p["scope"] for p in response.json()["load"]] == ["category"]


def test_a_category_in_its_first_week_is_the_clinicians_plan(api, clinician, program, rdl_at_20kg):
    other = ExerciseFactory(code="single-leg-deadlift", category=rdl_at_20kg.exercise.category)
    assert (
        prescribe(api, clinician.user, program, exercise=other.id, load_kg="20").status_code == 201
    )


def test_a_load_override_is_recorded_and_shown_in_the_programs_history(
    api, clinician, program, rdl_at_20kg
):
    change(api, clinician.user, rdl_at_20kg, is_active=False)
    response = prescribe(
        api,
        clinician.user,
        program,
        exercise=rdl_at_20kg.exercise_id,
        load_kg="30",
        override=True,
        reason="Former weightlifter; 30 kg tested pain-free.",
    )
    assert response.status_code == 201, response.json()
    body = api(clinician.user).get(f"/api/v1/programs/{program.id}/").json()
    (override,) = body["overrides"]
    assert override["kind"] == "prescription"
    assert override["rules"] == ["load_increase_too_large"]
    assert override["reason"] == "Former weightlifter; 30 kg tested pain-free."
    assert override["by"] == clinician.user.id
    assert override["prescription"] == response.json()["id"]
    assert [c["load_after"]["is_active"] for c in body["load_history"]] == [True, False, True]


# --- issue 12, case 8: the exercise and the sessions fit the step -----------------------------


@pytest.fixture
def nordic():
    return ExerciseFactory(code="nordic-hamstring-curl", steps=[4, 5], category="eccentric")


def test_an_exercise_outside_its_steps_needs_an_override(api, clinician, patient, nordic):
    program = ProgramFactory(patient=patient, clinician=clinician, step=1)
    response = prescribe(api, clinician.user, program, exercise=nordic.id, sets=3, reps=5)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/exercise_not_for_step")
    assert response.json()["rules"] == ["exercise_not_for_step"]
    response = prescribe(
        api,
        clinician.user,
        program,
        exercise=nordic.id,
        sets=3,
        reps=5,
        override=True,
        reason="Professional athlete, cleared by the sports physician.",
    )
    assert response.status_code == 201
    (override,) = api(clinician.user).get(f"/api/v1/programs/{program.id}/").json()["overrides"]
    assert override["rules"] == ["exercise_not_for_step"]


@pytest.mark.parametrize(
    ("step", "times", "status"),
    [
        (4, 2, 409),
        (4, 3, 201),
        (4, 4, 201),
        (4, 5, 409),
        (5, 1, 409),
        (5, 2, 201),
        (5, 3, 201),
        (5, 4, 409),
    ],
)
def test_sessions_a_week_stay_in_the_steps_range(
    api, clinician, patient, nordic, step, times, status
):
    program = ProgramFactory(patient=patient, clinician=clinician, step=step)
    response = prescribe(
        api, clinician.user, program, exercise=nordic.id, sets=3, reps=5, times_per_week=times
    )
    assert response.status_code == status, response.json()
    if status == 409:
        assert response.json()["type"].endswith("/sessions_outside_step_range")


def test_moving_a_prescription_to_a_step_it_does_not_suit_needs_an_override(
    api, clinician, program, rdl_at_20kg
):
    response = change(api, clinician.user, rdl_at_20kg, step=2)
    assert response.status_code == 409
    assert response.json()["rules"] == ["exercise_not_for_step"]


def test_stopping_moving_and_restarting_does_not_dodge_the_step_rules(
    api, clinician, program, rdl_at_20kg
):
    """Another way into a step the exercise does not suit: stop it, move it while stopped
    (nothing to check then), restart it. The restart is checked."""
    assert change(api, clinician.user, rdl_at_20kg, is_active=False).status_code == 200
    assert change(api, clinician.user, rdl_at_20kg, step=2).status_code == 200
    response = change(api, clinician.user, rdl_at_20kg, is_active=True)
    assert response.status_code == 409
    assert response.json()["rules"] == ["exercise_not_for_step"]
    rdl_at_20kg.refresh_from_db()
    assert rdl_at_20kg.is_active is False


@pytest.mark.parametrize("status", ["completed", "referred"])
def test_a_closed_programs_prescriptions_cannot_be_changed(
    api, clinician, program, rdl_at_20kg, status
):
    """prescription_add refuses a closed program; a PATCH is another way in."""
    type(program).objects.filter(pk=program.pk).update(status=status)
    response = change(api, clinician.user, rdl_at_20kg, load_kg="21")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/program_closed")
    rdl_at_20kg.refresh_from_db()
    assert str(rdl_at_20kg.load_kg) == "20.00"


# --- issue 22, case 7: the program's step decides, not a step the client sends ----------------


def test_a_later_step_on_the_prescription_cannot_make_an_exercise_active(
    api, clinician, patient, nordic
):
    """Two days after an audible snap the program is at step 1: a Nordic curl sent with
    "step": 4 is refused as the same request without a step is."""
    program = ProgramFactory(patient=patient, clinician=clinician, step=1)
    for body in ({}, {"step": 4}):
        response = prescribe(api, clinician.user, program, exercise=nordic.id, sets=3, **body)
        assert response.status_code == 409, response.json()
        assert response.json()["rules"][0] == "exercise_not_for_step"
    assert not Prescription.objects.exists()
    assert api(patient.user).get(f"/api/v1/programs/{program.id}/").json()["prescriptions"] == []


# --- issue 22, case 8: a missing weight is not comparable, never a reset ----------------------


def test_removing_the_weight_and_adding_more_is_no_reset(api, clinician, rdl_at_20kg):
    """10 kg → no weight → 30 kg, a minute apart (here 20 → none → 30)."""
    response = change(api, clinician.user, rdl_at_20kg, load_kg=None)
    assert response.status_code == 409, response.json()
    assert response.json()["type"].endswith("/load_increase_too_large")
    assert response.json()["load"][0] == {
        "scope": "exercise",
        "name": "Romanian deadlift (light)",
        "increase_percent": None,
        "comparable": False,
    }
    assert change(api, clinician.user, rdl_at_20kg, load_kg="30").status_code == 409
    rdl_at_20kg.refresh_from_db()
    assert rdl_at_20kg.load_kg == 20


def test_overriding_the_missing_weight_does_not_make_it_the_baseline(api, clinician, rdl_at_20kg):
    override = {"override": True, "reason": "Technique first, without the bar."}
    assert change(api, clinician.user, rdl_at_20kg, load_kg=None, **override).status_code == 200
    response = change(api, clinician.user, rdl_at_20kg, load_kg="30")
    assert response.status_code == 409
    # Compared with a week ago (20 kg), not with the weightless dosage.
    assert response.json()["increase_percent"] == pytest.approx(50.0)


def test_a_weightless_extra_row_hides_no_raise(api, clinician, program, rdl_at_20kg):
    """A weightless 1×1 row of the same exercise, the first row raised to 60 kg, then the
    extra row stopped: refused without an override at the first step that hides load."""
    extra = {"exercise": rdl_at_20kg.exercise_id, "sets": 1, "reps": 1}
    response = prescribe(api, clinician.user, program, **extra)
    assert response.status_code == 409, response.json()
    assert response.json()["load"][0]["comparable"] is False
    assert Prescription.objects.count() == 1


def test_stopping_the_weightless_row_shows_the_raise(api, clinician, program, rdl_at_20kg):
    override = {"override": True, "reason": "Warm-up set without weight."}
    extra = {"exercise": rdl_at_20kg.exercise_id, "sets": 1, "reps": 1}
    response = prescribe(api, clinician.user, program, **extra, **override)
    assert response.status_code == 201
    weightless = Prescription.objects.get(pk=response.json()["id"])
    assert change(api, clinician.user, rdl_at_20kg, load_kg="60").status_code == 409
    assert change(api, clinician.user, rdl_at_20kg, load_kg="60", **override).status_code == 200
    response = change(api, clinician.user, weightless, is_active=False)
    assert response.status_code == 409
    assert response.json()["increase_percent"] == pytest.approx(200.0)
    weightless.refresh_from_db()
    assert weightless.is_active is True


def test_stopping_every_row_is_always_possible(api, clinician, program, rdl_at_20kg):
    override = {"override": True, "reason": "Warm-up set without weight."}
    prescribe(
        api, clinician.user, program, exercise=rdl_at_20kg.exercise_id, sets=1, reps=1, **override
    )
    for row in Prescription.objects.order_by("-id"):
        assert change(api, clinician.user, row, is_active=False).status_code == 200
