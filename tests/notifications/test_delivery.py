"""The outbox delivers every due message once: claimed, sent, marked; retried with backoff;
failed for good after the last attempt; never lost when a worker dies mid-batch."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.channels import FileSinkBackend, LogBackend, OutgoingMessage, backend_for
from notifications.models import Notification
from tests.factories import PatientFactory
from tests.notifications.factories import AppointmentFactory, NotificationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now


def test_a_due_message_is_rendered_sent_once_and_marked_sent(sink):
    patient = PatientFactory(first_name="Anouk", language="nl")
    due = NotificationFactory(patient=patient)
    later = NotificationFactory(patient=patient, send_at=NOW() + datetime.timedelta(hours=1))

    assert services.notifications_deliver_due() == 1
    assert services.notifications_deliver_due() == 0

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "sent" and due.sent_at is not None and due.attempts == 1
    assert due.subject == "Tijd voor uw check-in"
    assert "Beste Anouk" in due.body
    assert later.status == "pending"
    assert sink.count_by_key() == {due.idempotency_key: 1}


def test_messages_are_written_in_the_patients_language(sink):
    english = NotificationFactory(patient=PatientFactory(language="en"))
    services.notifications_deliver_due()
    english.refresh_from_db()
    assert english.subject == "Time for your check-in"


def test_a_failing_channel_is_retried_with_backoff_then_fails_for_good(settings, sink):
    settings.NOTIFICATION_CHANNEL_BACKEND = "tests.notifications.backends.AlwaysFails"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_SECONDS = 60
    row = NotificationFactory(
        kind="escalation_digest",
        audience="staff",
        patient=None,
        recipient_user=PatientFactory(with_user=True).user,
    )
    delays = []
    for _ in range(3):
        before = NOW()
        Notification.objects.filter(pk=row.pk).update(send_at=before)
        services.notifications_deliver_due()
        row.refresh_from_db()
        delays.append((row.send_at - before).total_seconds())
    assert row.status == "failed"
    assert row.attempts == 3
    assert "SMTP server said no" in row.last_error
    # 60 s, then 120 s; the third attempt is the last, so no new send_at.
    assert 59 < delays[0] < 62 and 119 < delays[1] < 122
    assert services.notifications_deliver_due() == 0


def test_a_claimed_batch_whose_worker_died_is_settled_without_sending_twice(settings, sink):
    rows = NotificationFactory.create_batch(4)
    token = services.notifications_claim(limit=10)
    assert token
    # The worker sent the first two, then died before marking anything.

    for row in rows[:2]:
        FileSinkBackend().send(
            OutgoingMessage(row.idempotency_key, "email", row.kind, "", "s", "b", row.pk)
        )
    assert services.notifications_deliver_due() == 0  # claimed rows are nobody else's
    assert services.notifications_recover_in_doubt() == 0  # the lease still runs

    later = NOW() + datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS + 1)
    assert services.notifications_recover_in_doubt(now=later) == 4
    assert services.notifications_deliver_due() == 2

    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert sink.count_by_key() == {row.idempotency_key: 1 for row in rows}


def test_a_message_whose_cause_is_gone_is_cancelled_not_sent(sink):
    appointment = AppointmentFactory(status="cancelled")
    row = NotificationFactory(
        kind="appointment_reminder", patient=appointment.patient, appointment=appointment
    )
    assert services.notifications_deliver_due() == 0
    row.refresh_from_db()
    assert row.status == "cancelled"
    assert row.last_error == "The appointment is no longer booked."
    assert sink.lines() == []


def test_scheduling_the_same_cause_twice_writes_one_row():
    patient = PatientFactory()
    fields = dict(
        kind="check_in_reminder",
        channel="email",
        audience="staff",
        idempotency_key="check_in_reminder:1:2027-03-28:email",
        send_at=NOW(),
        patient=patient,
    )
    assert services.notification_schedule(**fields) is not None
    assert services.notification_schedule(**fields) is None
    assert Notification.objects.count() == 1


def test_a_due_message_asks_for_delivery_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    patient = PatientFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        services.notification_schedule(
            kind="escalation_digest",
            channel="in_app",
            audience="staff",
            idempotency_key="now",
            send_at=NOW(),
            patient=patient,
        )
        services.notification_schedule(
            kind="escalation_digest",
            channel="in_app",
            audience="staff",
            idempotency_key="later",
            send_at=NOW() + datetime.timedelta(days=1),
            patient=patient,
        )
    assert [c.__name__ for c in callbacks] == ["enqueue_delivery"]


def test_the_sweep_wakes_workers_only_when_something_is_due():
    NotificationFactory(send_at=NOW() + datetime.timedelta(minutes=5))
    assert services.notifications_sweep() is False
    assert services.notifications_sweep(now=NOW() + datetime.timedelta(minutes=6)) is True


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_delivering_side_by_side_send_each_message_exactly_once(settings, sink):
    settings.NOTIFICATION_BATCH_SIZE = 7
    rows = NotificationFactory.create_batch(120)
    sent = []

    def worker():
        try:
            sent.append(services.notifications_deliver_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 120
    assert sink.count_by_key() == {row.idempotency_key: 1 for row in rows}
    assert Notification.objects.filter(status="sent").count() == 120


def test_a_channel_backend_named_by_its_former_dotted_path_still_loads(settings):
    """Deployed environments may still name backends under clinic.notifications.*."""
    settings.NOTIFICATION_CHANNEL_BACKEND = ""
    settings.NOTIFICATION_CHANNEL_BACKENDS = {
        **settings.NOTIFICATION_CHANNEL_BACKENDS,
        "sms": "clinic.notifications.channels.LogBackend",
    }
    assert isinstance(backend_for("sms"), LogBackend)


def test_a_closed_app_account_gets_nothing_in_the_app_but_still_its_email(sink):
    """Closing app access (a lost phone) between planning and sending: the push is cancelled
    at send time, the e-mail still goes; no new push or inbox route is planned."""
    patient = PatientFactory(with_user=True)
    push = NotificationFactory(patient=patient, channel="push", recipient_user=patient.user)
    email = NotificationFactory(patient=patient, recipient_user=patient.user)
    patient.user.is_active = False
    patient.user.save(update_fields=["is_active"])

    services.notifications_deliver_due()

    push.refresh_from_db()
    email.refresh_from_db()
    assert (push.status, email.status) == ("cancelled", "sent")
    assert "app account is closed" in push.last_error
    assert sink.count_by_key() == {email.idempotency_key: 1}
    assert {route.channel for route in services.patient_routes(patient)} <= {"email", "sms"}


def test_a_closed_staff_account_is_sent_nothing(sink):
    staff = PatientFactory(with_user=True).user
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    row = NotificationFactory(
        kind="escalation_digest", audience="staff", patient=None, recipient_user=staff
    )
    services.notifications_deliver_due()
    row.refresh_from_db()
    assert row.status == "cancelled"
    assert sink.count_by_key() == {}
