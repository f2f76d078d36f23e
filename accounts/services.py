"""Writes of accounts: invitations and activation, password reset and change, app access,
two-factor authentication, and the authentication event log.

Every event is written to ``AuthEvent`` (who, when, from which address), never a secret.
Revoking "every device" means blacklisting every outstanding refresh token of the account
(simplejwt's token blacklist); access tokens then live at most JWT_ACCESS_MINUTES more,
except for a deactivated account, whose access tokens are refused at once (inactive user).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.codes import AccountErrorCode as Code
from accounts.models import AppInvitation, AuthEvent, AuthEventKind
from accounts.notifications import (
    invitation_messages_schedule,
    invitation_routes,
    password_reset_messages_schedule,
)
from accounts.tokens import (
    invitation_token,
    password_reset_token_valid,
    password_reset_user_id,
    token_hash,
)
from clinic.errors import Conflict, DomainError, InvalidInput
from clinic.models import STAFF_ROLES, Patient, Role, User

RECOVERY_CODE_COUNT = 10


# --- the event log --------------------------------------------------------------------------


def auth_event_record(
    *,
    kind: str,
    user: User | None = None,
    actor: User | None = None,
    patient: Patient | None = None,
    address: str | None = None,
    **detail,
) -> AuthEvent:
    if patient is None and user is not None and user.role == Role.PATIENT:
        patient = Patient.objects.filter(user=user).first()
    return AuthEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor,
        patient=patient,
        location_id=patient.location_id if patient else None,
        address=address,
        detail=detail,
    )


# --- tokens ---------------------------------------------------------------------------------


def token_pair(user: User) -> dict[str, str]:
    """A new refresh token (outstanding, so it can be revoked) and its access token."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def refresh_tokens_revoke(*, user: User) -> int:
    """Sign the account out everywhere: blacklist every refresh token it still holds."""
    outstanding = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(revoked)


def _set_password(user: User, password: str, *, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    user.set_password(password)


# --- app invitations ------------------------------------------------------------------------


def _app_username(patient: Patient) -> str:
    """The name the patient signs in with: their e-mail address, else their phone number."""
    for candidate in (patient.email.lower(), str(patient.phone or "")):
        if candidate and not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    return f"patient-{patient.pk}"


def _pending_account(patient: Patient) -> User:
    """The patient's app account, created inactive (no usable password) when missing."""
    if patient.user_id is not None:
        user = patient.user
        if user.is_active:
            raise Conflict(
                gettext(
                    "This patient already has an active app account; a forgotten password is "
                    "reset from the app."
                ),
                code=Code.APP_ACCOUNT_ACTIVE,
            )
        return user
    user = User(
        username=_app_username(patient),
        role=Role.PATIENT,
        first_name=patient.first_name,
        last_name=patient.last_name,
        email=patient.email,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    return user


def _patient_locked(patient: Patient) -> Patient:
    """The patient row, locked for the change, with its app account."""
    return Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient.pk)


def _open_invitations_revoke(patient: Patient, *, at: datetime.datetime) -> None:
    AppInvitation.objects.filter(patient=patient, used_at=None, revoked_at=None).update(
        revoked_at=at
    )


@dataclass(frozen=True)
class InvitationSent:
    invitation: AppInvitation
    channels: list[str]


@transaction.atomic
def patient_invite(
    *, patient: Patient, invited_by: User, address: str | None = None
) -> InvitationSent:
    """Create or refresh the patient's pending app account and send a new invitation by
    e-mail and/or SMS, as the patient consented. An earlier open invitation is revoked."""
    patient = _patient_locked(patient)
    routes = invitation_routes(patient)
    if not routes:
        raise Conflict(
            gettext(
                "The patient has no e-mail address or phone number they agreed to be reached on; "
                "add one (and their consent) first."
            ),
            code=Code.NO_INVITATION_CHANNEL,
        )
    user = _pending_account(patient)
    now = timezone.now()
    _open_invitations_revoke(patient, at=now)
    invitation = AppInvitation(
        patient=patient,
        user=user,
        invited_by=invited_by,
        nonce=secrets.token_hex(32),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.APP_INVITATION_HOURS),
    )
    invitation.token_hash = token_hash(invitation_token(invitation))
    invitation.save()
    channels = invitation_messages_schedule(invitation=invitation, routes=routes)
    auth_event_record(
        kind=AuthEventKind.INVITATION_SENT,
        user=user,
        actor=invited_by,
        patient=patient,
        address=address,
        channels=channels,
        invitation=invitation.pk,
    )
    return InvitationSent(invitation=invitation, channels=channels)


_INVITATION_REFUSALS = {
    "used": (Code.INVITATION_USED, _("This invitation has been used already; sign in instead.")),
    "revoked": (
        Code.INVITATION_REVOKED,
        _("This invitation was replaced by a newer one; use the link in the latest message."),
    ),
    "expired": (
        Code.INVITATION_EXPIRED,
        _("This invitation has expired; ask the clinic to send a new one."),
    ),
}


@transaction.atomic
def account_activate(*, token: str, password: str, address: str | None = None) -> User:
    """Set the password of the invited account and activate it; the invitation is used up.
    Any refusal changes nothing."""
    invitation = (
        AppInvitation.objects.select_for_update()
        .select_related("user", "patient")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise InvalidInput(
            gettext(
                "This invitation is not known; check the link or ask the clinic for a new one."
            ),
            field="token",
            code=Code.INVITATION_INVALID,
        )
    state = invitation.state
    if state != "open":
        code, detail = _INVITATION_REFUSALS[state]
        raise InvalidInput(str(detail), field="token", code=code)
    user = invitation.user
    _set_password(user, password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    if invitation.patient.user_id != user.pk:
        invitation.patient.user = user
        invitation.patient.save(update_fields=["user", "updated_at"])
    auth_event_record(
        kind=AuthEventKind.ACCOUNT_ACTIVATED,
        user=user,
        patient=invitation.patient,
        address=address,
        invitation=invitation.pk,
    )
    return user


@transaction.atomic
def app_access_deactivate(
    *, patient: Patient, deactivated_by: User, address: str | None = None
) -> User:
    """Close a patient's app access (a lost phone, a patient who left): the account can no
    longer sign in, every token is revoked, open invitations too. The record stays."""
    patient = _patient_locked(patient)
    user = patient.user
    if user is None:
        raise Conflict(gettext("This patient has no app account."), code=Code.NO_APP_ACCOUNT)
    _open_invitations_revoke(patient, at=timezone.now())
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    revoked = refresh_tokens_revoke(user=user)
    auth_event_record(
        kind=AuthEventKind.APP_ACCESS_DEACTIVATED,
        user=user,
        actor=deactivated_by,
        patient=patient,
        address=address,
        refresh_tokens_revoked=revoked,
    )
    return user


# --- passwords ------------------------------------------------------------------------------


class TooManyResetRequests(DomainError):
    status_code = 429
    code = "throttled"
    title = "Too Many Requests"


def _accounts_for(identifier: str) -> list[User]:
    identifier = identifier.strip()
    if not identifier:
        return []
    return list(
        User.objects.filter(
            Q(username__iexact=identifier)
            | Q(email__iexact=identifier)
            | Q(patient__email__iexact=identifier),
            is_active=True,
        )
        .select_related("patient")
        .distinct()[:5]
    )


@transaction.atomic
def password_reset_request(*, identifier: str, address: str | None = None) -> int:
    """Send a reset link to the account(s) an e-mail address or username names. The caller
    answers the same whatever happens here, so no account can be found out. Returns how
    many messages were scheduled (for tests and logs only)."""
    window = timezone.now() - datetime.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)
    requests = AuthEvent.objects.filter(kind=AuthEventKind.PASSWORD_RESET_REQUESTED, at__gte=window)
    if address and requests.filter(address=address).count() >= settings.PASSWORD_RESET_PER_ADDRESS:
        raise TooManyResetRequests(
            gettext("Too many password reset requests from this address; try again later."),
            extra={"retry_after": settings.PASSWORD_RESET_WINDOW_MINUTES * 60},
        )
    accounts = _accounts_for(identifier)
    if not accounts:
        auth_event_record(kind=AuthEventKind.PASSWORD_RESET_REQUESTED, address=address, known=False)
        return 0
    scheduled = 0
    for user in accounts:
        limited = requests.filter(user=user).count() >= settings.PASSWORD_RESET_PER_ACCOUNT
        if not limited and user.has_usable_password():
            scheduled += password_reset_messages_schedule(user=user)
        auth_event_record(
            kind=AuthEventKind.PASSWORD_RESET_REQUESTED,
            user=user,
            address=address,
            sent=not limited,
        )
    return scheduled


def _password_replace(
    user: User, password: str, *, kind: str, address: str | None, field: str = "password"
) -> None:
    """Set a new password and sign the account out everywhere (its event says how many
    refresh tokens were revoked)."""
    _set_password(user, password, field=field)
    # Counted here for the event; saving revokes them too (accounts.passwords), on any path.
    revoked = refresh_tokens_revoke(user=user)
    user.save(update_fields=["password"])
    auth_event_record(kind=kind, user=user, address=address, refresh_tokens_revoked=revoked)


def reset_token_account(token: str) -> User | None:
    """The account a reset token names, whether or not the token is still valid."""
    pk, _reset_token = password_reset_user_id(token)
    return None if pk is None else User.objects.filter(pk=pk).first()


def _user_of_reset_token(token: str) -> User | None:
    pk, reset_token = password_reset_user_id(token)
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).select_for_update().first()
    if user is None or not password_reset_token_valid(user, reset_token):
        return None
    return user


@transaction.atomic
def password_reset_confirm(*, token: str, password: str, address: str | None = None) -> User:
    """Set a new password with a reset token, and sign the account out everywhere."""
    user = _user_of_reset_token(token)
    if user is None:
        raise InvalidInput(
            gettext(
                "This reset link is not valid: it was used already, has expired, or is mistyped. "
                "Ask for a new one."
            ),
            field="token",
            code=Code.PASSWORD_RESET_INVALID,
        )
    _password_replace(user, password, kind=AuthEventKind.PASSWORD_RESET, address=address)
    return user


@transaction.atomic
def password_change(
    *, user: User, old_password: str, new_password: str, address: str | None = None
) -> dict[str, str]:
    """Change a signed-in user's password. Every other device is signed out; the answer is
    a fresh token pair for the device that asked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise InvalidInput(
            gettext("The current password is not right."),
            field="old_password",
            code=Code.WRONG_PASSWORD,
        )
    _password_replace(
        user,
        new_password,
        kind=AuthEventKind.PASSWORD_CHANGED,
        address=address,
        field="new_password",
    )
    return token_pair(user)


# --- two-factor authentication for staff ----------------------------------------------------


def two_factor_required(user: User) -> bool:
    """Whether this account must give a second factor to sign in (settings.STAFF_2FA).
    A superuser counts as a manager whatever its role (``createsuperuser`` sets none)."""
    if user.is_superuser:
        return settings.STAFF_2FA != "none"
    if user.role not in STAFF_ROLES:
        return False
    return {
        "all": True,
        "managers": user.role == Role.MANAGER,
        "none": False,
    }[settings.STAFF_2FA]


def two_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def two_factor_enrol_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user``; it counts once a code confirms it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


class TwoFactorCodeRefused(InvalidInput):
    """A wrong two-factor code, or one used already (the API answers it as a 401)."""

    code = Code.TWO_FACTOR_CODE_INVALID


def _code_refused(user: User, address: str | None, **detail) -> TwoFactorCodeRefused:
    auth_event_record(kind=AuthEventKind.TWO_FACTOR_FAILED, user=user, address=address, **detail)
    return TwoFactorCodeRefused(
        gettext(
            "That code is not right, or was used already. Wait for the next code and try again."
        ),
        field="code",
    )


def two_factor_enrol_confirm(
    *, user: User, device_id: int, code: str, address: str | None = None
) -> list[str]:
    """Confirm the authenticator with its first code; it replaces any earlier one, and the
    user gets ten new recovery codes (shown once). Not one transaction on purpose: a wrong
    code must leave its throttling and its event behind."""
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None or not device.verify_token(_clean(code)):
        raise _code_refused(user, address, step="enrolment")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_renew(user=user)
        auth_event_record(kind=AuthEventKind.TWO_FACTOR_ENROLLED, user=user, address=address)
    return codes


def _clean(code: str) -> str:
    return "".join(str(code or "").split()).lower()


def two_factor_verify(*, user: User, code: str, address: str | None = None):
    """The device that accepts ``code``: the authenticator (a code is accepted once: a
    code reused within its window is refused), else a recovery code (used up). A refused
    code is logged, and django-otp slows down further tries on that device."""
    if not two_factor_enrolled(user):
        raise Conflict(
            gettext(
                "Two-factor authentication is not set up for this account yet; set it up on the "
                "staff site first."
            ),
            code=Code.TWO_FACTOR_NOT_ENROLLED,
        )
    code = _clean(code)
    device = None
    # Committed whatever the outcome, so throttling and used-up codes stick.
    with transaction.atomic():
        for candidate in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if code.isdigit() and candidate.verify_token(code):
                device = candidate
                break
        else:
            for candidate in StaticDevice.objects.select_for_update().filter(user=user):
                if candidate.verify_token(code):
                    device = candidate
                    break
    if device is None:
        raise _code_refused(user, address, step="sign_in")
    kind = (
        AuthEventKind.TWO_FACTOR_RECOVERY_USED
        if isinstance(device, StaticDevice)
        else AuthEventKind.TWO_FACTOR_VERIFIED
    )
    remaining = device.token_set.count() if isinstance(device, StaticDevice) else None
    auth_event_record(kind=kind, user=user, address=address, recovery_codes_left=remaining)
    return device


# The second step of an API sign-in: a short-lived signed token that names the account and
# is bound to its password and last sign-in, so it dies with a password change or its use.
_MFA_SALT = "accounts.mfa_token"


def _mfa_binding(user: User) -> str:
    last = user.last_login.isoformat() if user.last_login else ""
    return salted_hmac(_MFA_SALT, f"{user.password}|{last}").hexdigest()[:32]


def mfa_token_issue(user: User) -> str:
    return signing.dumps({"user": user.pk, "bind": _mfa_binding(user)}, salt=_MFA_SALT)


class MfaTokenInvalid(Exception):
    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def mfa_token_user(token: str) -> User:
    """The account an mfa_token names; MfaTokenInvalid when it is expired, used or forged."""
    try:
        data = signing.loads(token or "", salt=_MFA_SALT, max_age=settings.MFA_TOKEN_SECONDS)
    except signing.SignatureExpired as exc:
        raise MfaTokenInvalid(expired=True) from exc
    except signing.BadSignature as exc:
        raise MfaTokenInvalid(expired=False) from exc
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(data.get("bind", ""), _mfa_binding(user)):
        raise MfaTokenInvalid(expired=False)
    return user


def mfa_sign_in(*, token: str, code: str, address: str | None = None) -> dict[str, str]:
    """Exchange an mfa_token and a two-factor code for a token pair."""
    user = mfa_token_user(token)
    two_factor_verify(user=user, code=code, address=address)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())  # the mfa_token is spent
    return token_pair(user)
