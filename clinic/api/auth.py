"""JWT sign-in for the mobile and front-desk clients, with brute-force protection."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from clinic.api.authentication import LogoutSerializer, RefreshSerializer, TokenRejected


class RefusedTokenMixin:
    """simplejwt answers every refused token as one generic error; say why instead."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            raise TokenRejected.from_error(error) from error
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


def _failures_key(username: str) -> str:
    # Hashed: a username may hold spaces or be longer than memcached accepts in a key.
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"login-failures:{digest}"


class LoginView(TokenObtainPairView):
    """``{"username", "password"}`` → ``{"access", "refresh"}``; 401 on wrong credentials.

    After LOGIN_MAX_FAILURES wrong passwords for one username, further attempts are
    throttled (429) for LOGIN_LOCKOUT_SECONDS; successful logins are never throttled.
    """

    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", "")) if isinstance(request.data, dict) else ""
        key = _failures_key(username)
        if username and cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES:
            raise exceptions.Throttled(
                wait=settings.LOGIN_LOCKOUT_SECONDS,
                detail="Too many failed sign-ins for this account; try again later.",
            )
        response = super().post(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            cache.delete(key)
        return response

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            username = (
                str(self.request.data.get("username", ""))
                if isinstance(self.request.data, dict)
                else ""
            )
            if username:
                key = _failures_key(username)
                cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        return super().handle_exception(exc)


class RefreshView(RefusedTokenMixin, TokenRefreshView):
    """``{"refresh"}`` → a new ``access`` (and a rotated ``refresh``); 401 with
    ``token_expired``, ``token_blacklisted`` or ``token_not_valid``."""

    serializer_class = RefreshSerializer


@extend_schema(
    responses={200: inline_serializer("LoggedOut", fields={"detail": serializers.CharField()})}
)
class LogoutView(RefusedTokenMixin, TokenBlacklistView):
    """``{"refresh"}`` → the refresh token is revoked (a lost phone)."""

    serializer_class = LogoutSerializer

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response.data = {"detail": gettext("Signed out; the refresh token is revoked.")}
        return response
