"""Two beats started by mistake against one database and broker: check-in reminders, missed
check-in escalations, the morning digest and the nightly trend review all run twice as
often, and every message still goes out exactly once (counted at the channel)."""

from __future__ import annotations

import datetime
import time
from collections import Counter

import pytest
from django.utils import timezone

from clinic.time import CLINIC_TZ, local_date
from notifications.models import Notification, NotificationPreference, ScheduleMark
from tests.factories import ClinicianFactory, PatientFactory
from tests.notifications.conftest import wait_for
from tests.programs.factories import CheckInFactory, ProgramFactory

pytestmark = [
    pytest.mark.fault_live,
    pytest.mark.celery_live,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DRILL_SECONDS = 30  # each scheduled job runs every second, from both beats


def patients_with_scheduled_work(rotterdam) -> None:
    now = timezone.now()
    clinician = ClinicianFactory(user__locations=[rotterdam])
    # Their check-in time was a few minutes ago: today's reminder is due now.
    wall = (now.astimezone(CLINIC_TZ) - datetime.timedelta(minutes=5)).time()
    for days_since_start in (1, 1, 1, 4, 4):  # 4 days without a check-in: two missed
        patient = PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
        NotificationPreference.objects.create(patient=patient, check_in_time=wall)
        ProgramFactory(
            patient=patient,
            clinician=clinician,
            check_in_every_days=1,
            started_at=now - datetime.timedelta(days=days_since_start),
        )
    # Three weeks of the same pain: the nightly trend review flags no progress.
    stalled = PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
    program = ProgramFactory(
        patient=stalled, clinician=clinician, started_at=now - datetime.timedelta(days=22)
    )
    for days_ago in (21, 14, 7, 1):
        CheckInFactory(
            patient=stalled,
            program=program,
            pain_now=5,
            pain_activity=6,
            submitted_at=now - datetime.timedelta(days=days_ago),
        )


def test_two_beats_for_a_while_send_every_scheduled_message_exactly_once(
    live_celery, sink, rotterdam
):
    patients_with_scheduled_work(rotterdam)
    live_celery.env.update(
        BEAT_DRILL_SECONDS="1",
        NOTIFICATION_QUIET_HOURS_START="23:59:59",
        NOTIFICATION_QUIET_HOURS_END="00:00",
    )
    live_celery.start_worker()
    live_celery.start_beat()
    live_celery.start_beat()  # the mistake
    time.sleep(DRILL_SECONDS)
    for beat in live_celery.beats:
        beat.terminate()
        beat.wait(timeout=10)

    def due_all_sent() -> bool:
        due = Notification.objects.filter(send_at__lte=timezone.now())
        return due.exists() and not due.filter(status__in=["pending", "sending"]).exists()

    wait_for(due_all_sent, timeout=60, what="every due message to be sent")

    beat_runs = [
        (live_celery.workdir / f"beat-{n}.log").read_text().count("Sending due task")
        for n in (1, 2)
    ]
    sent = Notification.objects.filter(status="sent")
    sent_per_kind = Counter(sent.values_list("kind", flat=True))
    lines = sink.lines()
    print(
        f"\nbeat 1 and 2 sent {beat_runs} tasks in {DRILL_SECONDS} s; messages sent per kind: "
        f"{dict(sent_per_kind)}; lines at the channel: {len(lines)}"
    )
    assert all(runs >= DRILL_SECONDS for runs in beat_runs)  # both beats really ran
    assert {"check_in_reminder", "escalation_notice", "escalation_digest"} <= set(sent_per_kind)
    escalations = set(
        sent.filter(kind="escalation_notice").values_list("escalation__rule", flat=True)
    )
    assert {"missed_check_ins", "no_progress"} <= escalations
    assert ScheduleMark.objects.filter(key__startswith="trend_review:").count() == 1
    assert ScheduleMark.objects.get(key__startswith="trend_review:").key.endswith(
        local_date(timezone.now()).isoformat()
    )
    # Exactly once, counted where the messages arrive.
    per_key = sink.count_by_key()
    assert [key for key, n in per_key.items() if n != 1] == []
    assert set(per_key) == set(sent.values_list("idempotency_key", flat=True))
