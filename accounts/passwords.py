"""A new password signs the account out of the apps, whichever way it was set.

Django calls ``password_changed`` on every entry of ``AUTH_PASSWORD_VALIDATORS`` after a new
password is saved: the apps' change and reset, the admin's password form, ``manage.py
changepassword`` and any code calling ``set_password``. So the rule lives here, once, and no
path can skip it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.services import refresh_tokens_revoke


class SignedOutOnNewPassword:
    """Not a rule a password must pass: it revokes the account's refresh tokens when a new
    password is saved, so every device must sign in again (access tokens end within
    ``JWT_ACCESS_MINUTES``)."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            refresh_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return _("A new password signs the account out of the apps on every device.")
