"""After a restore from a backup, a message due before the restore may already have gone
out from the database that was replaced: the channel is asked first (by idempotency key),
so nothing goes out twice; a channel that cannot tell holds the message for staff."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications import services
from notifications.channels import FileSinkBackend, OutgoingMessage
from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LOG_BACKEND = "notifications.channels.LogBackend"


def already_sent_by_the_old_database(row: Notification) -> None:
    FileSinkBackend().send(
        OutgoingMessage(
            idempotency_key=row.idempotency_key,
            channel=row.channel,
            kind=row.kind,
            address=row.address,
            subject="sent after the backup was taken",
            body="",
            notification_id=row.pk,
        )
    )


def test_messages_due_before_the_restore_go_out_only_if_the_channel_lacks_them(sink):
    went_out, waiting = NotificationFactory(), NotificationFactory()
    claimed = NotificationFactory(status="sending", claim_token="old-worker")
    tomorrow = NotificationFactory(send_at=timezone.now() + datetime.timedelta(days=1))
    already_sent_by_the_old_database(went_out)

    services.notifications_restored()
    assert Notification.objects.get(pk=claimed.pk).status == "pending"
    assert services.notifications_deliver_due() == 2

    assert sink.count_by_key() == {
        went_out.idempotency_key: 1,
        waiting.idempotency_key: 1,
        claimed.idempotency_key: 1,
    }
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        went_out.pk: "sent",
        waiting.pk: "sent",
        claimed.pk: "sent",
        tomorrow.pk: "pending",
    }


def test_a_message_planned_again_after_the_restore_is_checked_too(sink):
    """A planner that runs again after the restore writes the same idempotency key the old
    database used; the channel already has it, so it is not sent again."""
    services.notifications_restored()
    replanned = NotificationFactory(send_at=timezone.now() - datetime.timedelta(minutes=5))
    already_sent_by_the_old_database(replanned)

    assert services.notifications_deliver_due() == 0
    replanned.refresh_from_db()
    assert replanned.status == "sent"
    assert sink.count_by_key() == {replanned.idempotency_key: 1}


def test_a_channel_that_cannot_tell_holds_them_until_staff_send_them_again(settings, admin_client):
    settings.NOTIFICATION_CHANNEL_BACKEND = LOG_BACKEND
    before = NotificationFactory()
    services.notifications_restored()
    after = NotificationFactory(send_at=timezone.now() + datetime.timedelta(seconds=1))

    assert services.notifications_deliver_due(time_budget=5) == 0
    before.refresh_from_db()
    assert before.status == "held"
    assert "restored" in before.last_error

    response = admin_client.post(
        "/admin/notifications/notification/",
        {"action": "retry_failed", "_selected_action": [before.pk]},
    )
    assert response.status_code == 302
    Notification.objects.filter(pk=after.pk).update(send_at=timezone.now())
    assert services.notifications_deliver_due() == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
