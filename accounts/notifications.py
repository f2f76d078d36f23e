"""The messages of accounts: the app invitation and the password-reset link.

Both carry a secret that must reach only the recipient. The outbox row never holds it: the
token is derived again when the message is rendered for its channel, and what the outbox
keeps (and staff see, in the API and the admin) has it replaced by ``REDACTED``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from accounts.models import AppInvitation
from accounts.tokens import REDACTED, invitation_token, password_reset_token
from clinic.models import Patient, Role, User
from notifications.kinds import MessageKinds, register
from notifications.models import Audience, Channel, Kind
from notifications.services import Route, notification_schedule, patient_routes, staff_routes

APP_INVITATION = Kind.APP_INVITATION
PASSWORD_RESET = Kind.PASSWORD_RESET
KINDS = (APP_INVITATION, PASSWORD_RESET)


# These messages are for someone who cannot open the app (yet): e-mail and SMS only.
OUTSIDE_THE_APP = frozenset({Channel.EMAIL, Channel.SMS})


def invitation_routes(patient: Patient) -> list[Route]:
    """The e-mail address and phone the patient consented to be reached on."""
    return [route for route in patient_routes(patient) if route.channel in OUTSIDE_THE_APP]


def _schedule(routes: list[Route], *, kind: str, key: str, **fields) -> list[str]:
    """One message per route, due now; returns the channels."""
    for route in routes:
        notification_schedule(
            kind=kind,
            channel=route.channel,
            idempotency_key=f"{key}:{route.channel}",
            send_at=timezone.now(),
            recipient_user=route.recipient_user,
            address=route.address,
            **fields,
        )
    return [route.channel for route in routes]


def invitation_messages_schedule(*, invitation: AppInvitation, routes: list[Route]) -> list[str]:
    # Addressed to the pending account (the routes may predate it).
    routes = [Route(route.channel, route.address, invitation.user) for route in routes]
    return _schedule(
        routes,
        kind=APP_INVITATION,
        key=f"{APP_INVITATION}:{invitation.pk}",
        audience=Audience.PATIENT,
        language=invitation.patient.language,
        patient=invitation.patient,
    )


def password_reset_messages_schedule(*, user: User) -> int:
    """The reset link, due now: to a patient as they consented (e-mail, SMS), to staff by
    e-mail. Each request is a message of its own."""
    key = f"{PASSWORD_RESET}:{user.pk}:{uuid.uuid4().hex[:12]}"
    patient = Patient.objects.filter(user=user).first() if user.role == Role.PATIENT else None
    if patient is None:
        routes = [r for r in staff_routes(user) if r.channel in OUTSIDE_THE_APP]
        fields = {
            "audience": Audience.STAFF,
            "language": user.chosen_language or settings.LANGUAGE_CODE,
        }
    else:
        routes = invitation_routes(patient)
        fields = {"audience": Audience.PATIENT, "language": patient.language, "patient": patient}
    return len(_schedule(routes, kind=PASSWORD_RESET, key=key, **fields))


def _invitation_id(row) -> int:
    return int(row.idempotency_key.split(":")[1])


def _facts(rows) -> dict:
    """The invitations of a batch, read at once."""
    ids = [_invitation_id(row) for row in rows if row.kind == APP_INVITATION]
    invitations = AppInvitation.objects.select_related("patient__location", "user").in_bulk(ids)
    return {"invitations": invitations}


def _context(row, facts: dict) -> dict:
    """The text as the outbox keeps it: the token is ``REDACTED``."""
    if row.kind == APP_INVITATION:
        invitation = facts["invitations"].get(_invitation_id(row))
        return {
            "token": REDACTED,
            "activate_url": f"{settings.APP_LINK_BASE}activate?token={REDACTED}",
            "username": invitation.user.username if invitation else "",
            "expires_at": invitation.expires_at if invitation else None,
            "location_name": invitation.patient.location.name if invitation else "",
        }
    user = row.recipient_user
    return {
        "token": REDACTED,
        "reset_url": f"{settings.APP_LINK_BASE}reset-password?token={REDACTED}",
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }


def _secret_context(row, facts: dict) -> dict:
    """What only the copy handed to the channel gets: the token itself."""
    if row.kind == APP_INVITATION:
        token = invitation_token(facts["invitations"][_invitation_id(row)])
        return {"token": token, "activate_url": f"{settings.APP_LINK_BASE}activate?token={token}"}
    token = password_reset_token(row.recipient_user)
    return {"token": token, "reset_url": f"{settings.APP_LINK_BASE}reset-password?token={token}"}


def _obsolete(row, facts: dict) -> str:
    """An invitation no longer open is not sent (a newer one replaced it, or it was used);
    nor is a reset link of an account closed meanwhile."""
    if row.kind == APP_INVITATION:
        invitation = facts["invitations"].get(_invitation_id(row))
        if invitation is None or invitation.state != "open":
            return "The invitation is no longer open."
    elif not row.recipient_user.is_active:
        return "The account is no longer active."
    return ""


MESSAGE_KINDS = MessageKinds(
    name="accounts",
    kinds=KINDS,
    facts=_facts,
    context=_context,
    secret_context=_secret_context,
    obsolete=_obsolete,
    # Both were just asked for (at the desk, or in the app): no waiting until 08:00.
    quiet_hours=False,
    front_desk_may_see=True,
)


def register_message_kinds() -> None:
    register(MESSAGE_KINDS)
