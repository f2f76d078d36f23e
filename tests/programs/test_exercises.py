"""The exercise library: seeded from the source articles, read in the caller's language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import AccessLogEntry
from escalations.models import Escalation
from programs import demo
from programs.models import Exercise, ExerciseCategory
from tests.factories import PatientFactory
from tests.programs.factories import EscalationFactory, ExerciseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/exercises/"

NAMED_IN_THE_SEEDS = {
    "hamstring-bridge-hold",
    "nordic-hamstring-curl",
    "romanian-deadlift-light",
    "glute-bridge",
    "single-leg-deadlift",
    "hip-90-90-stretch",
    "ankle-dorsiflexion-mobility",
    "thoracic-rotations",
    "controlled-leg-swings",
    "walking",
    "cycling-light-resistance",
    "swimming",
}


@pytest.fixture
def library(db):
    demo.seed()
    return {e.code: e for e in Exercise.objects.all()}


# --- The seeded library ---------------------------------------------------------------------


def test_seed_creates_every_exercise_the_seeds_name_and_is_idempotent():
    first = demo.seed()
    assert first == {"exercises": 12, "created": 12}
    assert set(Exercise.objects.values_list("code", flat=True)) == NAMED_IN_THE_SEEDS
    assert demo.seed() == {"exercises": 12, "created": 0}
    assert Exercise.objects.count() == 12


def test_seeding_again_keeps_a_managers_edits(library):
    Exercise.objects.filter(code="walking").update(default_minutes=15, name_nl="Wandelen buiten")
    demo.seed()
    walking = Exercise.objects.get(code="walking")
    assert (walking.default_minutes, walking.name_nl) == (15, "Wandelen buiten")


def test_every_exercise_is_complete_in_both_languages(library):
    for exercise in library.values():
        assert exercise.name_nl and exercise.name_en, exercise.code
        assert exercise.description_nl and exercise.description_en, exercise.code
        assert exercise.category in ExerciseCategory.values
        assert exercise.steps and set(exercise.steps) <= {1, 2, 3, 4, 5}, exercise.code
        assert exercise.default_times_per_week, exercise.code
    assert {e.category for e in library.values()} == set(ExerciseCategory.values)


@pytest.mark.parametrize(
    ("code", "category", "step"),
    [
        ("hamstring-bridge-hold", "isometric", 4),  # isometric first ...
        ("nordic-hamstring-curl", "eccentric", 4),  # ... then eccentric
        ("romanian-deadlift-light", "eccentric", 4),
        ("hip-90-90-stretch", "mobility", 3),
        ("controlled-leg-swings", "mobility", 3),
        ("walking", "conditioning", 2),  # relative rest: walking 10–15 minutes
        ("cycling-light-resistance", "conditioning", 2),
        ("swimming", "conditioning", 2),
    ],
)
def test_exercises_sit_in_the_steps_of_the_method(library, code, category, step):
    assert library[code].category == category
    assert step in library[code].steps


def test_walking_starts_at_ten_minutes(library):
    assert library["walking"].default_minutes == 10


# --- Reading the library --------------------------------------------------------------------


def test_anyone_signed_in_reads_the_library(api, library, front_desk, clinician, patient):
    for user in (front_desk, clinician.user, patient.user):
        response = api(user).get(URL)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == 12
        assert {"id", "name", "category", "steps", "dosage"} <= set(rows[0])
    assert api().get(URL).status_code == 401


def test_fields_and_dosage(api, library, clinician):
    bridge = library["hamstring-bridge-hold"]
    response = api(clinician.user).get(f"{URL}{bridge.id}/", {"lang": "en"})
    assert response.status_code == 200
    assert response.json() == {
        "id": bridge.id,
        "code": "hamstring-bridge-hold",
        "name": "Hamstring bridge hold",
        "name_nl": bridge.name_nl,
        "name_en": "Hamstring bridge hold",
        "category": "isometric",
        "steps": [2, 4],
        "dosage": {
            "sets": 3,
            "reps": 5,
            "hold_seconds": 30,
            "minutes": None,
            "times_per_week": 4,
        },
        "description": bridge.description_en,
        "description_nl": bridge.description_nl,
        "description_en": bridge.description_en,
    }
    # The library is not a patient's record: reading it is not access-logged.
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(("language", "name"), [("nl", "Wandelen"), ("en", "Walking")])
def test_patients_read_in_the_language_on_their_record(api, library, language, name):
    patient = PatientFactory(with_user=True, language=language)
    client = api(patient.user)
    rows = client.get(URL, {"category": "conditioning"}).json()["results"]
    assert name in {row["name"] for row in rows}
    # A patient's own language wins over the phone's settings.
    rows = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr, de").json()["results"]
    assert name in {row["name"] for row in rows}


@pytest.mark.parametrize(
    ("query", "headers", "name"),
    [
        ({}, {}, "Walking"),  # English unless asked otherwise
        ({}, {"HTTP_ACCEPT_LANGUAGE": "nl"}, "Wandelen"),
        ({"lang": "en"}, {}, "Walking"),
        ({"lang": "nl"}, {"HTTP_ACCEPT_LANGUAGE": "en"}, "Wandelen"),  # ?lang= wins
        ({}, {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, "Walking"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "de-DE, en;q=0.5"}, "Walking"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "fr"}, "Walking"),
    ],
)
def test_staff_choose_the_language(api, library, clinician, query, headers, name):
    rows = api(clinician.user).get(URL, {"step": 2, **query}, **headers).json()["results"]
    assert name in {row["name"] for row in rows}


def test_staff_read_in_their_own_language_over_the_client(api, library, clinician):
    clinician.user.language = "nl"
    clinician.user.save(update_fields=["language"])
    response = api(clinician.user).get(URL, {"step": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Wandelen" in {row["name"] for row in response.json()["results"]}
    assert response["Content-Language"] == "nl"


def test_an_unknown_language_is_400(api, library, clinician):
    response = api(clinician.user).get(URL, {"lang": "fr"})
    assert response.status_code == 400
    assert "lang" in response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "eccentric"}, {"nordic-hamstring-curl", "romanian-deadlift-light"}),
        (
            {"step": 3},
            {
                "hip-90-90-stretch",
                "ankle-dorsiflexion-mobility",
                "thoracic-rotations",
                "controlled-leg-swings",
                "walking",
                "cycling-light-resistance",
                "swimming",
            },
        ),
        ({"step": 2, "category": "isometric"}, {"hamstring-bridge-hold"}),
        ({"step": 1}, set()),
    ],
)
def test_filters(api, library, clinician, query, expected):
    rows = api(clinician.user).get(URL, query).json()["results"]
    assert {row["code"] for row in rows} == expected
    step = query.get("step")
    assert all(step in row["steps"] for row in rows if step)


@pytest.mark.parametrize("query", [{"step": 6}, {"step": "two"}, {"category": "yoga"}])
def test_bad_filters_are_400(api, library, clinician, query):
    response = api(clinician.user).get(URL, query)
    assert response.status_code == 400
    assert set(query) <= set(response.json()["errors"])


def test_retired_exercises_are_not_offered(api, library, clinician):
    Exercise.objects.filter(code="swimming").update(is_active=False)
    rows = api(clinician.user).get(URL).json()["results"]
    assert "swimming" not in {row["code"] for row in rows}
    retired = library["swimming"]
    assert api(clinician.user).get(f"{URL}{retired.id}/").status_code == 404


def test_list_takes_the_same_number_of_queries_for_10_and_50(api, patient):
    client = api(patient.user)

    def queries_for(count):
        Exercise.objects.all().delete()
        ExerciseFactory.create_batch(count)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert len(response.json()["results"]) == count
        return len(ctx)

    assert queries_for(10) == queries_for(50)


# --- The admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_for(client):
    def sign_in(user):
        user.is_staff = True
        user.save()
        client.force_login(user)
        return client

    return sign_in


def test_a_manager_edits_the_library_in_the_admin(admin_client_for, manager, library):
    manager.is_superuser = True
    client = admin_client_for(manager)
    walking = library["walking"]
    url = f"/admin/programs/exercise/{walking.id}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": "walking",
            "name_nl": "Wandelen",
            "name_en": "Walking",
            "category": "conditioning",
            "steps": ["2", "3", "5"],
            "is_active": "on",
            "description_nl": walking.description_nl,
            "description_en": walking.description_en,
            "default_minutes": "15",
            "default_times_per_week": "7",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    walking.refresh_from_db()
    assert walking.steps == [2, 3, 5]
    assert walking.default_minutes == 15


def test_only_managers_change_the_library(admin_client_for, clinician, library):
    from django.contrib.auth.models import Permission

    user = clinician.user
    user.user_permissions.set(Permission.objects.filter(codename__endswith="_exercise"))
    client = admin_client_for(user)
    walking = library["walking"]
    response = client.post(
        f"/admin/programs/exercise/{walking.id}/change/",
        {"code": "walking", "name_nl": "x", "name_en": "x", "category": "conditioning"},
    )
    assert response.status_code == 403
    walking.refresh_from_db()
    assert walking.name_en == "Walking"


def test_opening_an_escalation_in_the_admin_is_logged(admin_client_for, manager):
    manager.is_superuser = True
    client = admin_client_for(manager)
    escalation = EscalationFactory()
    response = client.get(f"/admin/escalations/escalation/{escalation.id}/change/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(patient=escalation.patient)
    assert (entry.actor, entry.action, entry.resource) == (manager, "read", "escalation")


def test_resolving_in_the_admin_uses_the_service(admin_client_for, manager):
    manager.is_superuser = True
    client = admin_client_for(manager)
    escalation = EscalationFactory()
    response = client.post(
        "/admin/escalations/escalation/",
        {"action": "resolve", "_selected_action": [escalation.id]},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    assert escalation.resolved_by == manager
    assert Escalation.objects.count() == 1
