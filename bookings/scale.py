"""Appointments at clinic scale for ``manage.py seed_scale`` (bulk inserts)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bookings.models import Appointment, AppointmentType, WorkingHours
from clinic.scale.core import BatchInsert
from clinic.time import CLINIC_TZ
from notifications.models import Notification

# Scale clinicians work Monday to Saturday, 08:00-18:00 clinic time: 20 half-hour slots.
WORKDAYS = range(6)
OPENS, CLOSES = time(8), time(18)
SLOT = timedelta(minutes=30)
PAST_DAYS, FUTURE_DAYS = 730, 90
FUTURE_OCCUPANCY = 0.3  # the front desk still finds free slots in the coming weeks


def seed(ctx, *, appointments: int) -> dict[str, int]:
    treatment = AppointmentType.objects.get(code="treatment")
    clinicians = [c for group in ctx.clinicians_by_location.values() for c in group]
    location_of = {
        c.id: loc_id for loc_id, group in ctx.clinicians_by_location.items() for c in group
    }
    WorkingHours.objects.bulk_create(
        WorkingHours(
            clinician_id=c.id,
            location_id=location_of[c.id],
            weekday=d,
            starts_at=OPENS,
            ends_at=CLOSES,
        )
        for c in clinicians
        for d in WORKDAYS
    )
    patients_of: dict[int, list[int]] = {}
    for pid, (_location, clinician_id) in ctx.patient_home.items():
        patients_of.setdefault(clinician_id, []).append(pid)

    slots_per_day = int(
        (datetime.combine(ctx.today, CLOSES) - datetime.combine(ctx.today, OPENS)) / SLOT
    )
    past_workdays = sum(
        1 for n in range(1, PAST_DAYS + 1) if (ctx.today - timedelta(days=n)).weekday() in WORKDAYS
    )
    future_workdays = sum(
        1
        for n in range(1, FUTURE_DAYS + 1)
        if (ctx.today + timedelta(days=n)).weekday() in WORKDAYS
    )
    future = int(future_workdays * slots_per_day * len(clinicians) * FUTURE_OCCUPANCY)
    past_capacity = past_workdays * slots_per_day * len(clinicians)
    past_occupancy = min(1.0, max(0, appointments - future) / max(1, past_capacity))

    def planned():
        rng = ctx.rng
        for offset in range(-PAST_DAYS, FUTURE_DAYS + 1):
            day = ctx.today + timedelta(days=offset)
            if day.weekday() not in WORKDAYS or offset == 0:
                continue
            occupancy = past_occupancy if offset < 0 else FUTURE_OCCUPANCY
            for clinician in clinicians:
                own = patients_of.get(clinician.id)
                if not own:
                    continue
                for slot in range(slots_per_day):
                    if rng.random() >= occupancy:
                        continue
                    # One clinician's slots never overlap, and each patient has one
                    # clinician, so neither exclusion constraint can be hit.
                    start = datetime.combine(day, OPENS, tzinfo=CLINIC_TZ) + slot * SLOT
                    if offset < 0:
                        status = rng.choices(["completed", "cancelled", "no_show"], [85, 8, 7])[0]
                    else:
                        status = "booked" if rng.random() > 0.05 else "cancelled"
                    yield Appointment(
                        patient_id=rng.choice(own),
                        clinician_id=clinician.id,
                        location_id=location_of[clinician.id],
                        appointment_type=treatment,
                        start=start,
                        end=start + SLOT,
                        buffer_end=start + SLOT,
                        status=status,
                        cancel_reason="other" if status == "cancelled" else "",
                    )

    # The draw decides how many there are: count a dry run, then draw the same again.
    drawn = ctx.rng.getstate()
    ctx.stage("appointments", sum(1 for _ in planned()))
    ctx.rng.setstate(drawn)
    booked = BatchInsert(ctx, Appointment)
    for appointment in planned():
        booked.add(appointment)
    created = booked.flush()
    return {
        "working_hours": len(clinicians) * len(WORKDAYS),
        "appointments": created,
        **_seed_reminders(ctx),
    }


STATUS_FOR_APPOINTMENT = {
    "completed": "sent",
    "no_show": "sent",
    "cancelled": "cancelled",
    "booked": "pending",
}


def _seed_reminders(ctx) -> dict[str, int]:
    """One appointment reminder in the outbox per appointment."""
    appointments = Appointment.objects.filter(patient_id__in=ctx.patient_home)
    ctx.stage("notifications", appointments.count())
    rows = (
        appointments.values_list("id", "patient_id", "start", "status")
        .order_by("id")
        .iterator(chunk_size=ctx.batch_size)
    )
    reminders = BatchInsert(ctx, Notification)
    for appointment_id, patient_id, start, status in rows:
        send_at = start - timedelta(hours=24)
        state = STATUS_FOR_APPOINTMENT[status]
        reminders.add(
            Notification(
                kind="appointment_reminder",
                channel="email",
                audience="patient",
                patient_id=patient_id,
                address=f"patient-{patient_id}@example.nl",
                appointment_id=appointment_id,
                send_at=send_at,
                status=state,
                sent_at=send_at if state == "sent" else None,
                attempts=1 if state == "sent" else 0,
                idempotency_key=f"appointment_reminder:{appointment_id}:scale",
            )
        )
    created = reminders.flush()
    return {"notifications": created}
