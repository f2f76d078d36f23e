"""SIGTERM to the Celery worker in the middle of a delivery: it finishes its claimed batch
(warm shutdown) and leaves nothing claimed; after a restart every message has gone out
exactly once."""

from __future__ import annotations

import signal
import time

import pytest

from notifications.models import Notification
from tests.notifications.conftest import wait_for
from tests.notifications.test_live import _due_notifications, all_sent

pytestmark = [
    pytest.mark.fault_live,
    pytest.mark.celery_live,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sigterm_to_the_worker_mid_delivery_sends_nothing_twice_after_the_restart(
    live_celery, sink
):
    keys = _due_notifications(400)
    # Deliveries hand over every second, so the stop lands between two of them.
    live_celery.start_worker(NOTIFICATION_SINK_DELAY_MS="5", NOTIFICATION_DELIVERY_SECONDS="1")
    live_celery.start_beat()
    wait_for(lambda: len(sink.lines()) >= 60, timeout=30, interval=0.02, what="60 sent")

    terminated_at = time.monotonic()
    live_celery.worker.send_signal(signal.SIGTERM)  # what docker stop and systemd send
    live_celery.worker.wait(timeout=90)
    stopped_after = time.monotonic() - terminated_at

    sent_before_restart = len(sink.lines())
    print(
        f"\nworker stopped {stopped_after:.2f} s after SIGTERM, "
        f"{sent_before_restart} of {len(keys)} sent by then"
    )
    assert live_celery.worker.returncode == 0
    # Warm shutdown: the claimed batch was finished and marked; nothing is left in doubt.
    assert not Notification.objects.filter(status="sending").exists()
    assert Notification.objects.filter(status="sent").count() == sent_before_restart

    live_celery.start_worker()
    wait_for(all_sent(idempotency_key__startswith="crash-test:"), timeout=60, what="all sent")
    counts = sink.count_by_key()
    assert set(counts) == set(keys)
    assert [key for key, n in counts.items() if n != 1] == []
