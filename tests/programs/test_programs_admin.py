"""The clinical admin: programs with their history, check-ins read-only, reads logged."""

import pytest
from django.urls import reverse

from clinic.models import AccessLogEntry
from programs.models import StepTransition
from tests.programs.factories import CheckInFactory, ExerciseFactory, ProgramFactory
from tests.staff.clinic import build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, manager):
    manager.is_staff = True
    manager.is_superuser = True
    manager.save()
    client.force_login(manager)
    return client


def test_program_page_shows_history_and_is_logged(admin_client, manager, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    StepTransition.objects.create(
        program=program, from_step=1, to_step=2, by=manager, override=True, reason="Seen in clinic"
    )
    program.prescriptions.create(exercise=ExerciseFactory(), step=2, sets=3, reps=10)
    response = admin_client.get(f"/admin/programs/program/{program.id}/change/")
    assert response.status_code == 200
    assert b"Seen in clinic" in response.content
    entry = AccessLogEntry.objects.get(patient=patient)
    assert (entry.action, entry.resource) == ("read", "program")


@pytest.mark.parametrize(
    "path",
    [
        "program/",
        "program/?q=jansen",
        "program/?status__exact=active&step__exact=1",
        "prescription/?q=jansen",
        "checkin/",
        "checkin/?q=jansen",
        "checkin/?pain_character__exact=sharp",
    ],
)
def test_lists_filter_and_search(admin_client, path):
    CheckInFactory(patient__last_name="Jansen", pain_character="sharp")
    ProgramFactory(patient__last_name="Jansen")
    response = admin_client.get(f"/admin/programs/{path}")
    assert response.status_code == 200
    assert b"Jansen" in response.content or path.startswith("prescription")


def test_check_ins_are_read_only(admin_client, patient):
    check_in = CheckInFactory(patient=patient, pain_now=3)
    url = f"/admin/programs/checkin/{check_in.id}/change/"
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"pain_now": 9})
    check_in.refresh_from_db()
    assert check_in.pain_now == 3
    assert AccessLogEntry.objects.filter(patient=patient, resource="check_in").exists()


@pytest.mark.parametrize(
    "language, assessment_labels, program_labels",
    [
        (
            "nl",
            [">Pijn in rust:</label>", ">Pijn bij lopen:</label>", ">Onderzocht op:</label>"],
            ['for="id_check_in_every_days">Check-in om de zoveel dagen', ">Stap:</label>"],
        ),
        (
            "en",
            [">Pain rest:</label>", ">Pain walking:</label>", ">Assessed at:</label>"],
            ['for="id_check_in_every_days">Check in every days', ">Step:</label>"],
        ),
    ],
)
def test_the_clinical_admin_speaks_the_browsers_language(
    client, language, assessment_labels, program_labels
):
    site = build_site("rotterdam")
    client.force_login(site.users["clinician"])
    for label, words in (
        ("assessments.assessment", assessment_labels),
        ("programs.program", program_labels),
    ):
        app_label, model_name = label.split(".")
        page = client.get(
            reverse(f"admin:{app_label}_{model_name}_change", args=[site.objects[label].pk]),
            HTTP_ACCEPT_LANGUAGE=language,
        ).content.decode()
        for word in words:
            assert word in page, (language, label, word)


def test_the_admin_changes_only_the_rhythm_and_through_its_service(
    admin_client, clinician, patient, other_patient
):
    """The patient, clinician and episode stay; a rhythm set here is marked as a person's
    choice, so the next step does not overwrite it (as through the API)."""
    program = ProgramFactory(patient=patient, clinician=clinician)
    url = reverse("admin:programs_program_change", args=[program.pk])
    page = admin_client.get(url)
    # The inlines' management forms, as the browser would send them back.
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    data.update({"check_in_every_days": 5, "patient": other_patient.pk})
    response = admin_client.post(url, data)
    program.refresh_from_db()
    assert response.status_code == 302, response.content[:800]
    assert (program.patient, program.check_in_every_days) == (patient, 5)
    assert program.check_in_every_days_set is True
