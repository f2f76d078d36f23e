"""The outbox: schedule messages in the caller's transaction; deliver due ones exactly once.

Delivery in three short steps, so a worker killed at any moment loses nothing:

1. claim: in one transaction, lock due ``pending`` rows with ``FOR UPDATE SKIP LOCKED``
   (workers never wait for or take each other's rows) and mark them ``sending`` with a
   claim token and time;
2. render and send each claimed row through its channel backend;
3. mark them ``sent`` (or back to ``pending`` with a later ``send_at``, or ``failed``).

A row left in ``sending`` by a dead worker is in doubt once its lease has run out (the
lease is longer than a task may run). The sweep then asks the channel which of those it
already has (the idempotency key travels with every message) and sends only the others.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinic.time import CLINIC_TZ
from notifications import kinds, tasks
from notifications.channels import ChannelBackend, OutgoingMessage, backend_for
from notifications.models import (
    Audience,
    Channel,
    Notification,
    NotificationPreference,
    ScheduleMark,
    Status,
)
from notifications.timing import outside_quiet_hours

logger = logging.getLogger("clinic.notifications")


# --- scheduling -------------------------------------------------------------------------


def notification_schedule(
    *,
    kind: str,
    channel: str,
    audience: str,
    idempotency_key: str,
    send_at: datetime.datetime,
    language: str = "nl",
    patient=None,
    recipient_user=None,
    address: str = "",
    appointment=None,
    escalation=None,
    program=None,
) -> Notification | None:
    """Write one outbox row, in the caller's transaction. Returns None when a row with this
    idempotency key exists already (the cause was scheduled before)."""
    if audience == Audience.PATIENT and kinds.registration_of(kind).quiet_hours:
        send_at = outside_quiet_hours(send_at)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                channel=channel,
                audience=audience,
                idempotency_key=idempotency_key,
                send_at=send_at,
                language=language,
                patient=patient,
                recipient_user=recipient_user,
                address=address,
                appointment=appointment,
                escalation=escalation,
                program=program,
            )
    except IntegrityError:
        if not Notification.objects.filter(idempotency_key=idempotency_key).exists():
            raise
        return None
    if send_at <= timezone.now():
        enqueue_delivery_on_commit()
    return notification


def notifications_cancel(**filters) -> int:
    """Cancel messages that have not gone out yet (``filters`` select them)."""
    return Notification.objects.filter(status=Status.PENDING, **filters).update(
        status=Status.CANCELLED
    )


def preference_of(patient) -> NotificationPreference:
    """The patient's stored preferences, or the defaults (not saved)."""
    try:
        return patient.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(patient=patient)


@dataclass(frozen=True)
class Route:
    channel: str
    address: str
    recipient_user: object | None


def patient_routes(patient) -> list[Route]:
    """The channels a patient consented to and can be reached on; the in-app inbox (if
    consented) when none is left but the patient has the app."""
    preference = preference_of(patient)
    # Push and the inbox need an app account that is open (closing access stops them).
    has_app = patient.user_id is not None and patient.user.is_active
    routes = []
    if preference.email and patient.email:
        routes.append(Route(Channel.EMAIL, patient.email, patient.user))
    if preference.sms and patient.phone:
        routes.append(Route(Channel.SMS, str(patient.phone), patient.user))
    if preference.push and has_app:
        routes.append(Route(Channel.PUSH, f"user:{patient.user_id}", patient.user))
    if not routes and has_app and preference.in_app:
        routes.append(Route(Channel.IN_APP, f"user:{patient.user_id}", patient.user))
    return routes


def staff_routes(user) -> list[Route]:
    """Staff get e-mail (when they have an address) and the in-app inbox."""
    routes = [Route(Channel.IN_APP, f"user:{user.pk}", user)]
    if user.email:
        routes.insert(0, Route(Channel.EMAIL, user.email, user))
    return routes


def notify_patient(patient, *, kind, key, send_at, **about) -> int:
    """One outbox row per channel the patient consented to; ``key`` + channel is the
    idempotency key. Returns how many rows are new."""
    return _schedule_on(
        patient_routes(patient),
        audience=Audience.PATIENT,
        language=patient.language,
        kind=kind,
        key=key,
        send_at=send_at,
        patient=patient,
        **about,
    )


def notify_staff(user, *, kind, key, send_at, **about) -> int:
    """One outbox row per channel of a staff member (email, in-app)."""
    return _schedule_on(
        staff_routes(user),
        audience=Audience.STAFF,
        language=user.chosen_language or settings.LANGUAGE_CODE,
        kind=kind,
        key=key,
        send_at=send_at,
        **about,
    )


def _schedule_on(routes: list[Route], *, key: str, **fields) -> int:
    return sum(
        bool(
            notification_schedule(
                channel=route.channel,
                idempotency_key=f"{key}:{route.channel}",
                recipient_user=route.recipient_user,
                address=route.address,
                **fields,
            )
        )
        for route in routes
    )


# --- delivery ---------------------------------------------------------------------------


def enqueue_delivery_on_commit() -> None:
    """Ask a worker to deliver now, once the current transaction has committed. If the
    broker is down the message is simply not sent yet: the beat sweep finds the row."""
    transaction.on_commit(enqueue_delivery)


def enqueue_delivery(count: int = 1) -> None:
    for _ in range(count):
        try:
            # Expires: while no worker runs, the sweep's requests must not pile up.
            tasks.deliver_due.apply_async(retry=False, expires=max(60, 4 * _sweep_seconds()))
        except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep catches up
            logger.warning("Could not enqueue notification delivery (%s); the sweep will.", exc)
            return


def _sweep_seconds() -> float:
    return settings.NOTIFICATION_SWEEP_SECONDS


def _due(now: datetime.datetime):
    return Notification.objects.filter(status=Status.PENDING, send_at__lte=now)


def notifications_claim(*, limit: int, now: datetime.datetime | None = None) -> str | None:
    """Claim up to ``limit`` due rows for this worker; returns the claim token or None."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            _due(now)
            .order_by("send_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return None
        claimed = Notification.objects.filter(id__in=ids, status=Status.PENDING).update(
            status=Status.SENDING,
            claim_token=token,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    return token if claimed else None


def notifications_deliver_due(*, time_budget: float | None = None) -> int:
    """Deliver due messages batch by batch until none is due or the budget is spent; then
    hand what is left to a fresh task. The budget bounds how long a worker that is asked
    to stop (SIGTERM) takes to finish. Returns how many were sent."""
    if time_budget is None:
        time_budget = settings.NOTIFICATION_DELIVERY_SECONDS
    started = timezone.now()
    sent = 0
    while True:
        if (timezone.now() - started).total_seconds() >= time_budget:
            enqueue_delivery()
            break
        token = notifications_claim(limit=settings.NOTIFICATION_BATCH_SIZE)
        if token is None:
            break
        sent += _deliver_claimed(token)
    return sent


APP_CHANNELS = (Channel.PUSH, Channel.IN_APP)


def _recipient_gone(row: Notification) -> str:
    """Why no message of any kind may go out on this row any more, or "": a staff account
    that was closed, or a patient's app account closed since it was planned (their e-mail
    and SMS still go)."""
    user = row.recipient_user
    if user is None or user.is_active:
        return ""
    if row.audience == Audience.STAFF:
        return "The recipient's account is closed."
    if row.channel in APP_CHANNELS:
        return "The patient's app account is closed."
    return ""


def _deliver_claimed(token: str) -> int:
    rows = list(
        Notification.objects.filter(claim_token=token, status=Status.SENDING)
        .select_related("patient", "recipient_user", *kinds.related_paths())
        .order_by("id")
    )
    now = timezone.now()
    backends: dict[str, ChannelBackend] = {}
    restored_at = _restored_at()
    settled: list[Notification] = []
    if restored_at is not None:
        rows, settled = _settle_restored(rows, restored_at=restored_at, backends=backends)
    facts = kinds.batch_facts(rows)
    done, retry, failed, cancelled = [], [], [], []
    for row in rows:
        try:
            registration = kinds.registration_of(row.kind)
            reason = _recipient_gone(row) or registration.obsolete(row, facts[registration])
            if reason:
                row.status, row.last_error = Status.CANCELLED, reason
                cancelled.append(row)
                continue
            subject, body = render(row, facts[registration], with_secret=True)
            # What the outbox keeps (and staff see) never holds the message's secret.
            row.subject, row.body = (
                render(row, facts[registration]) if registration.secret_context else (subject, body)
            )
            _backend(backends, row.channel).send(
                OutgoingMessage(
                    idempotency_key=row.idempotency_key,
                    channel=row.channel,
                    kind=row.kind,
                    address=row.address,
                    subject=subject,
                    body=body,
                    notification_id=row.pk,
                )
            )
        except Exception as exc:  # noqa: BLE001 - a channel's failure is recorded on the row
            row.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
            if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                row.status = Status.FAILED
                failed.append(row)
                logger.error("Notification %s failed for good: %s", row.pk, row.last_error)
            else:
                row.status = Status.PENDING
                row.send_at = _retry_at(row, now)
                retry.append(row)
            continue
        row.status, row.sent_at = Status.SENT, timezone.now()
        done.append(row)
    _record_outcomes(done + retry + failed + cancelled + settled)
    return len(done)


def _backend(backends: dict[str, ChannelBackend], channel: str) -> ChannelBackend:
    if channel not in backends:
        backends[channel] = backend_for(channel)
    return backends[channel]


# --- after a restore from a backup ------------------------------------------------------

# The ScheduleMark whose time is when the database was last restored from a backup.
RESTORED_MARK = "database_restored"


def notifications_restored(*, now: datetime.datetime | None = None) -> None:
    """The database was just restored from a backup. A message due before now may already
    have gone out from the database it replaces, after the backup was taken; from now on
    delivery checks every such message against its channel before sending it
    (``_settle_restored``). A message due later cannot have gone out yet."""
    now = now or timezone.now()
    mark, _ = ScheduleMark.objects.get_or_create(key=RESTORED_MARK)
    ScheduleMark.objects.filter(pk=mark.pk).update(created_at=now)
    # A batch a worker had claimed when the backup was taken: due again, under that check.
    Notification.objects.filter(status=Status.SENDING).update(status=Status.PENDING, claim_token="")


def _restored_at() -> datetime.datetime | None:
    marks = ScheduleMark.objects.filter(key=RESTORED_MARK)
    return marks.values_list("created_at", flat=True).first()


def _settle_restored(
    rows: list[Notification],
    *,
    restored_at: datetime.datetime,
    backends: dict[str, ChannelBackend],
) -> tuple[list[Notification], list[Notification]]:
    """Of claimed rows due before the last restore, the channel is asked which it already
    has (by idempotency key): those are marked sent, not sent again; on a channel that
    cannot tell, they are held for staff. Returns (rows still to send, rows settled)."""
    by_channel: dict[str, list[Notification]] = {}
    for row in rows:
        if row.send_at <= restored_at:
            by_channel.setdefault(row.channel, []).append(row)
    if not by_channel:
        return rows, []
    now = timezone.now()
    settled: list[Notification] = []
    for channel, group in by_channel.items():
        known = _backend(backends, channel).delivered([r.idempotency_key for r in group])
        for row in group:
            if known is None:
                row.status = Status.HELD
                row.last_error = "Due before the database was restored; may have gone out."
            elif row.idempotency_key in known:
                row.status, row.sent_at = Status.SENT, now
            else:
                continue
            settled.append(row)
    settled_ids = {row.pk for row in settled}
    return [row for row in rows if row.pk not in settled_ids], settled


def _record_outcomes(rows: list[Notification]) -> None:
    """One UPDATE per row, sent as a batch (psycopg pipelines executemany); much cheaper
    than bulk_update's CASE expressions over a few hundred rows."""
    if not rows:
        return
    table = connection.ops.quote_name(Notification._meta.db_table)
    # The table name is ours; every value is a parameter.
    sql = f"UPDATE {table} SET " + (  # noqa: S608
        "status = %s, sent_at = %s, subject = %s, body = %s, "
        "last_error = %s, send_at = %s, claim_token = '' WHERE id = %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        (r.status, adapt(r.sent_at), r.subject, r.body, r.last_error, adapt(r.send_at), r.pk)
        for r in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _retry_at(row: Notification, now: datetime.datetime) -> datetime.datetime:
    """Exponential backoff: 1, 2, 4, ... times the base, at most an hour."""
    delay = min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** (row.attempts - 1), 3600)
    at = now + datetime.timedelta(seconds=delay)
    return outside_quiet_hours(at) if row.audience == Audience.PATIENT else at


def render(
    row: Notification, facts: dict | None = None, *, with_secret: bool = False
) -> tuple[str, str]:
    """Subject and body from ``notifications/<kind>.<language>.txt`` (in the templates of
    the app that registered the kind): the first line is the subject, the rest the body.
    ``facts`` are the kind's batch facts; read for this row alone when not given. Only the
    copy for the channel (``with_secret``) holds a kind's secret."""
    registration = kinds.registration_of(row.kind)
    if facts is None:
        facts = registration.facts([row])
    context = {"n": row, "patient": row.patient, "tz": CLINIC_TZ}
    for name in ("appointment", "escalation", "program"):
        if getattr(row, f"{name}_id"):
            context[name] = getattr(row, name)
    if row.recipient_user_id:
        context["recipient"] = row.recipient_user
    context.update(registration.context(row, facts))
    if with_secret and registration.secret_context:
        context.update(registration.secret_context(row, facts))
    with translation.override(row.language), timezone.override(CLINIC_TZ):
        text = render_to_string(
            [
                f"notifications/{row.kind}.{row.language}.txt",
                f"notifications/{row.kind}.{settings.LANGUAGE_CODE}.txt",
            ],
            context,
        ).strip()
    subject, _, body = text.partition("\n")
    return subject.strip()[:200], body.strip()


def notifications_recover_in_doubt(*, now: datetime.datetime | None = None) -> int:
    """Settle rows whose worker died after claiming them: what the channel already has
    is marked sent, the rest goes back to pending. Returns how many were settled."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)
    settled = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - lease)
            .select_for_update(skip_locked=True)
            .only("id", "channel", "idempotency_key")[:5000]
        )
        by_channel: dict[str, list[Notification]] = {}
        for row in rows:
            by_channel.setdefault(row.channel, []).append(row)
        for channel, group in by_channel.items():
            known = backend_for(channel).delivered([r.idempotency_key for r in group])
            if known is None:
                known = set()  # cannot tell: send again under the same idempotency key
            have = [r.pk for r in group if r.idempotency_key in known]
            again = [r.pk for r in group if r.idempotency_key not in known]
            Notification.objects.filter(pk__in=have).update(
                status=Status.SENT, sent_at=now, claim_token=""
            )
            Notification.objects.filter(pk__in=again).update(status=Status.PENDING, claim_token="")
            settled += len(group)
    if settled:
        logger.warning("Settled %s notifications left in doubt by a stopped worker.", settled)
    return settled


def notifications_sweep(*, now: datetime.datetime | None = None) -> bool:
    """The periodic safety net: settle rows in doubt and wake workers when anything is due,
    whether or not the on-commit message reached the broker."""
    now = now or timezone.now()
    notifications_recover_in_doubt(now=now)
    if _due(now).exists():
        # Two requests so both worker processes can take batches side by side.
        enqueue_delivery(count=2)
        return True
    return False


def schedule_mark_claim(*, key: str) -> bool:
    """True the first time ``key`` is claimed; False ever after (two beats, a retry)."""
    try:
        with transaction.atomic():
            ScheduleMark.objects.create(key=key)
    except IntegrityError:
        return False
    return True
