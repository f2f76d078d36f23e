"""With a real Celery worker and beat on Redis and PostgreSQL, started here as processes:
reminders go out within seconds, cancelled ones never; a killed worker or a broker that is
down delays messages but neither loses nor doubles one."""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings.models import WorkingHours
from notifications.models import Notification
from programs.services.check_ins import check_in_submit
from tests.factories import ClinicianFactory, PatientFactory
from tests.notifications.conftest import wait_for
from tests.notifications.factories import AppointmentTypeFactory, book, cancel
from tests.programs.factories import ProgramFactory

pytestmark = [
    pytest.mark.celery_live,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


AMS = ZoneInfo("Europe/Amsterdam")


def statuses(**filters) -> list[str]:
    return list(Notification.objects.filter(**filters).values_list("status", flat=True))


def all_sent(**filters):
    return lambda: (s := statuses(**filters)) and set(s) == {"sent"}


def in_23_hours() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=23)


def test_a_booking_23_hours_ahead_is_reminded_within_seconds_and_a_cancelled_one_never(
    live_celery, sink, settings
):
    settings.NOTIFICATION_QUIET_HOURS_START = "23:59:59"
    settings.NOTIFICATION_QUIET_HOURS_END = "00:00"
    live_celery.start()
    live_celery.start_beat()  # a second beat by mistake must not send anything twice
    kept = book(start=in_23_hours())
    dropped = book(start=in_23_hours() + datetime.timedelta(hours=1))
    cancel(dropped)

    booked_at = time.monotonic()
    wait_for(all_sent(appointment=kept), timeout=20, what="the reminder to be sent")
    assert time.monotonic() - booked_at < 15
    reminders = Notification.objects.filter(appointment=kept)
    assert {n.kind for n in reminders} == {"appointment_reminder"}

    # Well past the grace delay and several sweeps: the cancelled one never went out.
    time.sleep(3)
    assert set(statuses(appointment=dropped)) == {"cancelled"}
    sent_keys = sink.count_by_key()
    assert {n.idempotency_key for n in reminders} == set(sent_keys)
    assert set(sent_keys.values()) == {1}


RED_FLAG = dict(
    pain_now=6,
    pain_activity=6,  # below the high-pain score: one escalation, the stop signal
    pain_character="sharp",
    pain_course="increasing",
    exercises_done=True,
    walking_minutes=10,
)


def test_a_red_flag_check_in_reaches_the_clinician_at_once(live_celery, sink, rotterdam):
    live_celery.start()
    clinician = ClinicianFactory(user__locations=[rotterdam])
    patient = PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
    ProgramFactory(patient=patient, clinician=clinician)

    check_in = check_in_submit(patient=patient, **RED_FLAG)

    assert "stop_signal" in check_in.alerts
    escalation = patient.escalations.get(rule="stop_signal")
    wait_for(all_sent(escalation=escalation), timeout=20, what="the escalation notice")
    notices = Notification.objects.filter(escalation=escalation)
    assert {(n.kind, n.channel, n.recipient_user_id) for n in notices} == {
        ("escalation_notice", "email", clinician.user_id),
        ("escalation_notice", "in_app", clinician.user_id),
    }
    assert sink.count_by_key() == {n.idempotency_key: 1 for n in notices}


def _due_notifications(count: int) -> list[str]:
    patient = PatientFactory(with_user=True)
    program = ProgramFactory(patient=patient)
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(
            kind="check_in_reminder",
            channel="push",
            audience="patient",
            patient=patient,
            recipient_user=patient.user,
            program=program,
            address=f"user:{patient.user_id}",
            send_at=now - datetime.timedelta(seconds=1),
            idempotency_key=f"crash-test:{i}",
        )
        for i in range(count)
    )
    return [row.idempotency_key for row in rows]


def test_a_worker_killed_mid_batch_leaves_every_message_sent_exactly_once(live_celery, sink):
    keys = _due_notifications(1000)
    live_celery.start_beat()
    # A little slowness per message, so the kill surely lands in the middle.
    live_celery.start_worker(NOTIFICATION_SINK_DELAY_MS="3")
    wait_for(lambda: len(sink.lines()) >= 150, timeout=30, interval=0.02, what="150 sent")

    live_celery.kill_worker()

    sent_before_kill = len(sink.lines())
    in_doubt = Notification.objects.filter(status="sending").count()
    assert 150 <= sent_before_kill < 1000
    assert in_doubt > 0  # claimed, some of them sent, none marked: the hard case

    live_celery.start_worker()
    wait_for(all_sent(idempotency_key__startswith="crash-test:"), timeout=60, what="all sent")
    counts = sink.count_by_key()
    assert set(counts) == set(keys)
    assert [key for key, n in counts.items() if n != 1] == []


def _bookable_starts(count: int) -> list[datetime.datetime]:
    """Whole clinic hours 20–23 hours ahead, away from midnight: inside the reminder window."""
    start = (in_23_hours().astimezone(AMS)).replace(minute=0, second=0, microsecond=0)
    while not 1 <= start.hour <= 20:
        start -= datetime.timedelta(hours=1)
    return [start - datetime.timedelta(minutes=30 * i) for i in range(count)]


def test_while_the_broker_is_down_the_api_answers_201_and_messages_wait_then_all_go(
    live_celery, sink, throwaway_redis, rotterdam, settings, api, front_desk
):
    settings.NOTIFICATION_QUIET_HOURS_START = "23:59:59"
    settings.NOTIFICATION_QUIET_HOURS_END = "00:00"
    live_celery.start()
    clinician = ClinicianFactory(user__locations=[rotterdam])
    for weekday in range(7):  # a clinician who works around the clock, so any hour is free
        WorkingHours.objects.create(
            clinician=clinician,
            location=rotterdam,
            weekday=weekday,
            starts_at=datetime.time(0, 0),
            ends_at=datetime.time(23, 45),
        )
    treatment = AppointmentTypeFactory()
    patient = PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
    ProgramFactory(patient=patient, clinician=clinician)

    throwaway_redis.stop()
    started = time.monotonic()
    for start in _bookable_starts(3):
        response = api(front_desk).post(
            "/api/v1/appointments/",
            {
                "patient": patient.id,
                "clinician": clinician.id,
                "location": "rotterdam",
                "appointment_type": treatment.id,
                "start": start.isoformat(),
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    response = api(patient.user).post("/api/v1/check-ins/", RED_FLAG, format="json")
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 10  # nobody waits for the broker

    waiting = Notification.objects.filter(patient=patient)
    # A reminder by e-mail and push per appointment; notices to the clinician.
    assert waiting.filter(kind="appointment_reminder").count() == 3 * 2
    assert waiting.filter(kind="escalation_notice", recipient_user=clinician.user).count() >= 2
    time.sleep(3)
    assert set(statuses(patient=patient)) == {"pending"}
    assert sink.lines() == []

    throwaway_redis.start()
    wait_for(all_sent(patient=patient), timeout=60, what="everything sent after the outage")
    assert sink.count_by_key() == {n.idempotency_key: 1 for n in waiting}
