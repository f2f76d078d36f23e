"""A clinician's appointments as an iCalendar (RFC 5545) feed for calendar apps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event

from bookings.models import Appointment, AppointmentStatus
from clinic.models import Clinician
from clinic.time import CLINIC_TZ


def _initials(appointment: Appointment) -> str:
    # Calendar apps sync to third parties: show initials, never the full patient name.
    patient = appointment.patient
    return f"{patient.first_name[:1]}. {patient.last_name[:1]}.".upper()


def clinician_calendar(
    *, clinician: Clinician, appointments: Iterable[Appointment], now: datetime, domain: str
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Hamstring clinic//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Appointments {clinician.name}")
    calendar.add("x-wr-timezone", str(CLINIC_TZ))
    for appointment in appointments:
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.start.astimezone(CLINIC_TZ))
        event.add("dtend", appointment.end.astimezone(CLINIC_TZ))
        event.add("summary", f"{appointment.appointment_type.name} – {_initials(appointment)}")
        event.add("location", appointment.location.name)
        event.add("status", "CONFIRMED")
        event.add("last-modified", appointment.updated_at)
        event.add(
            "description",
            f"Appointment {appointment.pk} ({appointment.get_status_display().lower()})"
            if appointment.status != AppointmentStatus.BOOKED
            else f"Appointment {appointment.pk}",
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
