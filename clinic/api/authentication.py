"""How API callers prove who they are, what a rejected token answers, and the language a
signed-in reader is answered in.

Every authentication failure carries one of ``AUTHENTICATION_CODES`` so an app can tell
"refresh your token" (``token_expired``) from "sign in again" (``token_blacklisted``,
``token_not_valid``) without reading text.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from clinic.models import Language, User

TOKEN_NOT_VALID = "token_not_valid"
TOKEN_EXPIRED = "token_expired"
TOKEN_BLACKLISTED = "token_blacklisted"
AUTHENTICATION_FAILED = "authentication_failed"
NOT_AUTHENTICATED = "not_authenticated"
AUTHENTICATION_CODES = frozenset(
    {TOKEN_NOT_VALID, TOKEN_EXPIRED, TOKEN_BLACKLISTED, AUTHENTICATION_FAILED, NOT_AUTHENTICATED}
)
# Codes that mean "a token was presented and refused" (RFC 6750 error="invalid_token").
TOKEN_CODES = frozenset({TOKEN_NOT_VALID, TOKEN_EXPIRED, TOKEN_BLACKLISTED})


class BlacklistedTokenError(TokenError):
    """A refresh token that was revoked (signed out, or already rotated)."""


class ClinicRefreshToken(RefreshToken):
    """simplejwt's refresh token, telling a revoked token apart from a broken one."""

    def check_blacklist(self) -> None:
        try:
            super().check_blacklist()
        except TokenError as error:
            raise BlacklistedTokenError(*error.args) from error


class RefreshSerializer(TokenRefreshSerializer):
    token_class = ClinicRefreshToken

    def validate(self, attrs):
        # simplejwt looks the user up with .get(): a deleted account would be a 500.
        refresh = self.token_class(attrs["refresh"])
        if not User.objects.filter(pk=refresh.get(api_settings.USER_ID_CLAIM)).exists():
            raise TokenRejected(TOKEN_NOT_VALID)
        return super().validate(attrs)


class LogoutSerializer(TokenBlacklistSerializer):
    token_class = ClinicRefreshToken


class TokenRejected(exceptions.AuthenticationFailed):
    """401 for a token that was presented and refused, with why as a stable code."""

    details = {
        TOKEN_EXPIRED: _("The token has expired; refresh it or sign in again."),
        TOKEN_BLACKLISTED: _("The token has been revoked; sign in again."),
        TOKEN_NOT_VALID: _("The token is not valid; sign in again."),
    }

    def __init__(self, code: str):
        super().__init__(detail=self.details[code], code=code)

    @classmethod
    def from_error(cls, error: TokenError) -> TokenRejected:
        if isinstance(error, ExpiredTokenError):
            return cls(TOKEN_EXPIRED)
        if isinstance(error, BlacklistedTokenError):
            return cls(TOKEN_BLACKLISTED)
        return cls(TOKEN_NOT_VALID)


def activate_user_language(request, user) -> None:
    """Answer a signed-in reader in their own language (LocaleMiddleware already chose one
    from Accept-Language for everyone else). Runs where DRF learns who the user is,
    because a bearer token is read after Django's middleware."""
    language = user.chosen_language if isinstance(user, User) else ""
    if language:
        translation.activate(language)
        # On Django's request too, where LocaleMiddleware put its own choice.
        getattr(request, "_request", request).LANGUAGE_CODE = translation.get_language()


class LanguageMixin:
    """Activates the user's language as soon as an authentication class knows the user."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_user_language(request, result[0])
        return result


class ClinicJWTAuthentication(LanguageMixin, JWTAuthentication):
    """Bearer tokens of the apps; a refused token says why (expired, revoked, not valid)."""

    def get_validated_token(self, raw_token: bytes):
        refused: TokenError | None = None
        for token_class in api_settings.AUTH_TOKEN_CLASSES:
            try:
                return token_class(raw_token)
            except TokenError as error:
                refused = error
        raise TokenRejected.from_error(refused or TokenError())


class ClinicSessionAuthentication(LanguageMixin, authentication.SessionAuthentication):
    """The browsable API and the admin's session, answered in the user's language too."""


def reader_language(request) -> str:
    """The one answer to "which language does this reader read": the signed-in user's own,
    else the client's Accept-Language, else English. Django and DRF's texts already follow
    it; code that picks per-language content (advice, exercise names) asks here."""
    if request is not None:
        # Reading the user makes DRF authenticate, which activates their language.
        getattr(request, "user", None)
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in Language.values else settings.LANGUAGE_CODE
