from django.urls import include, path

from accounts import api
from clinic.api.routers import ClinicRouter

router = ClinicRouter()
router.register("auth-events", api.AuthEventViewSet, basename="auth-event")

urlpatterns = [
    path("auth/token/", api.LoginView.as_view(), name="token"),
    path("auth/token/mfa/", api.MfaView.as_view(), name="token-mfa"),
    path("auth/activate/", api.ActivateView.as_view(), name="activate"),
    path("auth/password-reset/", api.PasswordResetView.as_view(), name="password-reset"),
    path(
        "auth/password-reset/confirm/",
        api.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("auth/password/", api.PasswordChangeView.as_view(), name="password-change"),
    path("patients/<int:id>/invite/", api.PatientInviteView.as_view(), name="patient-invite"),
    path(
        "patients/<int:id>/app-access/deactivate/",
        api.PatientAppAccessDeactivateView.as_view(),
        name="patient-app-access-deactivate",
    ),
    path("", include(router.urls)),
]
