"""JWT sign-in for the mobile and front-desk clients, with brute-force protection."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
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


# Every gunicorn worker must see the same counts: see CACHES["login"] in settings.
login_store = ConnectionProxy(caches, "login")


class SignInAddressThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address (LOGIN_THROTTLE_RATE), whatever the username:
    one address cannot guess its way through many accounts."""

    scope = "login"
    cache = login_store

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _lockout_keys(username: str, address: str) -> tuple[str, str]:
    # Hashed: a username may hold spaces or be longer than memcached accepts in a key.
    account = username.strip().lower()
    digest = hashlib.sha256(f"{account}\n{address}".encode()).hexdigest()
    return f"login-failures:{digest}", f"login-locked:{digest}"


class LoginView(TokenObtainPairView):
    """``{"username", "password"}`` → ``{"access", "refresh"}``; 401 on wrong credentials.

    After LOGIN_MAX_FAILURES wrong passwords for one username from one client address,
    further attempts for that username from that address are throttled (429 with
    Retry-After) for LOGIN_LOCKOUT_SECONDS. The lockout is per address, so nobody can lock
    a patient out of the app from elsewhere; SignInAddressThrottle bounds the attempts of
    one address over all usernames. The counts live in the shared ``login`` cache.
    """

    throttle_classes = [SignInAddressThrottle]

    def _lockout(self, request) -> tuple[str, str] | None:
        username = str(request.data.get("username", "")) if isinstance(request.data, dict) else ""
        if not username.strip():
            return None
        return _lockout_keys(username, SignInAddressThrottle().get_ident(request))

    def post(self, request, *args, **kwargs):
        keys = self._lockout(request)
        if keys:
            locked_until = login_store.get(keys[1])
            now = time.time()
            if locked_until is not None and locked_until > now:
                raise exceptions.Throttled(
                    wait=math.ceil(locked_until - now),
                    detail=gettext("Too many failed sign-ins for this account; try again later."),
                )
        response = super().post(request, *args, **kwargs)
        if keys and response.status_code == status.HTTP_200_OK:
            login_store.delete_many(keys)
        return response

    def handle_exception(self, exc):
        keys = (
            self._lockout(self.request)
            if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated)
            else None
        )
        if keys:
            failures_key, locked_key = keys
            lockout = settings.LOGIN_LOCKOUT_SECONDS
            login_store.add(failures_key, 0, timeout=lockout)
            try:
                failures = login_store.incr(failures_key)
            except ValueError:  # expired between add and incr
                login_store.set(failures_key, 1, timeout=lockout)
                failures = 1
            if failures >= settings.LOGIN_MAX_FAILURES:
                login_store.set(locked_key, time.time() + lockout, timeout=lockout)
                login_store.delete(failures_key)
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
