"""The staff site in a real browser: the desk books, double-books, moves and cancels; a
clinician acknowledges an escalation; the Rotterdam manager cannot reach Zoetermeer.
Screenshots of the calendar and the clinician's page go to var/screenshots/."""

from __future__ import annotations

import re

import pytest

from bookings.models import Appointment, AppointmentStatus
from bookings.services.appointments import appointment_book
from clinic.services import patient_register
from clinic.time import CLINIC_TZ
from escalations.models import EscalationStatus
from tests.staff.clinic import SURNAMES, build_site
from tests.staff.conftest import screenshot, sign_in
from tests.world import next_weekday_at

# serialized_rollback: the flush after each test would otherwise drop the migrated
# locations and role groups that later tests rely on.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def sites(transactional_db):
    return {
        "rotterdam": build_site("rotterdam"),
        "zoetermeer": build_site("zoetermeer", days_ahead=8),
    }


@pytest.fixture
def home(sites):
    return sites["rotterdam"]


def _free_slot_day():
    return next_weekday_at(9, days_ahead=9).date()


def test_the_desk_finds_a_patient_books_a_free_slot_and_sees_it(open_page, home):
    page = open_page()
    sign_in(page, home.users["desk"])
    assert page.locator("#staff-location").text_content() == "Rotterdam"
    page.click("#staff-nav >> text=Find a patient")
    page.fill("#patient-search input[name=q]", "12-04-1990")
    page.click("#patient-search input[type=submit]")
    row = page.locator(f'tr[data-patient="{home.patient.pk}"]')
    assert SURNAMES["rotterdam"] in row.inner_text()
    row.locator("a.book-link").click()
    assert home.patient.name in page.locator("#booking-for").inner_text()
    page.fill("#calendar-controls input[name=date]", _free_slot_day().isoformat())
    page.click("#calendar-controls input[type=submit]")
    free = page.locator("td.free").first
    start = free.get_attribute("data-start")
    free.locator("a").click()
    page.click("#book-form input[type=submit]")
    assert "Booked" in page.locator("ul.messagelist").inner_text()
    booked = Appointment.objects.get(patient=home.patient, start=start)
    cell = page.locator(f'td.appointment[data-appointment="{booked.pk}"]')
    assert home.patient.name in cell.inner_text()
    screenshot(page, "calendar-day.png")
    page.click("text=Week")
    assert page.locator(f'#calendar-week [data-appointment="{booked.pk}"]').count() == 1
    screenshot(page, "calendar-week.png")


def test_a_double_booking_shows_the_conflict_and_saves_nothing(open_page, home):
    other = patient_register(
        registered_by=home.users["desk"],
        first_name="Bram",
        last_name="Tweede",
        date_of_birth=next_weekday_at(9, 0).date().replace(year=1980),
        location=home.location,
    )
    clinician = home.users["clinician"].clinician
    kind = home.objects["bookings.appointment"].appointment_type
    start = next_weekday_at(11, days_ahead=9)
    page = open_page()
    sign_in(page, home.users["desk"])
    page.goto(
        f"/staff/book/?clinician={clinician.pk}&appointment_type={kind.pk}"
        f"&location={home.location.pk}&patient={home.patient.pk}"
        f"&start={start.isoformat().replace('+', '%2B')}"
    )
    # Someone else takes the slot while the desk looks at it.
    appointment_book(
        actor=home.users["manager"],
        patient_id=other.pk,
        clinician=clinician,
        location=home.location,
        appointment_type=kind,
        start=start,
    )
    page.click("#book-form input[type=submit]")
    error = page.locator("ul.messagelist li.error").inner_text()
    assert f"{clinician.name} already has an appointment around" in error
    assert list(Appointment.objects.filter(start=start).values_list("patient", flat=True)) == [
        other.pk
    ]


def test_the_desk_moves_then_cancels_an_appointment(open_page, home):
    appointment = home.objects["bookings.appointment"]
    local = appointment.start.astimezone(CLINIC_TZ)
    page = open_page()
    sign_in(page, home.users["desk"])
    page.goto(f"/staff/calendar/?date={local.date().isoformat()}")
    page.locator(f'td.appointment[data-appointment="{appointment.pk}"] a').click()
    page.fill("#id_time", "15:30")
    page.click("#move-form input[type=submit]")
    assert "Moved" in page.locator("ul.messagelist").inner_text()
    cell = page.locator(f'td.appointment[data-appointment="{appointment.pk}"]')
    assert cell.inner_text().startswith("15:30")
    appointment.refresh_from_db()
    assert appointment.start.astimezone(CLINIC_TZ).strftime("%H:%M") == "15:30"

    cell.locator("a").click()
    page.select_option("#id_reason", "illness")
    page.fill("#id_note", "Flu")
    page.click("#cancel-form input[type=submit]")
    assert "cancelled" in page.locator("ul.messagelist").inner_text()
    assert page.locator(f'[data-appointment="{appointment.pk}"]').count() == 0
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        "illness",
    )


def test_a_clinician_acknowledges_an_escalation(open_page, home):
    escalation = home.objects["escalations.escalation"]
    page = open_page()
    sign_in(page, home.users["clinician"])
    assert page.url.endswith("/staff/clinician/")
    row = page.locator(f'tr[data-escalation="{escalation.pk}"]')
    assert row.locator(".escalation-status").inner_text() == "Open"
    assert page.locator(f'#caseload tr[data-patient="{home.patient.pk}"]').count() == 1
    screenshot(page, "clinician.png")
    row.locator("input[value=Acknowledge]").click()
    assert "acknowledged" in page.locator("ul.messagelist").inner_text()
    assert row.locator(".escalation-status").inner_text() == "Acknowledged"
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ACKNOWLEDGED
    assert escalation.acknowledged_by == home.users["clinician"]
    page.click(f'#caseload tr[data-patient="{home.patient.pk}"] a')
    check_in = page.locator("#timeline tr.timeline-check_in")
    assert "next_day_pain" in check_in.locator(".alerts").inner_text()
    screenshot(page, "timeline.png")


def test_the_rotterdam_manager_cannot_reach_a_zoetermeer_patient(open_page, sites):
    manager, away = sites["rotterdam"].users["manager"], sites["zoetermeer"].patient
    page = open_page(locale="nl-NL")  # this manager's browser asks for Dutch
    sign_in(page, manager, next_url="/admin/clinic/patient/")
    assert "Patiënt zoeken" in page.locator("#staff-nav").inner_text()
    assert "Achternaam" in page.locator("#result_list thead").text_content()
    listing = page.locator("#result_list").inner_text()
    assert SURNAMES["rotterdam"] in listing and SURNAMES["zoetermeer"] not in listing
    # Search, a filter by URL, the filter choices, a direct URL.
    page.fill("#searchbar", SURNAMES["zoetermeer"])
    page.press("#searchbar", "Enter")
    assert page.locator("#result_list").count() == 0 or SURNAMES["zoetermeer"] not in (
        page.locator("#result_list").inner_text()
    )
    page.goto(f"/admin/clinic/patient/?location__id__exact={away.location_id}")
    assert SURNAMES["zoetermeer"] not in page.locator("#content").inner_text()
    assert "Zoetermeer" not in page.content()
    response = page.goto(f"/admin/clinic/patient/{away.pk}/change/")
    assert response.status == 404
    response = page.goto(f"/staff/patients/{away.pk}/timeline/")
    assert response.status == 404
    page.goto(f"/staff/patients/?q={SURNAMES['zoetermeer']}")
    assert page.locator("#no-patients").count() == 1
    assert re.search(SURNAMES["zoetermeer"], page.locator("#content-main").inner_text()) is None
