"""OpenAPI for ``POST /auth/token/``, whose answer depends on the account: the token pair,
or the two-factor challenge. Documented from here so the sign-in view stays simplejwt's."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from accounts.serializers import MfaChallengeSerializer, TokenPairSerializer

# The token pair that signing in, activation, the second step and a password change answer.
TOKENS_EXAMPLE = OpenApiExample(
    "Signed in",
    value={"access": "eyJhbGciOiJIUzI1NiIs...", "refresh": "eyJhbGciOiJIUzI1NiIs..."},
    response_only=True,
)


class SignInViewSchema(OpenApiViewExtension):
    target_class = "accounts.api.LoginView"

    def view_replacement(self):
        @extend_schema(
            request=inline_serializer(
                "TokenObtainPair",
                {"username": serializers.CharField(), "password": serializers.CharField()},
            ),
            responses={
                200: PolymorphicProxySerializer(
                    component_name="SignInResponse",
                    serializers=[TokenPairSerializer, MfaChallengeSerializer],
                    resource_type_field_name=None,
                )
            },
            examples=[
                TOKENS_EXAMPLE,
                OpenApiExample(
                    "Second step needed (staff with two-factor)",
                    value={
                        "mfa_required": True,
                        "mfa_token": "eyJ1c2VyIjo0Mn0:1t...",
                        "enrolled": True,
                    },
                    response_only=True,
                ),
            ],
            description=(
                'Sign in with username and password: `{"access", "refresh"}`. Staff whose role '
                'needs two-factor (STAFF_2FA) get `{"mfa_required": true, "mfa_token"}` '
                "instead, to exchange with a code at `auth/token/mfa/`. Wrong credentials: 401."
            ),
        )
        class Fixed(self.target_class):
            pass

        return Fixed
