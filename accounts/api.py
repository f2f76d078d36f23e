"""Accounts over HTTP: invitations, activation, passwords, the second sign-in step, and
the authentication event log. Views translate HTTP; accounts.services decides."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from accounts import serializers as s
from accounts.models import AuthEvent
from accounts.schema import TOKENS_EXAMPLE
from accounts.selectors import auth_events_visible_to
from accounts.services import (
    MfaTokenInvalid,
    TooManyResetRequests,
    TwoFactorCodeRefused,
    account_activate,
    app_access_deactivate,
    mfa_sign_in,
    mfa_token_user,
    password_reset_request,
    patient_invite,
    token_pair,
)
from accounts.signin import (
    Door,
    SignInRefused,
    attempt_begin,
    password_change_guarded,
    password_reset_confirm_guarded,
)
from clinic.api.access_log import AccessLoggedMixin, client_address
from clinic.api.filters import ClinicFilterSet
from clinic.api.permissions import STAFF, RoleAllowed
from clinic.api.serializers import validated
from clinic.models import Role
from clinic.selectors import patients_visible_to

# Marked for translation here, translated when answered (in the reader's language).
# These answer anyone; an app must not send a stale bearer token here (it is ignored).
NO_SIGN_IN = OpenApiResponse(description="Not used: no sign-in is needed.")
ACCEPTED = gettext_noop("If an account goes with it, a message with a reset link is on its way.")
DEACTIVATED = gettext_noop("App access closed; every device is signed out.")
RESET_DONE = gettext_noop("Your password is changed; sign in again on every device.")
INVITATION_SENT = gettext_noop("The invitation is on its way; it expires in %(hours)s hours.")


class BodyAPIView(APIView):
    """A POST whose body ``serializer_class`` checks (a 400 when it is not valid); the
    OpenAPI document reads the request body from it too."""

    serializer_class: type[serializers.Serializer]

    def body(self, request) -> dict:
        return validated(self.serializer_class, request.data)


@extend_schema(auth=[])
class AnonymousAPIView(BodyAPIView):
    """For people who cannot sign in yet: a stale bearer token must not get in the way."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Without it DRF turns a 401 into a 403 on views that authenticate no one.
        return 'Bearer realm="api"'


def throttled(exc: SignInRefused) -> exceptions.Throttled:
    return exceptions.Throttled(wait=exc.extra["retry_after"], detail=exc.detail)


class LoginView(TokenObtainPairView):
    """``{"username", "password"}`` → ``{"access", "refresh"}``; 401 on wrong credentials.

    The sign-in policy (accounts.signin) guards it like every other door: a lockout per
    username and client address, a rate per address, an authentication event each time.
    """

    throttle_classes: list = []

    def post(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, dict) else {}
        username = data.get("username", "")
        try:
            attempt = attempt_begin(
                door=Door.API_SIGN_IN,
                username=username if isinstance(username, str) else "",
                address=client_address(request),
            )
        except SignInRefused as exc:
            raise throttled(exc) from exc
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except (exceptions.AuthenticationFailed, exceptions.NotAuthenticated):
            attempt.failed()
            raise
        answer = serializer.validated_data
        attempt.succeeded(user=serializer.user, complete=not answer.get("mfa_required"))
        return Response(answer, status=status.HTTP_200_OK)


# --- staff, about a patient's app account ---------------------------------------------------


class PatientAppAccountView(AccessLoggedMixin, generics.GenericAPIView):
    permission_classes = [RoleAllowed]
    roles = STAFF
    access_log_resource = "app_account"
    access_log_patient = "pk"
    lookup_url_kwarg = "id"
    http_method_names = ["post"]  # an action: no body to describe for OPTIONS
    serializer_class = None

    def get_queryset(self):
        return patients_visible_to(self.request.user)


class PatientInviteView(PatientAppAccountView):
    @extend_schema(
        operation_id="patients_invite",
        request=None,
        responses={202: s.InvitationSentSerializer},
        examples=[
            OpenApiExample(
                "Invitation sent",
                value={
                    "detail": INVITATION_SENT % {"hours": 72},
                    "channels": ["email", "sms"],
                    "expires_at": "2027-03-31T10:00:00+02:00",
                    "username": "emma.degroot@example.nl",
                },
                response_only=True,
                status_codes=["202"],
            )
        ],
        description=(
            "Create or refresh the patient's pending app account and send a single-use "
            "invitation by e-mail and/or SMS, as the patient consented, in their language. "
            "A new invitation revokes the earlier one. The token is never shown to staff."
        ),
    )
    def post(self, request, **kwargs):
        patient = self.get_object()
        sent = patient_invite(
            patient=patient, invited_by=request.user, address=client_address(request)
        )
        hours = round(
            (sent.invitation.expires_at - sent.invitation.created_at).total_seconds() / 3600
        )
        return Response(
            {
                "detail": gettext(INVITATION_SENT) % {"hours": hours},
                "channels": sent.channels,
                "expires_at": sent.invitation.expires_at,
                "username": sent.invitation.user.username,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PatientAppAccessDeactivateView(PatientAppAccountView):
    @extend_schema(
        operation_id="patients_app_access_deactivate",
        request=None,
        responses={200: s.AppAccessClosedSerializer},
        examples=[
            OpenApiExample(
                "Deactivated",
                value={"detail": DEACTIVATED, "has_app_account": False},
                response_only=True,
            )
        ],
        description=(
            "Close the patient's app access (a lost phone, a patient who left): the account "
            "cannot sign in, its tokens and open invitations are revoked. The record stays; "
            "a new invitation opens access again."
        ),
    )
    def post(self, request, **kwargs):
        patient = self.get_object()
        app_access_deactivate(
            patient=patient, deactivated_by=request.user, address=client_address(request)
        )
        return Response({"detail": gettext(DEACTIVATED), "has_app_account": False})


# --- anyone ---------------------------------------------------------------------------------


class ActivateView(AnonymousAPIView):
    serializer_class = s.ActivateSerializer

    @extend_schema(
        responses={401: NO_SIGN_IN, 200: s.TokenPairSerializer},
        examples=[
            OpenApiExample(
                "Activate",
                value={"token": "q9Vd3...from-the-invitation", "password": "a long passphrase"},
                request_only=True,
            ),
            TOKENS_EXAMPLE,
        ],
        description=(
            "Activate an invited app account with the token from the invitation and a new "
            "password (Django's password rules). Answers the token pair, so the app is signed "
            "in at once. A used, expired, revoked or unknown token is 400 with the code "
            "`invitation_used`, `invitation_expired`, `invitation_revoked` or "
            "`invitation_invalid`, and changes nothing."
        ),
    )
    def post(self, request):
        user = account_activate(**self.body(request), address=client_address(request))
        return Response(token_pair(user))


class PasswordResetView(AnonymousAPIView):
    serializer_class = s.PasswordResetSerializer

    @extend_schema(
        responses={401: NO_SIGN_IN, 202: s.AcceptedSerializer},
        examples=[
            OpenApiExample("By e-mail", value={"email": "emma@example.nl"}, request_only=True),
            OpenApiExample(
                "Accepted", value={"detail": ACCEPTED}, response_only=True, status_codes=["202"]
            ),
        ],
        description=(
            "Ask for a password reset link by e-mail address (or username). Always 202, "
            "whether or not an account goes with it. Beyond a few requests per account nothing "
            "more is sent; too many from one client address is 429."
        ),
    )
    def post(self, request):
        body = self.body(request)
        identifier = body.get("email") or body.get("username", "")
        try:
            password_reset_request(identifier=identifier, address=client_address(request))
        except TooManyResetRequests as exc:
            raise exceptions.Throttled(wait=exc.extra["retry_after"], detail=exc.detail) from exc
        return Response({"detail": gettext(ACCEPTED)}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AnonymousAPIView):
    serializer_class = s.PasswordResetConfirmSerializer

    @extend_schema(
        responses={401: NO_SIGN_IN, 200: s.AcceptedSerializer},
        examples=[
            OpenApiExample(
                "New password",
                value={"token": "MTI.c3k2vd-8a1f...", "password": "a long passphrase"},
                request_only=True,
            ),
            OpenApiExample(
                "Done",
                value={"detail": RESET_DONE},
                response_only=True,
            ),
        ],
        description=(
            "Set a new password with the token from the reset message: single use, valid "
            "for PASSWORD_RESET_MINUTES. Every refresh token of the account is revoked. A bad "
            "token is 400 `password_reset_invalid`."
        ),
    )
    def post(self, request):
        try:
            password_reset_confirm_guarded(**self.body(request), address=client_address(request))
        except SignInRefused as exc:
            raise throttled(exc) from exc
        return Response({"detail": gettext(RESET_DONE)})


class PasswordChangeView(BodyAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.PasswordChangeSerializer

    @extend_schema(
        responses={200: s.TokenPairSerializer},
        examples=[
            OpenApiExample(
                "Change",
                value={"old_password": "the current one", "new_password": "a new passphrase"},
                request_only=True,
            ),
            TOKENS_EXAMPLE,
        ],
        description=(
            "Change the signed-in account's password. Every other device is signed out (its "
            "refresh tokens are revoked); the answer is a new token pair for this one."
        ),
    )
    def post(self, request):
        body = self.body(request)
        try:
            tokens = password_change_guarded(
                door=Door.PASSWORD_CHANGE,
                user=request.user,
                **body,
                address=client_address(request),
            )
        except SignInRefused as exc:
            raise throttled(exc) from exc
        return Response(tokens)


class MfaView(AnonymousAPIView):
    serializer_class = s.MfaSerializer

    @extend_schema(
        responses={
            200: s.TokenPairSerializer,
            401: OpenApiResponse(description="Wrong or reused code, or a bad mfa_token."),
        },
        examples=[
            OpenApiExample(
                "Authenticator code",
                value={"mfa_token": "eyJ1c2VyIjo0Mn0:1t...", "code": "492039"},
                request_only=True,
            ),
            OpenApiExample(
                "Recovery code",
                value={"mfa_token": "eyJ1c2VyIjo0Mn0:1t...", "code": "k3xq7m2aqp"},
                request_only=True,
            ),
            TOKENS_EXAMPLE,
        ],
        description=(
            "The second step of a staff sign-in, after `auth/token/` answered "
            '`{"mfa_required": true, "mfa_token"}`: the authenticator code (each code works '
            "once) or one of the ten recovery codes (each works once). A wrong code is 401 "
            "`authentication_failed`; an expired mfa_token 401 `token_expired`, sign in again."
        ),
    )
    def post(self, request):
        body = self.body(request)
        address = client_address(request)
        try:
            attempt = attempt_begin(
                door=Door.API_TWO_FACTOR, user=mfa_token_user(body["mfa_token"]), address=address
            )
            tokens = mfa_sign_in(token=body["mfa_token"], code=body["code"], address=address)
        except SignInRefused as exc:
            raise throttled(exc) from exc
        except TwoFactorCodeRefused as exc:
            attempt.failed(record=False)  # two_factor_failed is its event
            raise exceptions.AuthenticationFailed(exc.detail, code="authentication_failed") from exc
        except MfaTokenInvalid as exc:
            if exc.expired:
                raise exceptions.AuthenticationFailed(
                    gettext("The sign-in took too long; sign in with your password again."),
                    code="token_expired",
                ) from exc
            raise exceptions.AuthenticationFailed(
                gettext(
                    "This sign-in step is not valid (used already?); sign in with your "
                    "password again."
                ),
                code="token_not_valid",
            ) from exc
        attempt.succeeded(user=attempt.user)
        return Response(tokens)


# --- managers -------------------------------------------------------------------------------


class AuthEventFilter(ClinicFilterSet):
    class Meta:
        model = AuthEvent
        fields = ["kind", "user", "patient"]


class AuthEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Managers: invitations, activations, resets, password changes, two-factor enrolment
    and refused codes, deactivations, of their locations' patients and staff."""

    serializer_class = s.AuthEventSerializer
    permission_classes = [RoleAllowed]
    roles = frozenset({Role.MANAGER})
    filterset_class = AuthEventFilter
    ordering = ("-at", "-id")

    def get_queryset(self):
        return auth_events_visible_to(self.request.user)
