"""Reads of the staff site: the desk's calendar, patient search and a patient's timeline.

Visibility comes from the selectors of the apps (patients_visible_to,
appointments_visible_to, programs' and escalations' filters); slots come from
bookings.availability, the same code the API and the booking service use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import phonenumbers
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date

from assessments.models import Assessment
from bookings.availability import Slot, free_slots
from bookings.config import SLOT_MINUTES
from bookings.models import AppointmentStatus, AppointmentType
from bookings.selectors import appointment_types_list, appointments_visible_to
from clinic.models import Clinician, Location, Patient, User
from clinic.selectors import clinicians_list, location_ids_of, patients_visible_to
from clinic.time import CLINIC_TZ
from programs.models import CheckIn, Program, StepTransition

# The calendar shows at least these hours; longer working hours widen it.
DAY_STARTS, DAY_ENDS = time(8), time(18)


def staff_locations_of(user: User) -> QuerySet[Location]:
    return Location.objects.filter(pk__in=location_ids_of(user))


def default_appointment_type() -> AppointmentType | None:
    types = appointment_types_list()
    return types.filter(code="treatment").first() or types.first()


@dataclass
class Cell:
    """One clinician at one time of the day grid: an appointment starting, a free slot,
    the rest of an appointment (covered), or nothing."""

    appointment: object = None
    rows: int = 1
    slot: Slot | None = None
    covered: bool = False


@dataclass
class DayColumn:
    clinician: Clinician
    appointments: list = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)


@dataclass
class Day:
    date: date
    columns: list[DayColumn]
    times: list[time] = field(default_factory=list)
    grid: list[tuple[time, list[Cell]]] = field(default_factory=list)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CLINIC_TZ)


def calendar_days(
    *,
    user: User,
    location: Location,
    first_day: date,
    days: int,
    appointment_type: AppointmentType | None,
) -> tuple[list[Clinician], list[Day]]:
    """Per day and clinician at ``location``: the appointments (booked, completed,
    no-show) and the free slots for ``appointment_type``. Cancelled ones are left out."""
    clinicians = list(clinicians_list(location=location))
    start, end = _local_midnight(first_day), _local_midnight(first_day + timedelta(days=days))
    appointments = (
        appointments_visible_to(user)
        .filter(location=location, start__gte=start, start__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .prefetch_related(None)  # the calendar shows no history
        .order_by("start", "id")
    )
    slots = (
        free_slots(
            location=location,
            appointment_type=appointment_type,
            start=start,
            end=end,
            clinician_ids=[c.pk for c in clinicians],
        )
        if appointment_type is not None
        else []
    )
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        columns = {c.pk: DayColumn(clinician=c) for c in clinicians}
        for appointment in appointments:
            if appointment.start.astimezone(CLINIC_TZ).date() == day:
                column = columns.get(appointment.clinician_id)
                if column is not None:
                    column.appointments.append(appointment)
        for slot in slots:
            if slot.start.astimezone(CLINIC_TZ).date() == day and slot.clinician_id in columns:
                columns[slot.clinician_id].slots.append(slot)
        result.append(Day(date=day, columns=list(columns.values())))
    return clinicians, result


def _grid_minute(value: datetime) -> int:
    local = value.astimezone(CLINIC_TZ)
    return local.hour * 60 + local.minute


def day_grid(day: Day) -> Day:
    """Lay ``day`` out as rows of the slot grid: one row per SLOT_MINUTES, one cell per
    clinician; an appointment spans the rows of its duration."""
    minutes = [DAY_STARTS.hour * 60, DAY_ENDS.hour * 60]
    for column in day.columns:
        minutes += [_grid_minute(a.start) for a in column.appointments]
        minutes += [_grid_minute(a.end) for a in column.appointments]
        minutes += [_grid_minute(s.end) for s in column.slots]
    first = min(minutes) // SLOT_MINUTES * SLOT_MINUTES
    last = -(-max(minutes) // SLOT_MINUTES) * SLOT_MINUTES
    cells: dict[tuple[int, int], Cell] = {}
    for index, column in enumerate(day.columns):
        for slot in column.slots:
            cells[(index, _grid_minute(slot.start))] = Cell(slot=slot)
        for appointment in column.appointments:
            begin = _grid_minute(appointment.start) // SLOT_MINUTES * SLOT_MINUTES
            rows = max(1, -(-(_grid_minute(appointment.end) - begin) // SLOT_MINUTES))
            cells[(index, begin)] = Cell(appointment=appointment, rows=rows)
            for extra in range(1, rows):
                cells[(index, begin + extra * SLOT_MINUTES)] = Cell(covered=True)
    for minute in range(first, last, SLOT_MINUTES):
        at = time(minute // 60, minute % 60)
        day.grid.append(
            (at, [cells.get((index, minute), Cell()) for index in range(len(day.columns))])
        )
    return day


# --- patient search -------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _as_date(text: str) -> date | None:
    """1990-04-12, or the Dutch way: 12-04-1990, 12/4/1990."""
    try:
        parsed = parse_date(text)
    except ValueError:
        return None
    if parsed is not None:
        return parsed
    match = _DATE.match(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _as_phone(text: str) -> str | None:
    """An E.164 number (how phones are stored) when ``text`` reads as a Dutch or
    international phone number."""
    if sum(ch.isdigit() for ch in text) < 6:
        return None
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def patient_search(*, user: User, query: str) -> QuerySet[Patient]:
    """The user's patients matching a name (any part), a date of birth or a phone number."""
    query = query.strip()
    patients = patients_visible_to(user).select_related("primary_clinician__user")
    if not query:
        return patients.none()
    born = _as_date(query)
    if born is not None:
        return patients.filter(date_of_birth=born)
    phone = _as_phone(query)
    if phone is not None:
        return patients.filter(phone=phone)
    words = query.split()
    match = Q()
    for word in words:
        match &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return patients.filter(match)


# --- a patient's timeline -------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    obj: object


def patient_timeline(*, user: User, patient: Patient) -> list[TimelineEntry]:
    """Assessments, program step changes, check-ins (with their alerts) and appointments
    of one patient, newest first. ``patient`` must be one ``user`` may see."""
    entries = [
        TimelineEntry(a.assessed_at, "assessment", a)
        for a in Assessment.objects.filter(patient=patient).select_related("clinician__user")
    ]
    entries += [
        TimelineEntry(p.started_at, "program", p)
        for p in Program.objects.filter(patient=patient).select_related("clinician__user")
    ]
    entries += [
        TimelineEntry(t.at, "step", t)
        for t in StepTransition.objects.filter(program__patient=patient).select_related("by")
    ]
    entries += [
        TimelineEntry(c.submitted_at, "check_in", c)
        for c in CheckIn.objects.filter(patient=patient)
    ]
    entries += [
        TimelineEntry(a.start, "appointment", a)
        for a in appointments_visible_to(user).filter(patient=patient)
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
