"""Free, bookable slots: working hours minus exceptions, appointments and buffers.

This is the single source of truth for "may this slot be booked": the booking service asks
the same question for the one slot it is about to book, so availability never offers a slot
that booking then refuses (except when someone else books it in between).

Working hours are wall-clock times in the clinic's time zone. Candidate starts are walked
on the slot grid in wall-clock time per date and only then turned into instants, so a
09:00 shift gives a 09:00 slot on both sides of a daylight-saving change, and wall-clock
times that do not exist (the spring-forward gap) are never offered.

A fixed number of queries per call, whatever the number of clinicians or days.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import F, FloatField, Func, Q
from django.utils import timezone

from bookings.config import SLOT_MINUTES
from bookings.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    ScheduleException,
    WorkingHours,
)
from clinic.models import Location, Patient
from clinic.time import CLINIC_TZ


class Slot(NamedTuple):
    """One free slot. A tuple: a week at a location is thousands of them, and a frozen
    dataclass cost more to create than finding the slot did."""

    start: datetime
    clinician_id: int
    end: datetime
    location_id: int


def local_datetime(day: date, at: time) -> datetime | None:
    """``day`` at wall-clock ``at`` in clinic time, or None if that time does not exist
    (it falls in the spring-forward gap)."""
    aware = datetime.combine(day, at, tzinfo=CLINIC_TZ)
    if aware.astimezone(UTC).astimezone(CLINIC_TZ).replace(tzinfo=None) != aware.replace(
        tzinfo=None
    ):
        return None
    return aware


def wall_time_exists(value: datetime) -> bool:
    """Whether the naive wall-clock reading of ``value`` exists in clinic time."""
    naive = value.replace(tzinfo=None)
    return local_datetime(naive.date(), naive.time()) is not None


def _normalised(day: date, at: time) -> datetime:
    """Like local_datetime, but a time in the gap moves forward to the first real instant."""
    aware = datetime.combine(day, at, tzinfo=CLINIC_TZ)
    return aware.astimezone(UTC).astimezone(CLINIC_TZ)


def _epoch(value: datetime) -> float:
    return value.timestamp()


def _as_epochs(queryset, start_field: str, end_field: str):
    """(clinician_id, start, end) rows with the times as epoch seconds. PostgreSQL computes
    them: parsing thousands of timestamptz values in Python cost more than the query."""
    if connection.vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return queryset.annotate(
            _s=Func(F(start_field), template=epoch, output_field=FloatField()),
            _e=Func(F(end_field), template=epoch, output_field=FloatField()),
        ).values_list("clinician_id", "_s", "_e")
    return [
        (cid, _epoch(a), _epoch(b))
        for cid, a, b in queryset.values_list("clinician_id", start_field, end_field)
    ]


class _Busy:
    """Disjoint, sorted busy intervals (epoch seconds) with a logarithmic overlap test.

    Plain numbers rather than aware datetimes: comparing datetimes in a ZoneInfo zone asks
    for the UTC offset on every comparison, which dominated the cost of a month's slots.
    """

    def __init__(self, intervals: Iterable[tuple[float, float]]):
        merged: list[list[float]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, start: float, end: float) -> bool:
        if not self.starts:
            return False
        # The last interval starting before ``end`` is the only candidate: they are disjoint.
        index = bisect_left(self.starts, end) - 1
        return index >= 0 and self.ends[index] > start


def _grid_point(start: datetime, duration: timedelta) -> tuple[datetime, datetime, float]:
    # Arithmetic on instants, not wall-clock: an end across a DST change stays right.
    end = (start.astimezone(UTC) + duration).astimezone(CLINIC_TZ)
    return start, end, _epoch(start)


def _local_dates(start: datetime, end: datetime) -> list[date]:
    first = start.astimezone(CLINIC_TZ).date()
    last = (end - timedelta(microseconds=1)).astimezone(CLINIC_TZ).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute + (1 if at.second or at.microsecond else 0)


def free_slots(
    *,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime,
    clinician_ids: Iterable[int] | None = None,
    patient: Patient | None = None,
    exclude_appointment_id: int | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """Slots starting in [start, end) at ``location`` for ``appointment_type``.

    ``patient``: also leave out times that patient already has an appointment.
    ``exclude_appointment_id``: ignore that appointment (it is being moved).
    """
    now = now or timezone.now()
    start = max(start, now + timedelta(microseconds=1))
    if start >= end:
        return []
    duration = timedelta(minutes=appointment_type.duration_minutes)
    occupied = duration + timedelta(minutes=appointment_type.buffer_after_minutes)
    dates = _local_dates(start, end)
    weekdays = {day.weekday() for day in dates}

    hours = WorkingHours.objects.filter(
        location=location, weekday__in=weekdays, clinician__user__is_active=True
    )
    if clinician_ids is not None:
        hours = hours.filter(clinician_id__in=list(clinician_ids))
    shifts: dict[int, list[tuple]] = defaultdict(list)
    for row in hours.values_list(
        "clinician_id", "weekday", "starts_at", "ends_at", "valid_from", "valid_until"
    ):
        shifts[row[1]].append(row)
    ids = sorted({row[0] for rows in shifts.values() for row in rows})
    if not ids:
        return []

    # Anything that may overlap a slot starting in [start, end).
    window_start, window_end = start - timedelta(days=1), end + occupied + timedelta(days=1)
    busy: dict[int, list[tuple[float, float]]] = defaultdict(list)
    appointments = (
        Appointment.objects.overlapping(window_start, window_end, end_field="buffer_end")
        .filter(clinician_id__in=ids, status__in=ACTIVE_STATUSES)
        .order_by()  # _Busy sorts them itself
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    for clinician_id, busy_start, busy_end in _as_epochs(appointments, "start", "buffer_end"):
        busy[clinician_id].append((busy_start, busy_end))
    everyone: list[tuple[float, float]] = []
    exceptions = ScheduleException.objects.filter(
        Q(clinician_id__in=ids, location__isnull=True)
        | Q(clinician_id__in=ids, location=location)
        | Q(clinician__isnull=True, location=location),
        starts_at__lt=window_end,
        ends_at__gt=window_start,
    )
    for clinician_id, off_start, off_end in exceptions.values_list(
        "clinician_id", "starts_at", "ends_at"
    ):
        (busy[clinician_id] if clinician_id else everyone).append(
            (_epoch(off_start), _epoch(off_end))
        )
    busy_by_clinician = {cid: _Busy(busy[cid] + everyone) for cid in ids}

    patient_busy = _Busy([])
    if patient is not None:
        taken = Appointment.objects.overlapping(window_start, window_end).filter(
            patient=patient, status__in=ACTIVE_STATUSES
        )
        if exclude_appointment_id is not None:
            taken = taken.exclude(pk=exclude_appointment_id)
        patient_busy = _Busy((_epoch(a), _epoch(b)) for a, b in taken.values_list("start", "end"))

    range_start, range_end = _epoch(start), _epoch(end)
    duration_s, occupied_s = duration.total_seconds(), occupied.total_seconds()
    # (epoch, clinician, start, end): sorted as plain tuples, which is several times cheaper
    # than sorting Slots on aware datetimes.
    found: list[tuple[float, int, datetime, datetime]] = []
    for day in dates:
        # Wall-clock grid times of this day as (aware start, epoch), shared by every shift.
        grid: dict[int, tuple[datetime, float] | None] = {}
        for clinician_id, _weekday, shift_start, shift_end, valid_from, valid_until in shifts.get(
            day.weekday(), ()
        ):
            if (valid_from and day < valid_from) or (valid_until and day > valid_until):
                continue
            shift_end_s = _epoch(_normalised(day, shift_end))
            clinician_busy = busy_by_clinician[clinician_id]
            busy_starts, busy_ends = clinician_busy.starts, clinician_busy.ends
            # Grid times only increase along a shift, so one pointer walks the busy list.
            next_busy = 0
            first = -(-_minutes(shift_start) // SLOT_MINUTES) * SLOT_MINUTES
            for minute in range(first, _minutes(shift_end), SLOT_MINUTES):
                if minute not in grid:
                    aware = local_datetime(day, time(minute // 60, minute % 60))
                    grid[minute] = None if aware is None else _grid_point(aware, duration)
                point = grid[minute]
                if point is None:
                    continue
                slot_start, slot_end, at = point
                if at < range_start or at >= range_end:
                    continue
                if at + duration_s > shift_end_s:
                    break
                while next_busy < len(busy_ends) and busy_ends[next_busy] <= at:
                    next_busy += 1
                if next_busy < len(busy_starts) and busy_starts[next_busy] < at + occupied_s:
                    continue
                if patient_busy.starts and patient_busy.overlaps(at, at + duration_s):
                    continue
                found.append((at, clinician_id, slot_start, slot_end))
    found.sort()
    location_id = location.pk
    return [Slot(slot_start, cid, slot_end, location_id) for _, cid, slot_start, slot_end in found]
