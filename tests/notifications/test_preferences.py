"""Notification preferences through the API: /me/preferences/ for the patient,
/patients/{id}/preferences/ for staff (the front desk records consent given at the desk)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessLogEntry
from clinic.roles import role_group_assign
from clinic.time import CLINIC_TZ, at_clinic_time, local_date
from notifications.models import (
    Audience,
    ConsentChange,
    Kind,
    Notification,
    NotificationPreference,
    Status,
)
from notifications.preferences import notification_preferences_update
from notifications.services import patient_routes
from programs import notifications as program_messages
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def pending(patient, **fields) -> Notification:
    """A message to ``patient`` not yet sent."""
    fields.setdefault("kind", Kind.APPOINTMENT_REMINDER)
    fields.setdefault("channel", "email")
    fields.setdefault("send_at", timezone.now() + datetime.timedelta(days=1))
    return Notification.objects.create(
        audience=Audience.PATIENT,
        patient=patient,
        idempotency_key=f"test:{Notification.objects.count()}:{fields['channel']}",
        **fields,
    )


def test_a_patient_reads_the_defaults(api, patient):
    body = api(patient.user).get("/api/v1/me/preferences/").json()
    assert body["channels"] == {"email": True, "sms": False, "push": True, "in_app": True}
    assert body["check_in_time"] == "18:00"
    assert body["language"] == "nl"
    assert body["paused_until"] is None


def test_turning_a_channel_off_cancels_its_pending_messages(api, patient):
    email, push = pending(patient, channel="email"), pending(patient, channel="push")
    response = api(patient.user).patch(
        "/api/v1/me/preferences/", {"channels": {"email": False}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["channels"]["email"] is False
    email.refresh_from_db()
    push.refresh_from_db()
    assert (email.status, push.status) == (Status.CANCELLED, Status.PENDING)
    change = ConsentChange.objects.get(patient=patient)
    assert (change.channel, change.granted, change.source) == ("email", False, "app")
    assert change.recorded_by == patient.user


def test_consent_withdrawn_in_the_admin_is_recorded_and_cancels_pending_messages(
    client, front_desk, patient
):
    """The admin is another way in: the same service, the same record, the same cancel."""
    front_desk.is_staff = True
    front_desk.save(update_fields=["is_staff"])
    role_group_assign(user=front_desk)
    client.force_login(front_desk)
    preference = NotificationPreference.objects.create(patient=patient)
    email = pending(patient, channel="email")

    response = client.post(
        reverse("admin:notifications_notificationpreference_change", args=[preference.pk]),
        {"email": "", "sms": "", "push": "on", "in_app": "on"},  # e-mail unticked
    )

    assert response.status_code == 302, response.content[:800]
    preference.refresh_from_db()
    email.refresh_from_db()
    assert (preference.email, email.status) == (False, Status.CANCELLED)
    change = ConsentChange.objects.get(patient=patient)
    assert (change.channel, change.granted, change.source) == ("email", False, "desk")
    assert change.recorded_by == front_desk


def test_turning_a_channel_on_sends_nothing_for_a_moment_that_passed(api, patient):
    # A reminder was due this morning while SMS was off; turning SMS on does not send it.
    ProgramFactory(patient=patient, started_at=timezone.now() - datetime.timedelta(days=6))
    before = set(Notification.objects.values_list("id", flat=True))
    response = api(patient.user).patch(
        "/api/v1/me/preferences/", {"channels": {"sms": True}}, format="json"
    )
    assert response.status_code == 200
    new = Notification.objects.exclude(id__in=before)
    assert not new.filter(send_at__lt=timezone.now()).exists()
    assert not new.exists()
    assert NotificationPreference.objects.get(patient=patient).sms is True


def test_a_new_check_in_time_moves_pending_reminders(patient):
    tomorrow = local_date(timezone.now()) + datetime.timedelta(days=1)
    reminder = pending(
        patient,
        kind=Kind.CHECK_IN_REMINDER,
        send_at=at_clinic_time(tomorrow, datetime.time(18)),
    )
    notification_preferences_update(
        patient=patient,
        changed_by=patient.user,
        source="app",
        check_in_time=datetime.time(19, 30),
    )
    reminder.refresh_from_db()
    assert reminder.send_at.astimezone(CLINIC_TZ).time() == datetime.time(19, 30)
    assert reminder.status == Status.PENDING


def test_a_reminder_moved_into_the_past_is_cancelled(patient):
    now = datetime.datetime(2027, 5, 3, 17, 0, tzinfo=CLINIC_TZ)
    reminder = pending(
        patient,
        kind=Kind.CHECK_IN_REMINDER,
        send_at=datetime.datetime(2027, 5, 3, 18, tzinfo=CLINIC_TZ),
    )
    notification_preferences_update(
        patient=patient,
        changed_by=patient.user,
        source="app",
        check_in_time=datetime.time(9),
        now=now,
    )
    reminder.refresh_from_db()
    assert reminder.status == Status.CANCELLED


def test_a_pause_stops_check_in_reminders_until_its_date(api, patient):
    start = datetime.date(2027, 5, 1)
    program = ProgramFactory(
        patient=patient, started_at=at_clinic_time(start, datetime.time(11)), check_in_every_days=2
    )
    during = pending(
        patient,
        kind=Kind.CHECK_IN_REMINDER,
        send_at=at_clinic_time(start + datetime.timedelta(days=2), datetime.time(18)),
    )
    appointment = pending(patient, kind=Kind.APPOINTMENT_REMINDER, send_at=during.send_at)
    notification_preferences_update(
        patient=patient,
        changed_by=patient.user,
        source="app",
        paused_until=datetime.date(2027, 5, 10),
        now=at_clinic_time(start, datetime.time(12)),
    )
    during.refresh_from_db()
    appointment.refresh_from_db()
    assert (during.status, appointment.status) == (Status.CANCELLED, Status.PENDING)

    # While paused the planner plans nothing; from the pause's date on it plans again.
    program.refresh_from_db()
    for day in (3, 5, 7, 8):
        now = at_clinic_time(datetime.date(2027, 5, day), datetime.time(9))
        assert program_messages.check_in_reminders_plan_for(program=program, now=now) == 0
    now = at_clinic_time(datetime.date(2027, 5, 9), datetime.time(9))
    assert program_messages.check_in_reminders_plan_for(program=program, now=now) > 0
    planned = Notification.objects.filter(program=program, status=Status.PENDING)
    assert {local_date(n.send_at) for n in planned} == {datetime.date(2027, 5, 10)}


def test_a_new_language_is_the_language_of_messages_not_yet_sent(api, patient):
    message = pending(patient)
    response = api(patient.user).patch("/api/v1/me/preferences/", {"language": "en"}, format="json")
    assert response.json()["language"] == "en"
    patient.refresh_from_db()
    message.refresh_from_db()
    assert patient.language == message.language == "en"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"check_in_time": "25:00"}, "check_in_time"),
        ({"check_in_time": "6 pm"}, "check_in_time"),
        ({"channels": {"fax": True}}, "channels"),
        ({"channels": {"email": "maybe"}}, "channels"),
        ({"channels": ["email"]}, "channels"),
        ({"language": "de"}, "language"),
        ({"paused_until": "2001-01-01"}, "paused_until"),
        ({"paused_until": "soon"}, "paused_until"),
    ],
)
def test_invalid_preferences_are_problem_details(api, patient, body, field):
    response = api(patient.user).patch("/api/v1/me/preferences/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    # Nested fields are named with a dot: "channels.email".
    assert field in {key.split(".")[0] for key in response.json()["errors"]}


def test_ending_a_pause(api, patient):
    client = api(patient.user)
    until = (local_date(timezone.now()) + datetime.timedelta(days=14)).isoformat()
    assert (
        client.patch("/api/v1/me/preferences/", {"paused_until": until}, format="json").json()[
            "paused_until"
        ]
        == until
    )
    body = client.patch("/api/v1/me/preferences/", {"paused_until": None}, format="json").json()
    assert body["paused_until"] is None


def test_staff_read_a_patients_preferences_and_it_is_logged(api, patient, clinician, front_desk):
    for user in (clinician.user, front_desk):
        response = api(user).get(f"/api/v1/patients/{patient.id}/preferences/")
        assert response.status_code == 200
        assert response.json()["check_in_time"] == "18:00"
    readers = AccessLogEntry.objects.filter(
        patient=patient, resource="notification_preference", action="read"
    ).values_list("actor_id", flat=True)
    assert set(readers) == {clinician.user_id, front_desk.id}


def test_the_front_desk_records_a_consent_given_at_the_desk(api, patient, front_desk):
    response = api(front_desk).patch(
        f"/api/v1/patients/{patient.id}/preferences/", {"channels": {"sms": True}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["channels"]["sms"] is True
    change = ConsentChange.objects.get(patient=patient)
    assert (change.channel, change.granted, change.source, change.recorded_by) == (
        "sms",
        True,
        "desk",
        front_desk,
    )
    assert AccessLogEntry.objects.filter(
        patient=patient, actor=front_desk, action="update", resource="notification_preference"
    ).exists()


def test_at_the_desk_only_consent_is_recorded(api, patient, front_desk):
    response = api(front_desk).patch(
        f"/api/v1/patients/{patient.id}/preferences/", {"check_in_time": "07:00"}, format="json"
    )
    assert response.status_code == 400
    assert "check_in_time" in response.json()["errors"]


def test_clinicians_read_but_do_not_record_consent(api, patient, clinician):
    response = api(clinician.user).patch(
        f"/api/v1/patients/{patient.id}/preferences/", {"channels": {"sms": True}}, format="json"
    )
    assert response.status_code == 403


def test_staff_elsewhere_get_404(api, patient, front_desk_zoetermeer):
    client = api(front_desk_zoetermeer)
    assert client.get(f"/api/v1/patients/{patient.id}/preferences/").status_code == 404
    response = client.patch(
        f"/api/v1/patients/{patient.id}/preferences/", {"channels": {"sms": True}}, format="json"
    )
    assert response.status_code == 404


def test_staff_have_no_preferences_of_their_own(api, front_desk):
    assert api(front_desk).get("/api/v1/me/preferences/").status_code == 403


def test_no_in_app_consent_means_no_in_app_fallback(patient):
    notification_preferences_update(
        patient=patient,
        changed_by=patient.user,
        source="app",
        channels={"email": False, "push": False, "in_app": False},
    )
    assert patient_routes(patient) == []


def test_refusals_are_in_the_patients_language(api, patient):
    response = api(patient.user).patch(
        "/api/v1/me/preferences/", {"paused_until": "2001-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Language"] == "nl"
    assert "pauze" in response.json()["errors"]["paused_until"][0]


def test_a_channel_turned_on_gets_no_reminder_for_a_moment_already_passed(patient):
    start = datetime.date(2027, 5, 3)
    program = ProgramFactory(
        patient=patient, started_at=at_clinic_time(start, datetime.time(11)), check_in_every_days=2
    )
    due = start + datetime.timedelta(days=2)  # reminder at 18:00 that day
    notification_preferences_update(
        patient=patient,
        changed_by=patient.user,
        source="app",
        channels={"sms": True},
        now=at_clinic_time(due, datetime.time(18, 20)),
    )
    # The planner's next run, within the hour it may still catch up on: not for SMS.
    program_messages.check_in_reminders_plan_for(
        program=program, now=at_clinic_time(due, datetime.time(18, 30))
    )
    sms = Notification.objects.filter(program=program, channel="sms")
    assert not sms.filter(send_at__lt=at_clinic_time(due, datetime.time(18, 20))).exists()
    assert not sms.filter(kind=Kind.CHECK_IN_REMINDER, send_at__date=due).exists()

    # The next moment goes out on SMS as well.
    later = due + datetime.timedelta(days=2)
    program_messages.check_in_reminders_plan_for(
        program=program, now=at_clinic_time(later, datetime.time(9))
    )
    assert sms.filter(send_at=at_clinic_time(later, datetime.time(18))).exists()
