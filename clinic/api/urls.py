"""Routes of /api/v1/. Each app adds its own router entries through its ``urls`` module."""

from django.urls import include, path

from clinic.api import auth, views
from clinic.api.routers import ClinicRouter

router = ClinicRouter()
router.register("locations", views.LocationViewSet, basename="location")
router.register("clinicians", views.ClinicianViewSet, basename="clinician")
router.register("patients", views.PatientViewSet, basename="patient")
router.register("access-log", views.AccessLogViewSet, basename="access-log")

urlpatterns = [
    path("auth/token/refresh/", auth.RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
    path("", include("assessments.urls")),
    path("", include("programs.urls")),
    path("", include("escalations.urls")),
    path("", include("bookings.urls")),
    path("", include("notifications.urls")),
    path("", include("records.urls")),
    path("", include("accounts.urls")),
]
