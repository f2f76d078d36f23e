"""The staff pages, server side: the desk's calendar and bookings through the booking
services, patient search, the clinician's page and a patient's timeline, each scoped to
the user's location and written to the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus
from clinic.models import AccessLogEntry
from clinic.time import CLINIC_TZ
from escalations.models import EscalationStatus
from escalations.services import escalation_raise
from tests import factories
from tests.bookings.factories import AppointmentFactory
from tests.staff.clinic import SURNAMES, build_site
from tests.world import next_weekday_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(db):
    return {
        "rotterdam": build_site("rotterdam"),
        "zoetermeer": build_site("zoetermeer", days_ahead=8),
    }


@pytest.fixture
def home(sites):
    return sites["rotterdam"]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_calendar_shows_the_clinicians_their_appointments_and_free_slots(client, home):
    client.force_login(home.users["desk"])
    appointment = home.objects["bookings.appointment"]
    day = appointment.start.astimezone(CLINIC_TZ).date()
    response = client.get(reverse("staff:calendar"), {"date": day.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert home.users["clinician"].clinician.name in page
    assert f'data-appointment="{appointment.pk}"' in page
    assert 'class="free"' in page
    assert "Zoetermeer" not in page
    week = client.get(reverse("staff:calendar"), {"date": day.isoformat(), "view": "week"})
    assert f'data-appointment="{appointment.pk}"' in week.content.decode()


def test_booking_a_free_slot_goes_through_the_booking_service(client, home):
    client.force_login(home.users["desk"])
    start = next_weekday_at(14, days_ahead=9)
    slot = {
        "clinician": home.users["clinician"].clinician.pk,
        "appointment_type": home.objects["bookings.appointment"].appointment_type_id,
        "location": home.location.pk,
        "start": start.isoformat(),
        "patient": home.patient.pk,
    }
    response = client.post(reverse("staff:book"), slot, follow=True)
    assert any("Booked" in m or "Geboekt" in m for m in _messages(response)), _messages(response)
    booked = Appointment.objects.get(patient=home.patient, start=start)
    assert booked.changes.get().actor == home.users["desk"]
    # The same slot again: the service's words, nothing saved.
    response = client.post(reverse("staff:book"), slot, follow=True)
    assert any("already has an appointment" in m for m in _messages(response)), _messages(response)
    assert Appointment.objects.filter(start=start).count() == 1


def test_a_zoetermeer_patient_cannot_be_booked_or_found_from_rotterdam(client, sites):
    home, away = sites["rotterdam"], sites["zoetermeer"]
    client.force_login(home.users["desk"])
    response = client.get(reverse("staff:patients"), {"q": SURNAMES["zoetermeer"]})
    assert f'data-patient="{away.patient.pk}"' not in response.content.decode()
    assert 'id="no-patients"' in response.content.decode()
    appointment = away.objects["bookings.appointment"]
    assert client.get(reverse("staff:appointment", args=[appointment.pk])).status_code == 404
    assert (
        client.post(reverse("staff:appointment_no_show", args=[appointment.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    "query",
    [
        "Anna",
        SURNAMES["rotterdam"].lower(),
        "12-04-1990",
        "1990-04-12",
        "06 12345678",
        "+31612345678",
    ],
)
def test_patient_search_by_name_date_of_birth_or_phone(client, home, query):
    client.force_login(home.users["desk"])
    response = client.get(reverse("staff:patients"), {"q": query})
    assert f'data-patient="{home.patient.pk}"' in response.content.decode()
    entry = AccessLogEntry.objects.filter(patient=home.patient, actor=home.users["desk"]).latest(
        "at"
    )
    assert entry.resource == "patient"


def test_move_cancel_and_no_show_use_the_services(client, home):
    client.force_login(home.users["desk"])
    appointment = home.objects["bookings.appointment"]
    new_start = appointment.start.astimezone(CLINIC_TZ) + timedelta(hours=3)
    client.post(
        reverse("staff:appointment_move", args=[appointment.pk]),
        {"date": new_start.date().isoformat(), "time": new_start.strftime("%H:%M")},
    )
    appointment.refresh_from_db()
    assert appointment.start == new_start
    client.post(
        reverse("staff:appointment_cancel", args=[appointment.pk]),
        {"reason": "illness", "note": "Flu"},
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason, appointment.cancel_note) == (
        AppointmentStatus.CANCELLED,
        "illness",
        "Flu",
    )
    # The history names the reason in the reader's words, not by its code.
    page = client.get(
        reverse("staff:appointment", args=[appointment.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "(Ziekte)" in page and "illness" not in page
    # Not started yet: the service's refusal is shown, nothing changes.
    response = client.post(reverse("staff:appointment_no_show", args=[appointment.pk]), follow=True)
    assert any("cancelled" in m for m in _messages(response)), _messages(response)


def test_the_desk_has_no_clinician_page_nor_timeline(client, home):
    client.force_login(home.users["desk"])
    assert client.get(reverse("staff:clinician")).status_code == 403
    assert client.get(reverse("staff:timeline", args=[home.patient.pk])).status_code == 403


def test_the_clinicians_page_and_a_timeline_are_logged(client, sites):
    home, away = sites["rotterdam"], sites["zoetermeer"]
    clinician = home.users["clinician"]
    client.force_login(clinician)
    page = client.get(reverse("staff:clinician")).content.decode()
    escalation = home.objects["escalations.escalation"]
    assert (
        f'data-escalation="{escalation.pk}"' in page and f'data-patient="{home.patient.pk}"' in page
    )
    assert SURNAMES["zoetermeer"] not in page
    resources = set(
        AccessLogEntry.objects.filter(actor=clinician).values_list("resource", flat=True)
    )
    assert {"program", "escalation"} <= resources

    timeline = client.get(reverse("staff:timeline", args=[home.patient.pk])).content.decode()
    for kind in ("assessment", "program", "check_in", "appointment"):
        assert f"timeline-{kind}" in timeline, kind
    assert AccessLogEntry.objects.filter(
        actor=clinician, resource="timeline", patient=home.patient
    ).exists()
    assert client.get(reverse("staff:timeline", args=[away.patient.pk])).status_code == 404

    client.post(reverse("staff:escalation_acknowledge", args=[escalation.pk]))
    escalation.refresh_from_db()
    assert (
        escalation.status == EscalationStatus.ACKNOWLEDGED
        and escalation.acknowledged_by == clinician
    )
    client.post(reverse("staff:escalation_resolve", args=[escalation.pk]), {"note": "Seen him."})
    escalation.refresh_from_db()
    assert (escalation.status, escalation.resolution_note) == (
        EscalationStatus.RESOLVED,
        "Seen him.",
    )
    other = away.objects["escalations.escalation"]
    assert client.post(reverse("staff:escalation_acknowledge", args=[other.pk])).status_code == 404


def test_each_role_lands_on_its_page_and_the_header_shows_the_location(client, home):
    for role, target in (
        ("desk", "staff:calendar"),
        ("clinician", "staff:clinician"),
        ("manager", "staff:calendar"),
    ):
        client.force_login(home.users[role])
        response = client.get(reverse("staff:home"))
        assert response.url == reverse(target), role
        page = client.get(reverse("admin:index")).content.decode()
        assert 'id="staff-location"' in page and "Rotterdam" in page
        assert "<title>Site administration | Hamstring clinic</title>" not in page
        assert "Hamstring clinic" in page


def test_the_desk_marks_a_started_appointment_as_a_no_show(client, home):
    started = AppointmentFactory(
        patient=home.patient,
        clinician=home.users["clinician"].clinician,
        location=home.location,
        appointment_type=home.objects["bookings.appointment"].appointment_type,
        start=timezone.now() - timedelta(minutes=20),
    )
    client.force_login(home.users["desk"])
    page = client.get(reverse("staff:appointment", args=[started.pk])).content.decode()
    assert 'id="no-show-form"' in page
    client.post(reverse("staff:appointment_no_show", args=[started.pk]))
    started.refresh_from_db()
    assert started.status == AppointmentStatus.NO_SHOW
    assert started.changes.get().actor == home.users["desk"]


def test_a_superuser_viewing_the_site_lands_on_the_records(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("staff:home")).url == reverse("admin:index")


def test_the_calendar_costs_the_same_queries_for_one_or_many_appointments(client, home):
    client.force_login(home.users["desk"])
    day = next_weekday_at(9, days_ahead=12)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get(reverse("staff:calendar"), {"date": day.date().isoformat()}).status_code
                == 200
            )
        return len(captured.captured_queries)

    def book(hour: int) -> None:
        AppointmentFactory(
            patient=factories.PatientFactory(location=home.location),
            clinician=home.users["clinician"].clinician,
            location=home.location,
            appointment_type=home.objects["bookings.appointment"].appointment_type,
            start=day.replace(hour=hour),
        )

    book(9)  # one appointment (its read is logged: one INSERT, whatever the number)
    one = queries()
    for hour in (10, 11, 12, 13, 14):
        book(hour)
    assert queries() == one


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Calendar", "Find a patient", "Appointments", "Free slots for"]),
        ("nl", ["Agenda", "Patiënt zoeken", "Afspraken", "Vrije tijden voor"]),
    ],
)
def test_the_staff_site_speaks_the_browsers_language(client, home, language, words):
    client.force_login(home.users["desk"])
    page = client.get(reverse("staff:calendar"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in page, (language, word)
    form = client.get(
        reverse("admin:clinic_patient_change", args=[home.patient.pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    label = {"en": "Date of birth", "nl": "Geboortedatum"}[language]
    assert f'for="id_date_of_birth">{label}' in form
    reasons = client.get(
        reverse("staff:appointment", args=[home.objects["bookings.appointment"].pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    assert {"en": "Feeling better", "nl": "Voelt zich beter"}[language] in reasons


def test_a_dutch_clinician_reads_escalations_in_dutch(client, home):
    escalation_raise(patient=home.patient, rule="recurrence", reason="Second injury.")
    client.force_login(home.users["clinician"])
    page = client.get(reverse("staff:clinician"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for words in ("Normaal", "Loos alarm", "Doorverwezen naar de huisarts", "Stap 1: analyse"):
        assert words in page, words
    assert "False alarm" not in page
    assert "analysis" not in page  # the step's code is not shown as its name


def test_a_dutch_clinician_reads_the_timeline_in_dutch(client, home):
    client.force_login(home.users["clinician"])
    page = client.get(
        reverse("staff:timeline", args=[home.patient.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    # The check-in's pain character and course, and the program's status.
    for words in ("Dof / trekkend", "Gelijkblijvend", "Actief"):
        assert words in page, words
    assert "Dull / pulling" not in page


def test_a_resolve_with_a_note_too_long_is_refused_not_resolved_without_it(client, home):
    escalation = home.objects["escalations.escalation"]  # normal: no outcome needed
    client.force_login(home.users["clinician"])
    response = client.post(
        reverse("staff:escalation_resolve", args=[escalation.pk]),
        {"outcome": "handled_in_clinic", "note": "x" * 5001},
        follow=True,
    )
    assert any("5000" in m for m in _messages(response)), _messages(response)
    escalation.refresh_from_db()
    assert escalation.status != EscalationStatus.RESOLVED


def test_the_desks_reads_of_appointments_are_in_the_access_log(client, home):
    """As through the API: the calendar and an appointment's page show a patient's
    appointment, so each is a read in the patient's access log."""
    appointment = home.objects["bookings.appointment"]
    desk = home.users["desk"]
    client.force_login(desk)
    local = appointment.start.astimezone(CLINIC_TZ).date()
    query = {"date": local.isoformat(), "location": appointment.location_id}
    assert client.get(reverse("staff:calendar"), query).status_code == 200
    assert client.get(reverse("staff:appointment", args=[appointment.pk])).status_code == 200
    entries = AccessLogEntry.objects.filter(
        actor=desk, resource="appointment", patient=appointment.patient
    )
    assert entries.filter(action="read").count() == 2
    assert set(entries.values_list("object_id", flat=True)) == {str(appointment.pk)}


def test_staff_without_a_location_get_no_calendar(client, home):
    desk = home.users["desk"]
    desk.locations.clear()
    client.force_login(desk)
    assert client.get(reverse("staff:calendar")).status_code == 403
    assert client.get(reverse("staff:book"), {"start": "x"}).status_code in (302, 404)


def test_an_urgent_escalation_is_resolved_on_the_staff_site_only_with_an_outcome(client, home):
    client.force_login(home.users["clinician"])
    urgent = escalation_raise(
        patient=home.patient, rule="suspected_grade_3", reason="Audible snap; unable to walk."
    )
    url = reverse("staff:escalation_resolve", args=[urgent.pk])
    response = client.post(url, {"note": "Seen."}, follow=True)
    assert any("outcome" in m for m in _messages(response)), _messages(response)
    urgent.refresh_from_db()
    assert urgent.status == EscalationStatus.OPEN
    client.post(url, {"outcome": "referred_specialist", "note": "MRI at the hospital."})
    urgent.refresh_from_db()
    assert (urgent.status, urgent.outcome) == (EscalationStatus.RESOLVED, "referred_specialist")
