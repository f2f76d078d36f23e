"""The error codes of accounts' refusals: what the problem details' ``code`` says."""

from django.db import models

from clinic.codes import error_codes


@error_codes("accounts")
class AccountErrorCode(models.TextChoices):
    INVITATION_INVALID = "invitation_invalid", "No invitation has this token"
    INVITATION_USED = "invitation_used", "The invitation was used already"
    INVITATION_EXPIRED = "invitation_expired", "The invitation has expired"
    INVITATION_REVOKED = "invitation_revoked", "A newer invitation replaced this one"
    APP_ACCOUNT_ACTIVE = "app_account_active", "The patient's app account is active already"
    NO_APP_ACCOUNT = "no_app_account", "The patient has no app account"
    NO_INVITATION_CHANNEL = "no_invitation_channel", "No consented e-mail address or phone"
    PASSWORD_RESET_INVALID = "password_reset_invalid", "The reset token is used, old or wrong"
    WRONG_PASSWORD = "wrong_password", "The current password is not right"
    TWO_FACTOR_CODE_INVALID = "two_factor_code_invalid", "Wrong or reused two-factor code"
    TWO_FACTOR_NOT_ENROLLED = "two_factor_not_enrolled", "Two-factor is not set up yet"
