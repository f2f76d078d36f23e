"""Notifications at clinic scale for ``manage.py seed_scale``: one reminder per appointment."""

from __future__ import annotations

from datetime import timedelta

from bookings.models import Appointment
from notifications.models import Notification

STATUS_FOR_APPOINTMENT = {
    "completed": "sent",
    "no_show": "sent",
    "cancelled": "cancelled",
    "booked": "pending",
}


def seed(ctx) -> dict[str, int]:
    appointments = Appointment.objects.filter(patient_id__in=ctx.patient_home)
    ctx.stage("notifications", appointments.count())
    rows = (
        appointments.values_list("id", "patient_id", "start", "status")
        .order_by("id")
        .iterator(chunk_size=ctx.batch_size)
    )
    batch: list[Notification] = []
    created = 0
    for appointment_id, patient_id, start, status in rows:
        send_at = start - timedelta(hours=24)
        state = STATUS_FOR_APPOINTMENT[status]
        batch.append(
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
        if len(batch) >= ctx.batch_size:
            Notification.objects.bulk_create(batch)
            ctx.progress.update(len(batch))
            created += len(batch)
            batch = []
    if batch:
        Notification.objects.bulk_create(batch)
        ctx.progress.update(len(batch))
        created += len(batch)
    return {"notifications": created}
