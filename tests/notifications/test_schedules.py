"""What is scheduled and when (DOMAIN.md and the scheduling issue): appointment messages
with a grace delay, check-in reminders at the patient's own clinic time across daylight
saving, escalation notices, the morning digest and the nightly sweep; quiet hours hold."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from bookings import notifications as booking_messages
from clinic.models import Role
from clinic.time import at_clinic_time
from escalations.services import escalation_acknowledge, escalation_raise
from notifications import services
from notifications.models import Notification, NotificationPreference
from notifications.timing import outside_quiet_hours
from programs import notifications as program_messages
from programs.services import check_ins
from programs.services.check_ins import check_in_submit
from tests.factories import PatientFactory, UserFactory
from tests.notifications.factories import AppointmentFactory, book, cancel, reschedule
from tests.programs.factories import CheckInFactory, ProgramFactory

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def rows(**filters):
    return Notification.objects.filter(**filters).order_by("kind", "channel")


# --- clinic time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (datetime.date(2027, 1, 15), utc(2027, 1, 15, 17)),  # winter, CET
        (datetime.date(2027, 3, 27), utc(2027, 3, 27, 17)),  # the last winter evening
        (datetime.date(2027, 3, 28), utc(2027, 3, 28, 16)),  # clocks went forward at 02:00
        (datetime.date(2027, 7, 1), utc(2027, 7, 1, 16)),  # summer, CEST
        (datetime.date(2027, 10, 30), utc(2027, 10, 30, 16)),  # the last summer evening
        (datetime.date(2027, 10, 31), utc(2027, 10, 31, 17)),  # clocks went back at 03:00
    ],
)
def test_six_in_the_evening_is_16_utc_in_summer_and_17_utc_in_winter(day, expected_utc):
    assert at_clinic_time(day, datetime.time(18)) == expected_utc


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2027, 5, 3, 12, 0), local(2027, 5, 3, 12, 0)),  # daytime: unchanged
        (local(2027, 5, 3, 20, 59), local(2027, 5, 3, 20, 59)),
        (local(2027, 5, 3, 21, 0), local(2027, 5, 4, 8, 0)),  # evening: next morning
        (local(2027, 5, 3, 23, 30), local(2027, 5, 4, 8, 0)),
        (local(2027, 5, 4, 3, 0), local(2027, 5, 4, 8, 0)),  # night: this morning
        (local(2027, 5, 4, 8, 0), local(2027, 5, 4, 8, 0)),
        (local(2027, 3, 27, 22, 0), local(2027, 3, 28, 8, 0)),  # across the spring change
        (local(2027, 10, 30, 22, 0), local(2027, 10, 31, 8, 0)),  # across the autumn change
    ],
)
def test_no_patient_message_between_nine_at_night_and_eight_in_the_morning(moment, expected):
    assert outside_quiet_hours(moment) == expected


# --- appointments -----------------------------------------------------------------------


def test_a_booking_days_ahead_gets_a_confirmation_after_the_grace_delay_and_a_reminder(settings):
    settings.NOTIFICATION_GRACE_SECONDS = 300
    now = local(2027, 5, 3, 10, 0)
    appointment = AppointmentFactory(start=local(2027, 5, 6, 14, 30))
    booking_messages.appointment_messages_schedule(appointment=appointment, now=now)

    assert [(n.kind, n.channel, n.send_at) for n in rows(appointment=appointment)] == [
        ("appointment_confirmation", "email", now + datetime.timedelta(minutes=5)),
        ("appointment_confirmation", "push", now + datetime.timedelta(minutes=5)),
        ("appointment_reminder", "email", local(2027, 5, 5, 14, 30)),
        ("appointment_reminder", "push", local(2027, 5, 5, 14, 30)),
    ]
    reminder = rows(appointment=appointment, kind="appointment_reminder").first()
    assert reminder.address == appointment.patient.email
    assert reminder.language == appointment.patient.language


def test_a_booking_within_a_day_gets_only_the_reminder_after_the_grace_delay(settings):
    settings.NOTIFICATION_GRACE_SECONDS = 120
    now = local(2027, 5, 3, 10, 0)
    appointment = AppointmentFactory(start=now + datetime.timedelta(hours=23))
    booking_messages.appointment_messages_schedule(appointment=appointment, now=now)
    assert {(n.kind, n.send_at) for n in rows(appointment=appointment)} == {
        ("appointment_reminder", now + datetime.timedelta(minutes=2))
    }


def test_an_early_morning_reminder_waits_for_the_end_of_the_quiet_hours():
    appointment = AppointmentFactory(start=local(2027, 5, 6, 7, 30))
    booking_messages.appointment_messages_schedule(
        appointment=appointment, now=local(2027, 5, 1, 12)
    )
    reminder = rows(appointment=appointment, kind="appointment_reminder").first()
    assert reminder.send_at == local(2027, 5, 5, 8, 0)


def test_moving_an_appointment_moves_its_reminder():
    appointment = book(start=timezone.now() + datetime.timedelta(days=5))
    first = set(rows(appointment=appointment).values_list("pk", flat=True))
    reschedule(appointment, appointment.start + datetime.timedelta(days=2))

    assert set(rows(pk__in=first).values_list("status", flat=True)) == {"cancelled"}
    reminders = rows(appointment=appointment, status="pending", kind="appointment_reminder")
    assert reminders.count() == 2
    assert {n.send_at for n in reminders} == {
        outside_quiet_hours(appointment.start - datetime.timedelta(hours=24))
    }


def test_cancelling_cancels_pending_messages_and_tells_the_patient_only_if_they_knew(sink):
    unannounced = book(start=timezone.now() + datetime.timedelta(days=5))
    cancel(unannounced)
    assert set(rows(appointment=unannounced).values_list("status", flat=True)) == {"cancelled"}

    announced = book(start=timezone.now() + datetime.timedelta(days=5))
    rows(appointment=announced, kind="appointment_confirmation").update(
        status="sent", sent_at=timezone.now()
    )
    cancel(announced)
    told = rows(appointment=announced, kind="appointment_cancelled")
    assert {n.channel for n in told} == {"email", "push"}
    assert set(
        rows(appointment=announced, kind="appointment_reminder").values_list("status", flat=True)
    ) == {"cancelled"}


@pytest.mark.parametrize(
    ("consent", "with_user", "channels"),
    [
        ({}, True, {"email", "push"}),  # defaults: e-mail and push
        ({"email": False, "sms": True, "push": False}, True, {"sms"}),
        ({"email": False, "sms": False, "push": False}, True, {"in_app"}),
        ({"email": False, "sms": False, "push": False}, False, set()),
    ],
)
def test_patients_get_messages_only_on_the_channels_they_chose(consent, with_user, channels):
    patient = PatientFactory(with_user=with_user)
    if consent:
        NotificationPreference.objects.create(patient=patient, **consent)
    appointment = AppointmentFactory(patient=patient, start=local(2027, 5, 6, 14))
    booking_messages.appointment_messages_schedule(
        appointment=appointment, now=local(2027, 5, 1, 12)
    )
    assert set(rows(appointment=appointment).values_list("channel", flat=True)) == channels


# --- check-in reminders -----------------------------------------------------------------


def program_started(day: datetime.date, every: int = 2, **fields):
    return ProgramFactory(
        started_at=at_clinic_time(day, datetime.time(11)), check_in_every_days=every, **fields
    )


@pytest.mark.parametrize(
    ("due", "expected_utc"),
    [
        (datetime.date(2027, 3, 28), utc(2027, 3, 28, 16)),
        (datetime.date(2027, 10, 31), utc(2027, 10, 31, 17)),
        (datetime.date(2027, 7, 14), utc(2027, 7, 14, 16)),
        (datetime.date(2027, 12, 14), utc(2027, 12, 14, 17)),
    ],
)
def test_a_check_in_reminder_goes_out_at_six_in_the_evening_clinic_time(due, expected_utc):
    program = program_started(due - datetime.timedelta(days=2))
    program_messages.check_in_reminders_plan(now=at_clinic_time(due, datetime.time(9)))
    reminder = rows(program=program, kind="check_in_reminder", send_at__date=due).first()
    assert reminder is not None
    assert reminder.send_at == expected_utc


def test_the_patients_preferred_time_is_used_and_quiet_hours_hold():
    day = datetime.date(2027, 10, 31)
    early = program_started(day - datetime.timedelta(days=2))
    NotificationPreference.objects.create(patient=early.patient, check_in_time=datetime.time(7))
    late = program_started(day - datetime.timedelta(days=2))
    NotificationPreference.objects.create(patient=late.patient, check_in_time=datetime.time(22))
    program_messages.check_in_reminders_plan(now=local(2027, 10, 31, 0, 30))

    assert rows(program=early, kind="check_in_reminder").first().send_at == local(2027, 10, 31, 8)
    assert rows(program=late, kind="check_in_reminder").first().send_at == local(2027, 11, 1, 8)


def test_a_reminder_every_few_days_a_nudge_the_day_after_and_planning_twice_adds_nothing():
    start = datetime.date(2027, 5, 1)
    program = program_started(start, every=3)
    for days in range(0, 7):
        for _ in range(2):  # two beats
            program_messages.check_in_reminders_plan(
                now=at_clinic_time(start + datetime.timedelta(days=days), datetime.time(9))
            )
    planned = sorted(
        (n.kind, n.send_at.astimezone(AMS).date().isoformat())
        for n in rows(program=program, channel="email")
    )
    assert planned == [
        ("check_in_nudge", "2027-05-05"),
        ("check_in_nudge", "2027-05-08"),
        ("check_in_reminder", "2027-05-04"),
        ("check_in_reminder", "2027-05-07"),
    ]


def test_a_check_in_cancels_the_pending_reminder(sink):
    program = program_started(timezone.localdate() - datetime.timedelta(days=2), every=2)
    program_messages.check_in_reminders_plan(now=timezone.now())
    assert rows(program=program, status="pending").exists()

    check_in_submit(
        patient=program.patient,
        pain_now=2,
        pain_activity=2,
        pain_character="dull",
        pain_course="decreasing",
    )

    assert not rows(program=program, status="pending").exists()
    assert set(rows(program=program).values_list("status", flat=True)) == {"cancelled"}


def test_a_reminder_is_skipped_at_send_time_when_a_check_in_came_in_meanwhile(sink):
    program = program_started(timezone.localdate() - datetime.timedelta(days=2), every=2)
    program_messages.check_in_reminders_plan(now=timezone.now())
    reminder = rows(program=program).first()
    # A check-in written without the event, as an import would: the send-time check holds.
    CheckInFactory(patient=program.patient, program=program)
    rows(program=program).update(send_at=timezone.now())
    services.notifications_deliver_due()
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"
    assert sink.lines() == []


def test_two_missed_check_ins_open_one_normal_escalation_for_the_clinician():
    start = datetime.date(2027, 5, 1)
    program = program_started(start, every=2)
    program.patient.primary_clinician = program.clinician
    program.patient.save()
    CheckInFactory(
        patient=program.patient,
        program=program,
        submitted_at=at_clinic_time(start, datetime.time(20)),
    )
    program_messages.check_in_reminders_plan(now=local(2027, 5, 4, 12))  # one missed (due 05-03)
    assert not program.patient.escalations.exists()

    for _ in range(2):
        program_messages.check_in_reminders_plan(now=local(2027, 5, 6, 12))  # due 05-03 and 05-05
    escalation = program.patient.escalations.get()
    assert (escalation.rule, escalation.severity, escalation.occurrences) == (
        "missed_check_ins",
        "normal",
        1,
    )
    notices = rows(escalation=escalation, kind="escalation_notice")
    assert {n.recipient_user_id for n in notices} == {program.clinician.user_id}


# --- escalations ------------------------------------------------------------------------


def test_an_escalation_notifies_the_clinician_at_once_by_email_and_in_the_app(clinician):
    patient = PatientFactory(primary_clinician=clinician)
    before = timezone.now()
    escalation = escalation_raise(patient=patient, rule="stop_signal", reason="Sharp pain.")
    notices = rows(escalation=escalation)
    assert [(n.kind, n.channel, n.address) for n in notices] == [
        ("escalation_notice", "email", clinician.user.email),
        ("escalation_notice", "in_app", f"user:{clinician.user_id}"),
    ]
    assert all(before <= n.send_at <= timezone.now() for n in notices)
    assert all(n.audience == "staff" for n in notices)


@pytest.mark.parametrize(("language", "expected"), [("nl", "nl"), ("en", "en"), ("", "en")])
def test_a_staff_notice_is_written_in_the_recipients_language(clinician, language, expected):
    """The recipient's own language, not the patient's nor whoever caused it; English when
    they chose none."""
    clinician.user.language = language
    clinician.user.save(update_fields=["language"])
    patient = PatientFactory(
        primary_clinician=clinician, language="nl" if expected == "en" else "en"
    )
    escalation = escalation_raise(patient=patient, rule="stop_signal", reason="Sharp pain.")
    notices = rows(escalation=escalation, kind="escalation_notice")
    assert {n.language for n in notices} == {expected}
    subject, _body = services.render(notices[0])
    assert subject.startswith("signalering" if expected == "nl" else "escalation"), subject


def test_an_urgent_escalation_not_acknowledged_in_two_hours_reaches_the_manager(
    clinician, manager, rotterdam
):
    UserFactory(role=Role.MANAGER, locations=[rotterdam], email="")
    patient = PatientFactory(primary_clinician=clinician, location=rotterdam)
    escalation = escalation_raise(patient=patient, rule="suspected_grade_3", reason="Snap.")
    waiting = rows(escalation=escalation, kind="escalation_unacknowledged")
    assert {n.send_at for n in waiting} == {escalation.created_at + datetime.timedelta(hours=2)}
    assert manager.pk in {n.recipient_user_id for n in waiting}
    assert waiting.count() == 3  # e-mail and app for one manager, app only for the other

    escalation_acknowledge(escalation=escalation, by=clinician.user)
    assert set(waiting.values_list("status", flat=True)) == {"cancelled"}


def test_a_normal_escalation_does_not_alarm_the_manager(clinician, manager):
    patient = PatientFactory(primary_clinician=clinician)
    escalation = escalation_raise(patient=patient, rule="recurrence", reason="Third time.")
    assert not rows(escalation=escalation, kind="escalation_unacknowledged").exists()


def test_the_morning_digest_lists_each_clinicians_open_escalations_once(clinician, sink):
    clinician.user.language = "nl"  # the digest is written in its reader's language
    clinician.user.save(update_fields=["language"])
    patient = PatientFactory(primary_clinician=clinician, first_name="Sanne")
    escalation_raise(patient=patient, rule="recurrence", reason="Third time.")
    escalation_raise(patient=patient, rule="suspected_grade_3", reason="Snap.")
    now = timezone.now()
    for _ in range(2):  # two beats
        program_messages.escalation_digests_schedule(now=now)
    digests = rows(kind="escalation_digest")
    assert {(n.recipient_user_id, n.channel) for n in digests} == {
        (clinician.user_id, "email"),
        (clinician.user_id, "in_app"),
    }
    services.notifications_deliver_due()
    email = digests.get(channel="email")
    assert email.status == "sent"
    assert email.subject == "Open signaleringen: 2"
    assert email.body.index("spoed") < email.body.index("normaal")  # most pressing first


def test_the_digest_runs_at_eight_clinic_time():
    entry = django_settings.CELERY_BEAT_SCHEDULE["notifications-escalation-digest"]
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}
    assert django_settings.CELERY_TIMEZONE == "Europe/Amsterdam"


# --- nightly trend sweep ----------------------------------------------------------------


def test_the_nightly_sweep_reviews_active_programs_in_batches_once_a_night():
    programs = [ProgramFactory() for _ in range(5)]
    ProgramFactory(status="completed")
    night = local(2027, 5, 3, 2, 30)
    batches = check_ins.trend_review_patient_batches(now=night, batch_size=2)
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(sum(batches, [])) == sorted(p.patient_id for p in programs)
    assert check_ins.trend_review_patient_batches(now=night) == []  # a second beat
    assert check_ins.trend_review_batch(patient_ids=batches[0]) == 2
