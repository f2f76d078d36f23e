"""What is scheduled, and when: appointment messages, check-in reminders, escalation notices,
the morning digest and the nightly trend sweep.

Everything here writes outbox rows through ``services.notification_schedule``. Keys are
derived from the cause (appointment and its start, program and date, escalation and
recipient), so scheduling the same cause twice, from two beats or a retried task, writes
one row.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import Case, Max, Q, When
from django.utils import timezone

from clinic.models import Role, User
from notifications.models import APPOINTMENT_KINDS, Audience, Kind, Notification, Status
from notifications.services import (
    notification_schedule,
    notifications_cancel,
    patient_routes,
    preference_of,
    schedule_mark_claim,
    staff_routes,
)
from notifications.timing import at_clinic_time, local_date, outside_quiet_hours

logger = logging.getLogger("clinic.notifications")

# --- appointments -----------------------------------------------------------------------


def _to_patient(patient, *, kind, key, send_at, **about) -> int:
    """One outbox row per channel the patient consented to; ``key`` + channel is the
    idempotency key. Returns how many rows are new."""
    return sum(
        bool(
            notification_schedule(
                kind=kind,
                channel=route.channel,
                audience=Audience.PATIENT,
                idempotency_key=f"{key}:{route.channel}",
                send_at=send_at,
                language=patient.language,
                patient=patient,
                recipient_user=route.recipient_user,
                address=route.address,
                **about,
            )
        )
        for route in patient_routes(patient)
    )


def _to_staff(user, *, kind, key, send_at, **about) -> int:
    """One outbox row per channel of a staff member (email, in-app)."""
    return sum(
        bool(
            notification_schedule(
                kind=kind,
                channel=route.channel,
                audience=Audience.STAFF,
                idempotency_key=f"{key}:{route.channel}",
                send_at=send_at,
                language=user.chosen_language or settings.LANGUAGE_CODE,
                recipient_user=user,
                address=route.address,
                **about,
            )
        )
        for route in staff_routes(user)
    )


def _grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATION_GRACE_SECONDS)


def appointment_messages_schedule(*, appointment, now: datetime.datetime | None = None) -> int:
    """On booking (and after a move): a confirmation after the grace delay and a reminder
    ``NOTIFICATION_APPOINTMENT_REMINDER_HOURS`` before the start. Inside the reminder
    window the reminder is the only message. Messages for an earlier start are cancelled."""
    now = now or timezone.now()
    start_key = appointment.start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
    stale = Notification.objects.filter(
        appointment=appointment, kind__in=[Kind.APPOINTMENT_CONFIRMATION, Kind.APPOINTMENT_REMINDER]
    ).exclude(idempotency_key__contains=f":{start_key}:")
    notifications_cancel(pk__in=stale.values("pk"))
    released = now + _grace()
    remind_at = appointment.start - datetime.timedelta(
        hours=settings.NOTIFICATION_APPOINTMENT_REMINDER_HOURS
    )
    plan = []
    if outside_quiet_hours(remind_at) > released:
        plan = [(Kind.APPOINTMENT_CONFIRMATION, released), (Kind.APPOINTMENT_REMINDER, remind_at)]
    else:
        plan = [(Kind.APPOINTMENT_REMINDER, released)]
    patient = appointment.patient
    written = 0
    for kind, send_at in plan:
        if outside_quiet_hours(send_at) >= appointment.start:
            continue  # the quiet hours would hold it until after the appointment
        written += _to_patient(
            patient,
            kind=kind,
            key=f"{kind}:{appointment.pk}:{start_key}",
            send_at=send_at,
            appointment=appointment,
        )
    return written


def appointment_messages_cancel(*, appointment, now: datetime.datetime | None = None) -> int:
    """The appointment is off: its pending messages are cancelled. If the patient had
    already been told about it, they are told it is cancelled."""
    now = now or timezone.now()
    announced = Notification.objects.filter(
        appointment=appointment,
        kind__in=[Kind.APPOINTMENT_CONFIRMATION, Kind.APPOINTMENT_REMINDER],
        status__in=[Status.SENT, Status.SENDING],
    ).exists()
    cancelled = notifications_cancel(
        appointment=appointment,
        kind__in=[Kind.APPOINTMENT_CONFIRMATION, Kind.APPOINTMENT_REMINDER],
    )
    if announced and appointment.start > now:
        _to_patient(
            appointment.patient,
            kind=Kind.APPOINTMENT_CANCELLED,
            key=f"appointment_cancelled:{appointment.pk}",
            send_at=now,
            appointment=appointment,
        )
    return cancelled


def appointment_reminders_cancel(*, appointment) -> int:
    """Completed or no-show: nothing left to remind of."""
    return notifications_cancel(appointment=appointment, kind__in=APPOINTMENT_KINDS)


# --- check-in reminders -----------------------------------------------------------------


def _active_programs():
    from programs.models import Program, ProgramStatus

    return (
        Program.objects.filter(status=ProgramStatus.ACTIVE)
        .select_related("patient__user", "patient__notification_preference")
        .annotate(last_check_in=Max("check_ins__submitted_at"))
        .order_by("pk")
    )


def check_in_reminders_plan(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """For every active program: a reminder on each day a check-in is due (every
    ``check_in_every_days`` after the last one, at the patient's preferred local time), a
    nudge the day after, and after two missed check-ins a ``missed_check_ins`` escalation.
    Plans today and tomorrow; run every half hour, safe to run twice at once."""
    now = now or timezone.now()
    written = 0
    last_pk = 0
    while True:
        programs = list(_active_programs().filter(pk__gt=last_pk)[:batch_size])
        if not programs:
            return written
        for program in programs:
            written += check_in_reminders_plan_for(program=program, now=now)
        last_pk = programs[-1].pk


def check_in_reminders_plan_for(*, program, now: datetime.datetime) -> int:
    patient = program.patient
    last = getattr(program, "last_check_in", None)
    if last is None:
        last = program.check_ins.aggregate(last=Max("submitted_at"))["last"]
    last_day = local_date(last or program.started_at)
    every = program.check_in_every_days
    today = local_date(now)
    wall = preference_of(patient).check_in_time
    plan: list[tuple[str, datetime.date, datetime.date]] = []  # (kind, due day, send day)
    for day in (today, today + datetime.timedelta(days=1)):
        since = (day - last_day).days
        if since > 0 and since % every == 0:
            plan.append((Kind.CHECK_IN_REMINDER, day, day))
        if every > 1 and since > 1 and (since - 1) % every == 0:
            plan.append((Kind.CHECK_IN_NUDGE, day - datetime.timedelta(days=1), day))
    written = 0
    for kind, due, send_day in plan:
        send_at = at_clinic_time(send_day, wall)
        if send_at < now - datetime.timedelta(hours=1):
            continue  # planned too late for today's moment; the next one follows
        written += _to_patient(
            patient,
            kind=kind,
            key=f"{kind}:{program.pk}:{last_day.isoformat()}:{due.isoformat()}",
            send_at=max(send_at, now),
            program=program,
        )
    missed = max(0, ((today - last_day).days - 1) // every)
    if missed >= 2 and schedule_mark_claim(key=f"missed_check_ins:{program.pk}:{last_day}"):
        from escalations.services import escalation_raise

        escalation_raise(
            patient=patient,
            rule="missed_check_ins",
            reason=(
                f"No check-in since {last_day.isoformat()}: {missed} check-ins missed "
                f"(due every {every} days)."
            ),
        )
    return written


def check_in_reminders_cancel(*, program) -> int:
    """A check-in came in (or the program stopped): pending reminders are not needed."""
    return notifications_cancel(
        program=program, kind__in=[Kind.CHECK_IN_REMINDER, Kind.CHECK_IN_NUDGE]
    )


# --- escalations ------------------------------------------------------------------------


def clinician_users_for(patient) -> list[User]:
    """Who looks after the patient: the clinician of the open program and the primary
    clinician; when there is neither, the managers of the patient's location."""
    from programs.models import OPEN_PROGRAM_STATUSES, Program

    ids = set(
        Program.objects.filter(patient=patient, status__in=OPEN_PROGRAM_STATUSES).values_list(
            "clinician__user_id", flat=True
        )
    )
    if patient.primary_clinician_id:
        ids.add(patient.primary_clinician.user_id)
    users = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    return users or managers_of(patient.location_id)


def managers_of(location_id: int) -> list[User]:
    return list(
        User.objects.filter(role=Role.MANAGER, locations=location_id, is_active=True).order_by("pk")
    )


def _staff_messages(*, kind, users, escalation, send_at, key_prefix) -> int:
    return sum(
        _to_staff(
            user,
            kind=kind,
            key=f"{key_prefix}:{user.pk}",
            send_at=send_at,
            patient=escalation.patient,
            escalation=escalation,
        )
        for user in users
    )


def escalation_notices_schedule(*, escalation) -> int:
    """At once to the patient's clinician(s), by e-mail and in the app; an urgent one also
    arms the notice to the location's managers should nobody acknowledge it in time."""
    written = _staff_messages(
        kind=Kind.ESCALATION_NOTICE,
        users=clinician_users_for(escalation.patient),
        escalation=escalation,
        send_at=timezone.now(),
        key_prefix=f"escalation_notice:{escalation.pk}",
    )
    return written + escalation_unacknowledged_arm(escalation=escalation)


def escalation_unacknowledged_arm(*, escalation) -> int:
    """The outbox row is the timer: due ``NOTIFICATION_ESCALATION_ACK_HOURS`` after the
    escalation opened, cancelled when it is acknowledged or resolved first."""
    from escalations.models import EscalationStatus, Severity

    if escalation.severity != Severity.URGENT or escalation.status != EscalationStatus.OPEN:
        return 0
    return _staff_messages(
        kind=Kind.ESCALATION_UNACKNOWLEDGED,
        users=managers_of(escalation.patient.location_id),
        escalation=escalation,
        send_at=escalation.created_at
        + datetime.timedelta(hours=settings.NOTIFICATION_ESCALATION_ACK_HOURS),
        key_prefix=f"escalation_unacknowledged:{escalation.pk}",
    )


def escalation_unacknowledged_disarm(*, escalation) -> int:
    return notifications_cancel(escalation=escalation, kind=Kind.ESCALATION_UNACKNOWLEDGED)


def _open_escalations_for(user: User):
    from escalations.models import Escalation, EscalationStatus
    from programs.models import OPEN_PROGRAM_STATUSES

    return (
        Escalation.objects.filter(status=EscalationStatus.OPEN)
        .filter(
            Q(patient__primary_clinician__user=user)
            | Q(
                patient__programs__clinician__user=user,
                patient__programs__status__in=OPEN_PROGRAM_STATUSES,
            )
        )
        .select_related("patient")
        .distinct()
        .annotate(
            rank=Case(When(severity="urgent", then=0), When(severity="high", then=1), default=2)
        )
        .order_by("rank", "created_at", "pk")
    )


def escalation_digests_schedule(*, now: datetime.datetime | None = None) -> int:
    """08:00: one digest of open escalations per clinician who has any."""
    from escalations.models import Escalation, EscalationStatus
    from programs.models import OPEN_PROGRAM_STATUSES, Program

    now = now or timezone.now()
    day = local_date(now).isoformat()
    patients = Escalation.objects.filter(status=EscalationStatus.OPEN).values("patient_id")
    user_ids = set(
        Program.objects.filter(
            patient_id__in=patients, status__in=OPEN_PROGRAM_STATUSES
        ).values_list("clinician__user_id", flat=True)
    ) | set(
        User.objects.filter(clinician__patients__in=patients.values("patient_id")).values_list(
            "pk", flat=True
        )
    )
    return sum(
        _to_staff(
            user, kind=Kind.ESCALATION_DIGEST, key=f"escalation_digest:{user.pk}:{day}", send_at=now
        )
        for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
    )


# --- nightly trend sweep ----------------------------------------------------------------


def trend_review_patient_batches(
    *, now: datetime.datetime | None = None, batch_size: int = 200
) -> list[list[int]]:
    """Tonight's patients with an active program, in batches; empty when tonight's sweep
    has already been claimed (a second beat, a retried task)."""
    from programs.models import Program, ProgramStatus

    now = now or timezone.now()
    if not schedule_mark_claim(key=f"trend_review:{local_date(now).isoformat()}"):
        return []
    ids = list(
        Program.objects.filter(status=ProgramStatus.ACTIVE)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
        .distinct()
    )
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def trend_review_batch(*, patient_ids: list[int]) -> int:
    """Run the trend rules for these patients, each on their own, so one failure does not
    stop the others. Returns how many were reviewed."""
    from clinic.models import Patient
    from programs.services.check_ins import patient_trend_review

    reviewed = 0
    for patient in Patient.objects.filter(pk__in=patient_ids).order_by("pk"):
        try:
            patient_trend_review(patient=patient)
        except Exception:
            logger.exception("Trend review failed for patient %s", patient.pk)
            continue
        reviewed += 1
    return reviewed


# --- at send time -----------------------------------------------------------------------


def batch_facts(rows: list[Notification]) -> dict:
    """What the send-time checks and templates of a batch need, in a fixed number of
    queries whatever the batch size."""
    from programs.models import CheckIn

    program_ids = {
        r.program_id for r in rows if r.kind in (Kind.CHECK_IN_REMINDER, Kind.CHECK_IN_NUDGE)
    }
    last_check_in = dict(
        CheckIn.objects.filter(program_id__in=program_ids)
        .values("program_id")
        .annotate(last=Max("submitted_at"))
        .values_list("program_id", "last")
    )
    digest_users = {r.recipient_user for r in rows if r.kind == Kind.ESCALATION_DIGEST}
    digests = {user.pk: list(_open_escalations_for(user)[:50]) for user in digest_users if user}
    return {"last_check_in": last_check_in, "digests": digests}


def obsolete_reason(row: Notification, facts: dict) -> str:
    """Why a due message must not go out any more because its cause changed, or ''."""
    now = timezone.now()
    if row.kind in (Kind.APPOINTMENT_CONFIRMATION, Kind.APPOINTMENT_REMINDER):
        appointment = row.appointment
        if appointment is None or appointment.status != "booked":
            return "The appointment is no longer booked."
        if appointment.start <= now:
            return "The appointment has already started."
    elif row.kind in (Kind.CHECK_IN_REMINDER, Kind.CHECK_IN_NUDGE):
        program = row.program
        if program is None or program.status != "active":
            return "The program is not active."
        last = facts["last_check_in"].get(program.pk)
        if last is not None and last >= row.created_at:
            return "A check-in came in."
    elif row.kind == Kind.ESCALATION_UNACKNOWLEDGED and row.escalation.status != "open":
        return "The escalation was acknowledged."
    return ""


def render_context(row: Notification, facts: dict) -> dict:
    context: dict = {}
    if row.appointment_id:
        context["appointment"] = row.appointment
    if row.escalation_id:
        context["escalation"] = row.escalation
    if row.program_id:
        context["program"] = row.program
    if row.recipient_user_id:
        context["recipient"] = row.recipient_user
    if row.kind == Kind.ESCALATION_DIGEST:
        context["escalations"] = facts["digests"].get(row.recipient_user_id, [])
    return context
