"""HTTP shapes of accounts: sign-in with a second step, activation, passwords, events."""

from __future__ import annotations

from django.contrib.auth.models import update_last_login
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenObtainSerializer
from rest_framework_simplejwt.settings import api_settings

from accounts.models import AuthEvent
from accounts.services import mfa_token_issue, token_pair, two_factor_enrolled, two_factor_required


class SignInSerializer(TokenObtainPairSerializer):
    """``POST /auth/token/``: the token pair, or, for staff who need a second factor,
    ``{"mfa_required": true, "mfa_token"}`` to exchange at ``/auth/token/mfa/``."""

    def validate(self, attrs):
        # The password check (and the inactive-account check) of simplejwt, without tokens.
        TokenObtainSerializer.validate(self, attrs)
        if two_factor_required(self.user):
            return {
                "mfa_required": True,
                "mfa_token": mfa_token_issue(self.user),
                "enrolled": two_factor_enrolled(self.user),
            }
        if api_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, self.user)
        return token_pair(self.user)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class MfaChallengeSerializer(serializers.Serializer):
    mfa_required = serializers.BooleanField()
    mfa_token = serializers.CharField(help_text="Valid for MFA_TOKEN_SECONDS, used once.")
    enrolled = serializers.BooleanField(
        help_text="False until the account set up an authenticator on the staff site."
    )


class MfaSerializer(serializers.Serializer):
    mfa_token = serializers.CharField(trim_whitespace=True)
    code = serializers.CharField(
        max_length=32, help_text="The 6-digit authenticator code, or a recovery code."
    )


class ActivateSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="From the invitation message.")
    password = serializers.CharField(
        max_length=128, write_only=True, style={"input_type": "password"}, trim_whitespace=False
    )


class StrictCharField(serializers.CharField):
    """Text only: a number or a boolean is refused, not turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class PasswordResetSerializer(serializers.Serializer):
    email = StrictCharField(
        max_length=254, required=False, help_text="The account's e-mail address."
    )
    username = StrictCharField(max_length=150, required=False)

    def validate(self, attrs):
        if not (attrs.get("email") or attrs.get("username")):
            raise serializers.ValidationError(
                {"email": [gettext("Give an e-mail address or username.")]}
            )
        return attrs


class PasswordResetConfirmSerializer(ActivateSerializer):
    token = serializers.CharField(max_length=200, help_text="From the reset message.")


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class InvitationSentSerializer(serializers.Serializer):
    detail = serializers.CharField()
    channels = serializers.ListField(
        child=serializers.CharField(), help_text="Channels the invitation goes out on."
    )
    expires_at = serializers.DateTimeField()
    username = serializers.CharField(help_text="The name the patient signs in with.")


class AppAccessClosedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    has_app_account = serializers.BooleanField()


class AuthEventSerializer(serializers.ModelSerializer):
    username = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )
    actor_username = serializers.CharField(
        source="actor.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AuthEvent
        fields = [
            "id",
            "at",
            "kind",
            "user",
            "username",
            "actor",
            "actor_username",
            "patient",
            "address",
            "detail",
        ]
        read_only_fields = fields
