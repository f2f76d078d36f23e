"""The programs' messages: check-in reminders and nudges to patients, and to staff the
escalation notices, the unacknowledged-urgent notice and the morning digest.

Registered with the outbox in ``ProgramsConfig.ready()``; the receivers below schedule them
in the transaction of the change that causes them. Keys are derived from the cause
(program and date, escalation and recipient), so scheduling the same cause twice, from two
beats or a retried task, writes one row.
"""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.dispatch import receiver
from django.utils import timezone

from clinic import events
from clinic.models import User
from clinic.selectors import managers_of
from clinic.time import at_clinic_time, local_date
from clinical_rules.selectors import rule_settings_for
from escalations.models import Escalation, EscalationStatus
from escalations.services import ack_window
from notifications.kinds import MessageKinds, register
from notifications.models import Kind, Notification
from notifications.services import (
    notifications_cancel,
    notify_patient,
    notify_staff,
    preference_of,
)
from programs.check_in_due import due_on, nudge_on
from programs.models import OPEN_PROGRAM_STATUSES, CheckIn, Program, ProgramStatus
from programs.selectors import (
    active_programs_with_last_check_in,
    clinician_users_for,
    open_escalations_for,
)
from programs.services.check_ins import missed_check_ins_escalate

CHECK_IN_KINDS = (Kind.CHECK_IN_REMINDER, Kind.CHECK_IN_NUDGE)
# How many open escalations the morning digest lists at most.
DIGEST_LENGTH = 50

# --- check-in reminders -----------------------------------------------------------------


def check_in_reminders_plan(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """For every active program: a reminder on each day a check-in is due (every
    ``check_in_every_days`` after the last one, at the patient's preferred local time), a
    nudge the day after, and after two missed check-ins a ``missed_check_ins`` escalation.
    Plans today and tomorrow; run every half hour, safe to run twice at once."""
    now = now or timezone.now()
    written = 0
    last_pk = 0
    while True:
        programs = list(active_programs_with_last_check_in().filter(pk__gt=last_pk)[:batch_size])
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
    preference = preference_of(patient)
    wall = preference.check_in_time
    plan: list[tuple[str, datetime.date, datetime.date]] = []  # (kind, due day, send day)
    for day in (today, today + datetime.timedelta(days=1)):
        since = (day - last_day).days
        if due_on(days_since=since, every=every):
            plan.append((Kind.CHECK_IN_REMINDER, day, day))
        if nudge_on(days_since=since, every=every):
            plan.append((Kind.CHECK_IN_NUDGE, day - datetime.timedelta(days=1), day))
    written = 0
    for kind, due, send_day in plan:
        if preference.paused_on(send_day):
            continue  # the patient paused reminders until a later date
        send_at = at_clinic_time(send_day, wall)
        if send_at < now - datetime.timedelta(hours=1):
            continue  # planned too late for today's moment; the next one follows
        if preference.channel_turned_on_at and send_at < preference.channel_turned_on_at:
            continue  # a channel turned on later sends nothing for a moment already passed
        written += notify_patient(
            patient,
            kind=kind,
            key=f"{kind}:{program.pk}:{last_day.isoformat()}:{due.isoformat()}",
            send_at=max(send_at, now),
            program=program,
        )
    missed_check_ins_escalate(program=program, last_day=last_day, today=today)
    return written


def check_in_reminders_cancel(*, program) -> int:
    """A check-in came in (or the program stopped): pending reminders are not needed."""
    return notifications_cancel(program=program, kind__in=CHECK_IN_KINDS)


def _check_in_facts(rows: list[Notification]) -> dict:
    program_ids = {row.program_id for row in rows}
    return {
        "last_check_in": dict(
            CheckIn.objects.filter(program_id__in=program_ids)
            .values("program_id")
            .annotate(last=Max("submitted_at"))
            .values_list("program_id", "last")
        )
    }


def _check_in_obsolete(row: Notification, facts: dict) -> str:
    program = row.program
    if program is None or program.status != ProgramStatus.ACTIVE:
        return "The program is not active."
    last = facts["last_check_in"].get(program.pk)
    if last is not None and last >= row.created_at:
        return "A check-in came in."
    return ""


# --- escalations ------------------------------------------------------------------------


def _staff_messages(*, kind, users, escalation, send_at, key_prefix) -> int:
    return sum(
        notify_staff(
            user,
            kind=kind,
            key=f"{key_prefix}:{user.pk}",
            send_at=send_at,
            patient=escalation.patient,
            escalation=escalation,
        )
        for user in users
    )


def _clinicians_told(escalation: Escalation, *, key_prefix: str) -> int:
    """The notice to the patient's clinician(s) at once, and the managers' notice armed."""
    written = _staff_messages(
        kind=Kind.ESCALATION_NOTICE,
        users=clinician_users_for(escalation.patient),
        escalation=escalation,
        send_at=timezone.now(),
        key_prefix=key_prefix,
    )
    return written + escalation_unacknowledged_arm(escalation=escalation)


def escalation_notices_schedule(*, escalation: Escalation) -> int:
    """At once to the patient's clinician(s), by e-mail and in the app; an urgent one also
    arms the notice to the location's managers should nobody acknowledge it in time."""
    return _clinicians_told(escalation, key_prefix=f"escalation_notice:{escalation.pk}")


def escalation_reopened_notices_schedule(*, escalation: Escalation, occurrence) -> int:
    """An urgent or high repeat after acknowledgement: the clinician(s) are told again at
    once, and the managers' notice is armed again from now."""
    return _clinicians_told(
        escalation, key_prefix=f"escalation_notice:{escalation.pk}:occurrence-{occurrence.pk}"
    )


def escalation_unacknowledged_arm(*, escalation: Escalation) -> int:
    """The outbox row is the timer: due the location's ack window (urgent and high have
    their own) after the escalation began to need attention, cancelled when it is
    acknowledged or resolved first. A reopened escalation gets a timer of its own."""
    if escalation.status != EscalationStatus.OPEN:
        return 0
    window = ack_window(escalation.severity, rule_settings_for(escalation.patient.location_id))
    if window is None:
        return 0
    since = escalation.needs_attention_since
    return _staff_messages(
        kind=Kind.ESCALATION_UNACKNOWLEDGED,
        users=managers_of(escalation.patient.location_id),
        escalation=escalation,
        send_at=since + window,
        key_prefix=f"escalation_unacknowledged:{escalation.pk}:{since:%Y%m%dT%H%M%S.%f}",
    )


def escalation_unacknowledged_disarm(*, escalation: Escalation) -> int:
    return notifications_cancel(escalation=escalation, kind=Kind.ESCALATION_UNACKNOWLEDGED)


def escalation_digests_schedule(*, now: datetime.datetime | None = None) -> int:
    """08:00: one digest of open escalations per clinician who has any."""
    now = now or timezone.now()
    day = local_date(now).isoformat()
    return sum(
        notify_staff(
            user, kind=Kind.ESCALATION_DIGEST, key=f"escalation_digest:{user.pk}:{day}", send_at=now
        )
        for user in User.objects.filter(pk__in=_digest_user_ids(), is_active=True).order_by("pk")
    )


def _digest_user_ids() -> set[int]:
    """The clinicians of patients with an open escalation: of an open program, or primary."""
    patients = Escalation.objects.filter(status=EscalationStatus.OPEN).values("patient_id")
    return set(
        Program.objects.filter(
            patient_id__in=patients, status__in=OPEN_PROGRAM_STATUSES
        ).values_list("clinician__user_id", flat=True)
    ) | set(
        User.objects.filter(clinician__patients__in=patients.values("patient_id")).values_list(
            "pk", flat=True
        )
    )


def _unacknowledged_obsolete(row: Notification, facts: dict) -> str:
    if row.escalation.status != EscalationStatus.OPEN:
        return "The escalation was acknowledged."
    return ""


def _digest_facts(rows: list[Notification]) -> dict:
    users = {row.recipient_user for row in rows}
    return {
        "digests": {
            user.pk: list(open_escalations_for(user)[:DIGEST_LENGTH]) for user in users if user
        }
    }


def _digest_context(row: Notification, facts: dict) -> dict:
    return {"escalations": facts["digests"].get(row.recipient_user_id, [])}


def register_message_kinds() -> None:
    register(
        MessageKinds(
            kinds=CHECK_IN_KINDS,
            related=("program",),
            facts=_check_in_facts,
            obsolete=_check_in_obsolete,
        )
    )
    register(MessageKinds(kinds=(Kind.ESCALATION_NOTICE,), related=("escalation__patient",)))
    register(
        MessageKinds(
            kinds=(Kind.ESCALATION_UNACKNOWLEDGED,),
            related=("escalation__patient",),
            obsolete=_unacknowledged_obsolete,
        )
    )
    register(
        MessageKinds(kinds=(Kind.ESCALATION_DIGEST,), facts=_digest_facts, context=_digest_context)
    )


# --- the events that schedule or cancel them --------------------------------------------


@receiver(events.escalation_opened, dispatch_uid="programs.escalation_opened")
def on_escalation_opened(sender, *, escalation, **kwargs) -> None:
    escalation_notices_schedule(escalation=escalation)


@receiver(events.escalation_updated, dispatch_uid="programs.escalation_updated")
def on_escalation_updated(sender, *, escalation, **kwargs) -> None:
    # A repeat while it waits: the managers' timer stays armed (same key: one row).
    escalation_unacknowledged_arm(escalation=escalation)


@receiver(events.escalation_reopened, dispatch_uid="programs.escalation_reopened")
def on_escalation_reopened(sender, *, escalation, occurrence, **kwargs) -> None:
    escalation_reopened_notices_schedule(escalation=escalation, occurrence=occurrence)


@receiver(events.escalation_acknowledged, dispatch_uid="programs.escalation_acknowledged")
@receiver(events.escalation_resolved, dispatch_uid="programs.escalation_resolved")
def on_escalation_seen(sender, *, escalation, **kwargs) -> None:
    escalation_unacknowledged_disarm(escalation=escalation)


@receiver(events.check_in_submitted, dispatch_uid="programs.check_in_submitted")
def on_check_in_submitted(sender, *, check_in, **kwargs) -> None:
    if check_in.program_id:
        check_in_reminders_cancel(program=check_in.program)


@receiver(events.program_closed, dispatch_uid="programs.program_closed")
def on_program_closed(sender, *, program, **kwargs) -> None:
    check_in_reminders_cancel(program=program)
