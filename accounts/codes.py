"""Error codes of accounts: what the problem details' ``code`` says, for clients to switch on."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_USED = "invitation_used"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_REVOKED = "invitation_revoked"
    APP_ACCOUNT_ACTIVE = "app_account_active"
    NO_APP_ACCOUNT = "no_app_account"
    NO_INVITATION_CHANNEL = "no_invitation_channel"
    PASSWORD_RESET_INVALID = "password_reset_invalid"
    WRONG_PASSWORD = "wrong_password"
    PASSWORD_TOO_WEAK = "password_too_weak"
    TWO_FACTOR_CODE_INVALID = "two_factor_code_invalid"
    TWO_FACTOR_NOT_ENROLLED = "two_factor_not_enrolled"
