"""The secrets in account messages: invitation and password-reset tokens.

Neither is stored. An invitation token is derived from the secret key and the invitation's
random nonce (the database keeps only its SHA-256), so a retried delivery sends the same
token; a reset token is Django's PasswordResetTokenGenerator token, bound to the password
hash, so it works once and for PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

import hashlib
from base64 import urlsafe_b64encode

from django.contrib.auth.tokens import default_token_generator
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import AppInvitation
from clinic.models import User

# What staff see where a message held a token (the outbox, the admin, the API).
REDACTED = "[hidden]"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(invitation: AppInvitation) -> str:
    digest = salted_hmac("accounts.invitation", invitation.nonce, algorithm="sha256").digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def password_reset_token(user: User) -> str:
    """``<user id, base64>.<Django's reset token>``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{uid}.{default_token_generator.make_token(user)}"


def password_reset_user_id(token: str) -> tuple[int | None, str]:
    """The account id a reset token names, and the part Django's generator checks."""
    uid, _, reset_token = (token or "").partition(".")
    try:
        return int(force_str(urlsafe_base64_decode(uid))), reset_token
    except (TypeError, ValueError, OverflowError):
        return None, reset_token


def password_reset_token_valid(user: User, reset_token: str) -> bool:
    return default_token_generator.check_token(user, reset_token)
