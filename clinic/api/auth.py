"""JWT refresh and sign-out of the mobile and front-desk clients; the sign-in itself is
accounts.api.LoginView, behind the sign-in policy (accounts.signin)."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
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
